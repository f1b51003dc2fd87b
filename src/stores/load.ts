/**
 * Reading CA files and hashed directories into Certs, fast: results are cached by path + mtime, every PEM
 * block is decoded at most once per process (Debian's bundle and /etc/ssl/certs hold the same ~150 roots),
 * and certificates are only parsed by OpenSSL when something looks at them (core/cert.ts).
 *
 * Reads are synchronous: a CA file is one read of ~200 KB, and a hashed directory is many tiny files, for
 * which a thread-pool round trip per open/stat/read/close cost more than the reads (~50 ms for 150 links).
 */
import { opendirSync, type Stats, statSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_CA_FILE_BYTES } from '../bounded.ts';
import { type Cert, parseCerts, uniqueCerts } from '../core/cert.ts';
import { CertifixError } from '../core/errors.ts';
import { isKeystore, readKeystore } from '../core/keystore.ts';
import { type AnchorDir, type AnchorSource, type AnchorTable, TrustIndex } from '../core/trust-index.ts';
import { type NameInfo, nameHash } from '../core/verify/dn.ts';
import { checkedPath, readCheckedSync } from '../host-files.ts';
import type { TrustSource } from '../types.ts';
import { fileAnchors as indexedAnchors } from './bundle-index.ts';
import { mozillaAnchors, mozillaRoots } from './mozilla.ts';
import { parsePemCached } from './pem.ts';
import type { SystemStore } from './types.ts';

// Re-exported: the stores and their tests import it from here.
export { parsePemCached };

type Memo<T> = Map<string, { mtimeMs: number; size: number; value: T }>;

/**
 * A CA file's bytes, from a path host-files.ts `checkedPath` returned; throws for anything but a regular file.
 * CA files are named by variables and config files in HOME, so they are read only when they are regular files
 * (a FIFO in SSL_CERT_DIR would block the read forever, /dev/zero would fill memory) and at most
 * MAX_CA_FILE_BYTES. Symlinks are followed (/etc/ssl/certs is made of them), as root only those `ownedPath`
 * allows: a user's ~/corp.pem -> /root/secret.pem is not read under `sudo certifix`.
 */
function readCaFileSync(target: string): Buffer {
  return readCheckedSync(target, MAX_CA_FILE_BYTES);
}

/** A CA file's bytes, or undefined when it cannot be read (or, as root, lies behind a refused link). */
function caFileBytes(path: string): Buffer | undefined {
  const target = checkedPath(path);
  if (target === null) return undefined;
  try {
    return readCaFileSync(target);
  } catch {
    return undefined;
  }
}

const byPath: Memo<Cert[]> = new Map();
const anchorsByFile: Memo<Cert[] | AnchorTable> = new Map();

/**
 * What `read` makes of a file, once per version of it (size and mtime) per process, keyed by file identity:
 * /usr/lib/ssl/cert.pem and /etc/ssl/certs/ca-certificates.crt are one file on Debian. [] when unreadable,
 * not a regular file or past MAX_CA_FILE_BYTES.
 */
function perFile<T>(memo: Memo<T>, path: string, read: (target: string, st: Stats) => T, none: T): T {
  const target = checkedPath(path); // `path` itself, except as root (host-files.ts)
  if (target === null) return none;
  let st: Stats;
  try {
    st = statSync(target);
  } catch {
    return none;
  }
  if (!st.isFile() || st.size > MAX_CA_FILE_BYTES) return none;
  const key = `${st.dev}:${st.ino}`;
  const hit = memo.get(key);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.value;
  let value: T;
  try {
    value = read(target, st);
  } catch {
    value = none;
  }
  memo.set(key, { mtimeMs: st.mtimeMs, size: st.size, value });
  return value;
}

/**
 * A CA file's anchors for a TrustIndex: from the bundle index (stores/bundle-index.ts) when the file is a PEM
 * bundle or a Java keystore, so that only the certificates a lookup reaches are read and decoded.
 */
function fileAnchors(path: string): Cert[] | AnchorTable {
  return perFile(anchorsByFile, path, indexedAnchors, []);
}

/** readBundle without the promise: [] when the file cannot be read. */
export function readBundleSync(path: string): Cert[] {
  return perFile<Cert[]>(
    byPath,
    path,
    (target) => {
      const data = readCaFileSync(target);
      const text = data.toString('latin1');
      // A Java truststore (JKS or PKCS#12) is a CA store too: its certificates (core/keystore.ts).
      return text.includes('-----BEGIN')
        ? parsePemCached(text)
        : isKeystore(data)
          ? readKeystore(data).entries.map((e) => e.cert)
          : parseCerts(data, path).certs;
    },
    [],
  );
}

/** All certificates in a PEM bundle (or one DER certificate); [] when the file cannot be read. */
export async function readBundle(path: string): Promise<Cert[]> {
  return readBundleSync(path);
}

/** OpenSSL's by_dir lookup names files `<subject hash>.<n>` (and `.r<n>` for CRLs, which we skip). */
const HASH_NAME = /^[0-9a-f]{8}\.\d+$/i;

/**
 * A hashed directory is named by SSL_CERT_DIR (HOME's to set) or is the distro's /etc/ssl/certs (Debian: ~300
 * entries, ~150 certificate files of ~2 KB). Listing one stops at these bounds with an error that says so,
 * rather than reading a directory of millions of entries or gigabytes of files, or silently dropping roots.
 */
export const MAX_HASH_DIR_ENTRIES = 10_000;
export const MAX_HASH_DIR_BYTES = 32 * 1024 * 1024;

