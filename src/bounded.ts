/**
 * Bounded reads of input we do not control: a file named on the command line (`verify`, `fix --ca`), a paste
 * on stdin (`explain -`), a config file in someone's HOME. `readFile('/dev/zero')` never returns and grows
 * without limit, so every such read stops one byte past its limit and says so in the user's words.
 * The check is on bytes read, not on `stat().size`: devices, FIFOs and /proc files report a size of 0.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { CertifixError } from './core/errors.ts';

/** Certificates and pasted errors: the largest real CA bundles are well under 1 MB (Mozilla's: ~220 kB). */
const MAX_INPUT_BYTES = 4 * 1024 * 1024;

/**
 * CA files named from HOME (REQUESTS_CA_BUNDLE=~/corp.pem, a keystore): Mozilla's whole list is ~220 KB, a
 * JDK's cacerts ~150 KB.
 */
export const MAX_CA_FILE_BYTES = MAX_INPUT_BYTES;

/** Config files in HOME (.npmrc, pip.conf, .gitconfig, shell startup files). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

function tooLarge(what: string, limit: number): CertifixError {
  const mb = limit >= 1024 * 1024 ? `${limit / (1024 * 1024)} MB` : `${limit} bytes`;
  return new CertifixError('TOO_LARGE', `${what} is larger than ${mb}; refusing to read more of it`, {
    hint: 'pass a certificate, a bundle or an error message, not a device or a whole disk image',
  });
}

const CHUNK = 64 * 1024;

/** A file's bytes, at most `limit` of them; throws TOO_LARGE past it (and the fs error as is). */
export async function readFileBounded(path: string, limit = MAX_INPUT_BYTES): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, limit + 1 - size));
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      size += bytesRead;
      if (size > limit) throw tooLarge(path, limit);
    }
    return Buffer.concat(chunks, size);
  } finally {
    await fh.close();
  }
}

/** The synchronous twin, for code paths that are synchronous already. */
export function readFileBoundedSync(path: string, limit = MAX_INPUT_BYTES): Buffer {
  const fd = openSync(path, 'r');
  try {
    return readFdBoundedSync(fd, path, limit);
  } finally {
    closeSync(fd);
  }
}

/** An open file's bytes from where it stands, at most `limit`; throws TOO_LARGE (naming `what`) past it. */
export function readFdBoundedSync(fd: number, what: string, limit: number): Buffer {
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, limit + 1 - size));
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    chunks.push(buf.subarray(0, n));
    size += n;
    if (size > limit) throw tooLarge(what, limit);
  }
  return Buffer.concat(chunks, size);
}

/** A stream's bytes (stdin), at most `limit`; the stream is destroyed when it goes past. */
export async function readStreamBounded(
  stream: AsyncIterable<Buffer | string> & { destroy?: () => void },
  what: string,
  limit = MAX_INPUT_BYTES,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = Buffer.from(chunk);
    chunks.push(b);
    size += b.length;
    if (size > limit) {
      stream.destroy?.();
      throw tooLarge(what, limit);
    }
  }
  return Buffer.concat(chunks, size);
}
