/**
 * Reading CA files and hashed directories into Certs, fast: results are cached by path + mtime, and every PEM
 * block is parsed at most once per process (Debian's bundle and /etc/ssl/certs hold the same ~150 roots).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { TrustSource } from '../clients/types.ts';
import { type Cert, certFromDer, parseCerts, uniqueCerts } from '../core/cert.ts';
import { mozillaRoots } from './mozilla.ts';

const PEM_RE =
  /-----BEGIN (?:TRUSTED |X509 )?CERTIFICATE-----([\s\S]*?)-----END (?:TRUSTED |X509 )?CERTIFICATE-----/g;
const byBody = new Map<string, Cert | null>();
const byPath = new Map<string, { mtimeMs: number; size: number; certs: Cert[] }>();

/** Parse PEM text, reusing certificates already parsed anywhere in this process. */
export function parsePemCached(text: string): Cert[] {
  if (!text.includes('-----BEGIN')) return [];
  const out: Cert[] = [];
  for (const m of text.matchAll(PEM_RE)) {
    const body = (m[1] ?? '').replace(/\s+/g, '');
    let c = byBody.get(body);
    if (c === undefined) {
      try {
        c = certFromDer(Buffer.from(body, 'base64'));
      } catch {
        c = null; // skipped, as OpenSSL skips what it cannot read in a CA file
      }
      byBody.set(body, c);
    }
    if (c) out.push(c);
  }
  return out;
}

/** All certificates in a PEM bundle (or one DER certificate); [] when the file cannot be read. */
export async function readBundle(path: string): Promise<Cert[]> {
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(path);
  } catch {
    return [];
  }
  const hit = byPath.get(path);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.certs;
  let certs: Cert[] = [];
  try {
    const data = await readFile(path);
    const text = data.toString('latin1');
    certs = text.includes('-----BEGIN') ? parsePemCached(text) : parseCerts(data, path).certs;
  } catch {
    certs = [];
  }
  byPath.set(path, { mtimeMs: st.mtimeMs, size: st.size, certs });
  return certs;
}

/** OpenSSL's by_dir lookup names files `<subject hash>.<n>` (and `.r<n>` for CRLs, which we skip). */
const HASH_NAME = /^[0-9a-f]{8}\.\d+$/i;

/**
 * Certificates in an OpenSSL hashed directory: the `<hash>.N` links when there are any (that is all OpenSSL
 * reads), else every `*.pem` / `*.crt` file (a directory nobody has rehashed yet).
 */
export async function readHashDir(dir: string): Promise<Cert[]> {
  let st: Awaited<ReturnType<typeof stat>>;
  let names: string[];
  try {
    st = await stat(dir);
    names = await readdir(dir);
  } catch {
    return [];
  }
  const key = `dir:${dir}`;
  const hit = byPath.get(key);
  if (hit && hit.mtimeMs === st.mtimeMs) return hit.certs;
  let picked = names.filter((n) => HASH_NAME.test(n));
  if (picked.length === 0) picked = names.filter((n) => /\.(pem|crt|cer)$/i.test(n));
  const lists = await Promise.all(picked.sort().map((n) => readBundle(join(dir, n))));
  const certs = uniqueCerts(lists.flat());
  byPath.set(key, { mtimeMs: st.mtimeMs, size: 0, certs });
  return certs;
}

/**
 * True when `dir` holds the same roots as `file`, so reading its ~150 links (30 ms on a slow disk) can be
 * skipped: Debian's update-ca-certificates writes /etc/ssl/certs/ca-certificates.crt and the links in
 * /etc/ssl/certs in one run (same count, mtimes seconds apart). A root added later with c_rehash changes the
 * count or the directory's mtime, and then the directory is read.
 */
export async function dirCoveredBy(dir: string, file: string): Promise<boolean> {
  if (dirname(file) !== dir.replace(/\/+$/, '')) return false; // only the bundle that lives in the directory
  try {
    const [ds, fs, names, certs] = await Promise.all([stat(dir), stat(file), readdir(dir), readBundle(file)]);
    const links = names.filter((n) => HASH_NAME.test(n)).length;
    return links > 0 && links === certs.length && Math.abs(ds.mtimeMs - fs.mtimeMs) < 120_000;
  } catch {
    return false;
  }
}

/** Read the directories that the files do not already cover. */
export async function readDirs(dirs: readonly string[], files: readonly string[]): Promise<Cert[]> {
  const lists = await Promise.all(
    dirs.map(async (d) => {
      for (const f of files) if (await dirCoveredBy(d, f)) return [];
      return readHashDir(d);
    }),
  );
  return lists.flat();
}

/** The anchors a trust source resolves to: its files, its hashed directories, and Node's bundled roots. */
export async function loadTrust(source: TrustSource): Promise<Cert[]> {
  const files = await Promise.all(source.files.map(readBundle));
  const dirs = [await readDirs(source.dirs, source.files)];
  const bundled = source.bundled ? mozillaRoots() : [];
  return uniqueCerts([...bundled, ...files.flat(), ...dirs.flat()]);
}

/** Forget cached reads (tests that rewrite a file within the same mtime tick). */
export function clearLoadCache(): void {
  byPath.clear();
}
