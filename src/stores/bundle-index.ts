/**
 * An index of each CA file kept between runs, so that diagnosis neither reads nor decodes ~150 roots to ask
 * about two: per certificate its sha256, its subject key (the canonical name OpenSSL compares) and where its
 * bytes lie in the file (a PEM body, or the DER inside a Java keystore). A TrustIndex searches it (an
 * AnchorTable): a question about one sha256 or one subject key finds its rows in the index file's bytes and
 * parses those rows alone; a certificate is read and decoded only when a lookup reaches it, and what was read
 * must have the sha256 indexed. The file is one JSON line of header, then one JSON line per certificate:
 * `["<sha256>","<subject key>",start,end]`.
 *
 * Kept under $XDG_CACHE_HOME/certifix/bundles-v3/ (stores/user-cache.ts: our own tree only, no symlinks,
 * bounded), one file per CA file, used only for the same version of the file: same path, device, inode, size,
 * mtime and ctime. A rewritten file changes its ctime (no program can set it back), and an index is written
 * only for a file whose ctime is older than RACY_MS (a file changed twice within one timestamp tick would
 * otherwise look unchanged: git's "racy clean"). Node's bundled roots are keyed by the Node binary (its path,
 * inode, size and times) and version. The index's shape and bounds are checked before use; any problem means
 * decoding the file as before, silently. Off unless `enableBundleIndex(env)` was called: the CLI turns it on
 * with its environment; a library user's process writes nothing under HOME.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, type Stats, statSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_CA_FILE_BYTES } from '../bounded.ts';
import { type Cert, parseCerts } from '../core/cert.ts';
import { subjectKey } from '../core/extensions.ts';
import { isKeystore, readKeystore } from '../core/keystore.ts';
import type { AnchorTable } from '../core/trust-index.ts';
import { checkedOpenFlags, readCheckedSync } from '../host-files.ts';
import { IndexTable, type Kind, NL, type Row } from './index-table.ts';
import { certOfPemBody, pemBodies } from './pem.ts';
import { cacheRoot, makeRoom, readCacheFile, settled, writeCacheFile } from './user-cache.ts';

const FORMAT = 3;
/** Index files: ~100 bytes a certificate; a 4 MB bundle (the largest certifix reads) stays far below. */
const MAX_INDEX_BYTES = 4 * 1024 * 1024;
const MAX_ROWS = 20_000;
/** Distinct files indexed at most; past it the index written longest ago makes room (user-cache.ts makeRoom). */
const MAX_FILES = 64;

let cacheEnv: NodeJS.ProcessEnv | null = null;

/** Use (and write) the on-disk index from now on in this process, under the cache `env` names; null: off. */
export function enableBundleIndex(env: NodeJS.ProcessEnv | null): void {
  cacheEnv = env;
}

/** The first line of an index file. */
interface Header {
  format: number;
  stamp: string;
  kind: Kind;
  /** how many rows follow, one a line (IndexTable reads no more) */
  rows: number;
  /**
   * The byte length of those lines: a file cut short or grown is made again. (Counting the lines instead
   * cost a call of Buffer#indexOf a row, a thousand a run.) An index written before this field was kept
   * lacks it, and is made again once.
   */
  bytes: number;
}

/** One version of a file, as one string: path, device, inode, size, mtime, ctime. */
function stampOf(path: string, st: Stats): string {
  return JSON.stringify([path, st.dev, st.ino, st.size, st.mtimeMs, st.ctimeMs]);
}

/**
 * The anchors of the CA file at `path` (whose stat is `st`): its index, searched, when it was made from this
 * version of the file, else every certificate decoded now (and the index written for the next run). `path` is
 * one host-files.ts `checkedPath` returned (load.ts): it is read, now and for each row later, as such.
 */
export function fileAnchors(path: string, st: Stats): Cert[] | AnchorTable {
  const stamp = stampOf(path, st);
  const file = indexFile(stamp);
  const cached = file ? readIndex(file, stamp, st.size, (row) => sliceOf(path, row)) : null;
  if (cached) return cached;
  const data = readCheckedSync(path, MAX_CA_FILE_BYTES);
  const decoded = decodeFile(data, path);
  if (file && decoded.rows && settled(st)) write(file, stamp, decoded.kind, decoded.rows);
  return decoded.certs;
}

