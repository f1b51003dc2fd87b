/**
 * An index of a PEM CA bundle kept between runs, so that diagnosis does not decode ~150 roots to ask about two:
 * per certificate its sha256, its subject key (the canonical name OpenSSL compares) and where its PEM body lies
 * in the file. A TrustIndex built from it decodes a certificate only when a lookup reaches it.
 *
 * Kept under $XDG_CACHE_HOME/certifix/bundles-v1/ (stores/user-cache.ts: our own tree only, no symlinks,
 * bounded), one file per bundle, keyed by its path, size and mtime. The contents are checked before use: the
 * format, every row's shape and bounds, and the sha256 of the bundle's bytes the index was made from, so an
 * index never answers for other bytes (a file rewritten within one mtime tick, a truncated cache file). Any
 * problem means decoding the bundle as before, silently. Off unless `enableBundleIndex(env)` was called: the
 * CLI turns it on with its environment; a library user's process writes nothing under HOME.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Cert } from '../core/cert.ts';
import { subjectKey } from '../core/extensions.ts';
import type { IndexedAnchor } from '../core/trust-index.ts';
import { certOfPemBody, pemBodies } from './pem.ts';
import { cacheRoot, readCacheFile, writeCacheFile } from './user-cache.ts';

const FORMAT = 1;
/** Index files: ~100 bytes a certificate; a 4 MB bundle (the largest certifix reads) stays far below. */
const MAX_INDEX_BYTES = 4 * 1024 * 1024;
const MAX_ROWS = 20_000;
/** Distinct bundles indexed at most; past it nothing new is written (the directory cannot grow unbounded). */
const MAX_FILES = 64;

let cacheEnv: NodeJS.ProcessEnv | null = null;

/** Use (and write) the on-disk index from now on in this process, under the cache `env` names; null: off. */
export function enableBundleIndex(env: NodeJS.ProcessEnv | null): void {
  cacheEnv = env;
}

/** [sha256 of the certificate, subject key or null, start, end of its PEM body in the text] */
type Row = [string, string | null, number, number];

interface IndexDoc {
  format: number;
  id: string;
  size: number;
  mtimeMs: number;
  sha256: string;
  rows: Row[];
}

/** What identifies a bundle's version: its path (or a name for a built-in list), size and mtime. */
interface BundleStamp {
  id: string;
  size: number;
  mtimeMs: number;
}

/**
 * The anchors of PEM `text`: rows of the cached index when it was made from exactly these bytes, else every
 * certificate decoded now (and the index written for the next run).
 */
export function pemAnchors(text: string, stamp: BundleStamp): Array<Cert | IndexedAnchor> {
  const root = cacheEnv ? cacheRoot(cacheEnv) : null;
  if (!root) return decode(text).certs;
  const file = join(root, `bundles-v${FORMAT}`, `${sha256(stamp.id).slice(0, 32)}.json`);
  const digest = sha256(text);
  const cached = readIndex(file, stamp, digest, text.length);
  if (cached) return cached.map((row) => anchor(text, row));
  const { certs, rows } = decode(text);
  if (rows.length <= MAX_ROWS && room(file)) {
    const doc: IndexDoc = { format: FORMAT, ...stamp, sha256: digest, rows };
    writeCacheFile(file, JSON.stringify(doc));
  }
  return certs;
}

function decode(text: string): { certs: Cert[]; rows: Row[] } {
  const certs: Cert[] = [];
  const rows: Row[] = [];
  for (const { body, start, end } of pemBodies(text)) {
    const c = certOfPemBody(body);
    if (!c) continue;
    let key: string | null;
    try {
      key = subjectKey(c);
    } catch {
      key = null;
    }
    certs.push(c);
    rows.push([c.sha256, key, start, end]);
  }
  return { certs, rows };
}

function anchor(text: string, [sha, key, start, end]: Row): IndexedAnchor {
  return {
    sha256: sha,
    key,
    load() {
      const c = certOfPemBody(text.slice(start, end));
      return c && c.sha256 === sha ? c : undefined;
    },
  };
}

function readIndex(file: string, stamp: BundleStamp, digest: string, length: number): Row[] | null {
  const data = readCacheFile(file, MAX_INDEX_BYTES);
  if (!data) return null;
  let doc: Partial<IndexDoc>;
  try {
    doc = JSON.parse(data.toString('utf8'));
  } catch {
    return null;
  }
  if (
    doc?.format !== FORMAT ||
    doc.id !== stamp.id ||
    doc.size !== stamp.size ||
    doc.mtimeMs !== stamp.mtimeMs ||
    doc.sha256 !== digest ||
    !Array.isArray(doc.rows) ||
    doc.rows.length > MAX_ROWS
  )
    return null;
  for (const r of doc.rows as unknown[]) if (!validRow(r, length)) return null;
  return doc.rows;
}

function validRow(r: unknown, length: number): r is Row {
  if (!Array.isArray(r) || r.length !== 4) return false;
  const [sha, key, start, end] = r as unknown[];
  return (
    typeof sha === 'string' &&
    /^[0-9a-f]{64}$/.test(sha) &&
    (key === null || (typeof key === 'string' && key.length <= 65_536)) &&
    Number.isSafeInteger(start) &&
    Number.isSafeInteger(end) &&
    (start as number) >= 0 &&
    (start as number) < (end as number) &&
    (end as number) <= length
  );
}

/** False when the directory already holds MAX_FILES indexes (an existing one may still be rewritten). */
function room(file: string): boolean {
  try {
    const names = readdirSync(join(file, '..'));
    return names.length < MAX_FILES || names.includes(file.slice(file.lastIndexOf('/') + 1));
  } catch {
    return true; // not created yet
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'latin1').digest('hex');
}