function hashDirTooLarge(dir: string, what: string): CertifixError {
  return new CertifixError('TOO_LARGE', `the CA directory ${dir} ${what}; refusing to read it`, {
    hint: 'point SSL_CERT_DIR at a directory of CA certificates (as `openssl rehash` leaves it), or unset it',
  });
}

/**
 * Every certificate in an OpenSSL hashed directory, for listing (what does the OS trust?): the `<hash>.N`
 * links when there are any, else every `*.pem` / `*.crt` file (a directory nobody has rehashed yet).
 * Verification does not need this: it asks `hashedDir(dir)` by name. [] when the directory cannot be
 * listed; throws TOO_LARGE past MAX_HASH_DIR_ENTRIES entries or MAX_HASH_DIR_BYTES of certificate files.
 */
export function readHashDirSync(dir: string): Cert[] {
  let st: ReturnType<typeof statSync>;
  let names: string[] = [];
  try {
    st = statSync(dir);
    // Listed entry by entry, so a huge directory is refused without holding all of its names.
    const d = opendirSync(dir);
    try {
      for (let e = d.readSync(); e !== null; e = d.readSync()) {
        if (names.length === MAX_HASH_DIR_ENTRIES)
          throw hashDirTooLarge(dir, `holds more than ${MAX_HASH_DIR_ENTRIES} entries`);
        names.push(e.name);
      }
    } finally {
      d.closeSync();
    }
  } catch (e) {
    if (e instanceof CertifixError) throw e;
    return [];
  }
  const key = `dir:${dir}`;
  const hit = byPath.get(key);
  if (hit && hit.mtimeMs === st.mtimeMs) return hit.value;
  let picked = names.filter((n) => HASH_NAME.test(n));
  if (picked.length === 0) picked = names.filter((n) => /\.(pem|crt|cer)$/i.test(n));
  names = picked.sort();
  let bytes = 0;
  for (const n of names) {
    bytes += statSync(join(dir, n), { throwIfNoEntry: false })?.size ?? 0;
    if (bytes > MAX_HASH_DIR_BYTES)
      throw hashDirTooLarge(
        dir,
        `holds more than ${MAX_HASH_DIR_BYTES / (1024 * 1024)} MB of certificate files`,
      );
  }
  const certs = uniqueCerts(names.flatMap((n) => readBundleSync(join(dir, n))));
  byPath.set(key, { mtimeMs: st.mtimeMs, size: 0, value: certs });
  return certs;
}

const dirs = new Map<string, AnchorDir>();

/**
 * A hashed directory searched the way OpenSSL's by_dir does (crypto/x509/by_dir.c `get_cert_by_subject`): for a
 * name, read `<X509_NAME_hash>.0`, `.1`, ... until one is missing or holds no certificate. A certificate whose
 * link is missing or misnamed is invisible to OpenSSL, so it is to the verdict too.
 */
export function hashedDir(dir: string): AnchorDir {
  let d = dirs.get(dir);
  if (!d) {
    const byHash = new Map<string, Cert[]>();
    d = {
      filedUnder(name: NameInfo): Cert[] {
        const h = nameHash(name);
        let certs = byHash.get(h);
        if (!certs) {
          certs = [];
          // Bounded like a listing: a directory of <hash>.0 ... <hash>.99999 is not read to its end.
          for (let n = 0; n < MAX_HASH_DIR_ENTRIES; n++) {
            const pem = caFileBytes(join(dir, `${h}.${n}`))?.toString('latin1'); // by_dir reads PEM
            const found = pem === undefined ? [] : parsePemCached(pem);
            if (found.length === 0) break;
            certs.push(...found);
          }
          byHash.set(h, certs);
        }
        return certs;
      },
    };
    dirs.set(dir, d);
  }
  return d;
}

/** The anchors a trust source resolves to, listed: its files, its hashed directories, and Node's bundled roots. */
export async function loadTrust(source: TrustSource): Promise<Cert[]> {
  const files = source.files.map(readBundleSync);
  const fromDirs = source.dirs.map(readHashDirSync);
  const bundled = source.bundled ? mozillaRoots() : [];
  return uniqueCerts([...bundled, ...files.flat(), ...fromDirs.flat()]);
}

const indexes = new Map<string, TrustIndex>();

/**
 * The anchors of a trust source as a TrustIndex, for verification: files and bundled roots read now, hashed
 * directories searched by name when the verifier asks (OpenSSL's order: CA file first, then by_dir). One index
 * per distinct source per process, so clients sharing a bundle share its index and the verifier's caches.
 */
export function trustIndex(source: Pick<TrustSource, 'files' | 'dirs' | 'bundled'>): TrustIndex {
  const files = source.files.map((f) => [f, statMtime(f)] as const);
  const key = JSON.stringify([files, source.dirs, source.bundled ?? false]);
  let index = indexes.get(key);
  if (!index) {
    const parts = [...(source.bundled ? [mozillaAnchors()] : []), ...source.files.map(fileAnchors)];
    index = new TrustIndex(parts.flatMap(anchorSources), source.dirs.map(hashedDir));
    indexes.set(key, index);
  }
  return index;
}

/** A CA file's anchors as TrustIndex takes them: its certificates, or its index as one table. */
const anchorSources = (p: Cert[] | AnchorTable): AnchorSource[] => (Array.isArray(p) ? p : [p]);

function statMtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

/**
 * The OS store as a TrustIndex. A store with hashed directories is OpenSSL's (its files are CA files): its
 * directories are searched by name rather than listed; other platforms' stores are plain lists.
 */
export function systemTrustIndex(store: SystemStore): TrustIndex {
  if (store.dirs.length > 0) return trustIndex({ files: store.files, dirs: store.dirs });
  return new TrustIndex(store.certs);
}
