/**
 * Environment variables that name a CA file, and whether the file *replaces* the client's defaults (so a
 * file without public roots breaks public sites) or is *added* to them.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { type Cert, parseCerts } from '../core/cert.ts';
import type { Context } from '../types.ts';

const CA_FILE_VARIABLES: ReadonlyArray<{ name: string; replaces: boolean }> = [
  // requests: https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification
  { name: 'REQUESTS_CA_BUNDLE', replaces: true },
  { name: 'CURL_CA_BUNDLE', replaces: true },
  // OpenSSL's default-paths override: https://docs.openssl.org/3.0/man3/SSL_CTX_load_verify_locations/
  { name: 'SSL_CERT_FILE', replaces: true },
  // pip --cert: https://pip.pypa.io/en/stable/topics/https-certificates/
  { name: 'PIP_CERT', replaces: true },
  // https://git-scm.com/docs/git-config#Documentation/git-config.txt-httpsslCAInfo
  { name: 'GIT_SSL_CAINFO', replaces: true },
  // botocore: https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html
  { name: 'AWS_CA_BUNDLE', replaces: true },
  // Added to Node's bundled roots: https://nodejs.org/api/cli.html#node_extra_ca_certsfile
  { name: 'NODE_EXTRA_CA_CERTS', replaces: false },
  // Added to Deno's store: https://docs.deno.com/runtime/reference/env_variables/ (deno.ts)
  { name: 'DENO_CERT', replaces: false },
];

/**
 * A CA file larger than this is not read: Mozilla's whole list is ~220 KB as PEM, so a few MB is generous for
 * any real bundle, and a variable pointing at /dev/zero or a multi-GB file must not hang or exhaust memory.
 */
const CA_FILE_LIMIT = 4 * 1024 * 1024;

export type CaVariable = { name: string; path: string; replaces: boolean } & (
  | { certs: Cert[] }
  | { certs: null; problem: string } // the file cannot be read, or is not a bounded regular file
);

/** At most `CA_FILE_LIMIT` bytes of a regular file; a reason string instead when it is anything else. */
async function readCaFile(path: string): Promise<Buffer | string> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer (it is then refused as not a regular file).
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return 'is not a regular file';
    if (st.size > CA_FILE_LIMIT) return `is larger than ${CA_FILE_LIMIT / 1024 / 1024} MB`;
    const buf = Buffer.alloc(Math.min(st.size, CA_FILE_LIMIT) + 1);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    if (bytesRead > CA_FILE_LIMIT) return `is larger than ${CA_FILE_LIMIT / 1024 / 1024} MB`;
    return buf.subarray(0, bytesRead);
  } catch {
    return 'cannot be read';
  } finally {
    await handle.close();
  }
}

/**
 * A CA file one client's own setting names (pip.conf `cert`, .npmrc `cafile`, HTTPLIB2_CA_CERTS, …), read
 * as a CA variable's is. Only PEM text counts: a Java keystore is the Java plan's own base, not a bundle.
 */
export async function caSettingFile(name: string, path: string): Promise<CaVariable | null> {
  const data = await readCaFile(path);
  if (typeof data === 'string') return { name, path, replaces: true, certs: null, problem: data };
  return data.includes('-----BEGIN CERTIFICATE-----')
    ? { name, path, replaces: true, certs: parseCerts(data, path).certs }
    : null;
}

/** `env` without the CA variables: what a client reads from its own settings once they are out of the way. */
export function withoutCaVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const { name } of CA_FILE_VARIABLES) delete out[name];
  return out;
}

/** The CA variables set in `ctx.env`, each with the certificates its file holds. */
export async function caVariables(ctx: Pick<Context, 'env'>): Promise<CaVariable[]> {
  const out: CaVariable[] = [];
  for (const { name, replaces } of CA_FILE_VARIABLES) {
    const path = ctx.env[name];
    if (!path) continue;
    const data = await readCaFile(path);
    out.push(
      typeof data === 'string'
        ? { name, path, replaces, certs: null, problem: data }
        : { name, path, replaces, certs: parseCerts(data, path).certs },
    );
  }
  return out;
}