/** The anchors of `text()` (Node's bundled roots), known by `id`: read only for the rows a lookup reaches. */
export function textAnchors(id: string, text: () => string): Cert[] | AnchorTable {
  const file = indexFile(id);
  const cached = file
    ? readIndex(file, id, Number.MAX_SAFE_INTEGER, (row) => text().slice(row[2], row[3]))
    : null;
  if (cached?.kind === 'pem') return cached;
  const { certs, rows } = decodePem(text());
  if (file) write(file, id, 'pem', rows);
  return certs;
}

function indexFile(stamp: string): string | null {
  const root = cacheEnv ? cacheRoot(cacheEnv) : null;
  return root && join(root, `bundles-v${FORMAT}`, `${sha256(stamp).slice(0, 32)}.jsonl`);
}

function write(file: string, stamp: string, kind: Kind, rows: Row[]): void {
  if (rows.length > MAX_ROWS || !makeRoom(file, MAX_FILES)) return;
  const lines: string[] = [];
  for (let i = 0; i < rows.length; i++) lines.push(JSON.stringify(rows[i]));
  const body = lines.length > 0 ? `${lines.join('\n')}\n` : '';
  const header: Header = { format: FORMAT, stamp, kind, rows: rows.length, bytes: Buffer.byteLength(body) };
  writeCacheFile(file, `${JSON.stringify(header)}\n${body}`);
}

/** Every certificate of a CA file, and the rows of its index (null: a kind of file that is not indexed). */
function decodeFile(data: Buffer, path: string): { certs: Cert[]; kind: Kind; rows: Row[] | null } {
  const text = data.toString('latin1'); // one byte a character: offsets in the text are offsets in the file
  if (text.includes('-----BEGIN')) return { kind: 'pem', ...decodePem(text) };
  if (!isKeystore(data)) return { certs: parseCerts(data, path).certs, kind: 'der', rows: null };
  // A Java truststore: each certificate's DER lies as is in the file, in entry order.
  let from = 0;
  const certs: Cert[] = [];
  const rows: Row[] = [];
  try {
    for (const { cert } of readKeystore(data).entries) {
      certs.push(cert);
      const at = data.indexOf(cert.der, from);
      if (at < 0) return { certs: readKeystore(data).entries.map((e) => e.cert), kind: 'der', rows: null };
      rows.push([cert.sha256, keyOf(cert), at, at + cert.der.length]);
      from = at + cert.der.length;
    }
  } catch {
    return { certs: [], kind: 'der', rows: null }; // unreadable, as before: no anchors
  }
  return { certs, kind: 'der', rows };
}

function decodePem(text: string): { certs: Cert[]; rows: Row[] } {
  const certs: Cert[] = [];
  const rows: Row[] = [];
  for (const { body, start, end } of pemBodies(text)) {
    const c = certOfPemBody(body);
    if (!c) continue;
    certs.push(c);
    rows.push([c.sha256, keyOf(c), start, end]);
  }
  return { certs, rows };
}

function keyOf(c: Cert): string | null {
  try {
    return subjectKey(c);
  } catch {
    return null;
  }
}

/** The bytes a row points at, read now (a few hundred bytes), or undefined when the file cannot be read. */
function sliceOf(path: string, [, , start, end]: Row): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, checkedOpenFlags());
    const buf = Buffer.alloc(end - start);
    return readSync(fd, buf, 0, buf.length, start) === buf.length ? buf : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The index in `file` when it was made for `stamp` by this format; its rows are read as asked. */
function readIndex(
  file: string,
  stamp: string,
  size: number,
  read: (row: Row) => Buffer | string | undefined,
): IndexTable | null {
  const data = readCacheFile(file, MAX_INDEX_BYTES);
  const nl = data ? data.indexOf(NL) : -1;
  if (!data || nl < 0) return null;
  let header: Partial<Header>;
  try {
    header = JSON.parse(data.toString('utf8', 0, nl));
  } catch {
    return null;
  }
  if (
    header?.format !== FORMAT ||
    header.stamp !== stamp ||
    (header.kind !== 'pem' && header.kind !== 'der') ||
    !Number.isSafeInteger(header.rows) ||
    (header.rows as number) > MAX_ROWS ||
    // Whole: as many bytes as the header says, the last line ended (a truncated index is made again).
    header.bytes !== data.length - nl - 1 ||
    data[data.length - 1] !== NL
  )
    return null;
  return new IndexTable(data, nl + 1, header.rows as number, header.kind, size, read);
}

/** Node's binary, as a stamp: its bundled roots are part of it. */
export function nodeStamp(): string {
  try {
    return `node-bundled:${process.version}:${stampOf(process.execPath, statSync(process.execPath))}`;
  } catch {
    return `node-bundled:${process.version}:${process.execPath}`;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
