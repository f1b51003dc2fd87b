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
import { type Cert, certFromDer, parseCerts } from '../core/cert.ts';
import { subjectKey } from '../core/extensions.ts';
import { isKeystore, readKeystore } from '../core/keystore.ts';
import type { AnchorTable, IndexedAnchor } from '../core/trust-index.ts';
import { checkedOpenFlags, readCheckedSync } from '../host-files.ts';
import { certOfPemBody, pemBodies } from './pem.ts';
import { cacheRoot, hasRoom, readCacheFile, settled, writeCacheFile } from './user-cache.ts';

const FORMAT = 3;
/** Index files: ~100 bytes a certificate; a 4 MB bundle (the largest certifix reads) stays far below. */
const MAX_INDEX_BYTES = 4 * 1024 * 1024;
const MAX_ROWS = 20_000;
/** Distinct files indexed at most; past it nothing new is written (the directory cannot grow unbounded). */
const MAX_FILES = 64;

let cacheEnv: NodeJS.ProcessEnv | null = null;

/** Use (and write) the on-disk index from now on in this process, under the cache `env` names; null: off. */
export function enableBundleIndex(env: NodeJS.ProcessEnv | null): void {
  cacheEnv = env;
}

/** [sha256 of the certificate, subject key or null, start, end of its bytes in the file or text] */
type Row = [string, string | null, number, number];

/** How a row's bytes are a certificate: a PEM body (base64) or DER. */
type Kind = 'pem' | 'der';

/** The first line of an index file. */
interface Header {
  format: number;
  stamp: string;
  kind: Kind;
  /** how many rows follow, one a line */
  rows: number;
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
  if (file && decoded.rows && settled(st))
    write(file, { format: FORMAT, stamp, kind: decoded.kind, rows: 0 }, decoded.rows);
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
  if (file) write(file, { format: FORMAT, stamp: id, kind: 'pem', rows: 0 }, rows);
  return certs;
}

function indexFile(stamp: string): string | null {
  const root = cacheEnv ? cacheRoot(cacheEnv) : null;
  return root && join(root, `bundles-v${FORMAT}`, `${sha256(stamp).slice(0, 32)}.jsonl`);
}

function write(file: string, header: Header, rows: Row[]): void {
  if (rows.length > MAX_ROWS || !hasRoom(file, MAX_FILES)) return;
  const lines = [JSON.stringify({ ...header, rows: rows.length })];
  for (let i = 0; i < rows.length; i++) lines.push(JSON.stringify(rows[i]));
  writeCacheFile(file, `${lines.join('\n')}\n`);
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

/** Where the rows of one index read their bytes: shared by the rows (an index has a few hundred). */
interface RowSource {
  kind: Kind;
  bytes(row: Row): Buffer | string | undefined;
}

/** A row of an index as an anchor: one small object a row, decoded only when a lookup reaches it. */
class RowAnchor implements IndexedAnchor {
  constructor(
    private readonly row: Row,
    private readonly src: RowSource,
  ) {}

  get sha256(): string {
    return this.row[0];
  }

  get key(): string | null {
    return this.row[1];
  }

  load(): Cert | undefined {
    const b = this.src.bytes(this.row);
    if (b === undefined) return undefined;
    let c: Cert | null;
    try {
      c =
        this.src.kind === 'pem'
          ? certOfPemBody(typeof b === 'string' ? b : b.toString('latin1'))
          : certFromDer(b as Buffer);
    } catch {
      c = null;
    }
    // Only the certificate indexed: the file may have changed since (then the lookup finds nothing there).
    return c && c.sha256 === this.row[0] ? c : undefined;
  }
}

const NL = 0x0a;
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * An index file searched in its bytes: a sha256 is found as the start of a line (`["<sha256>",`), a subject
 * key as the JSON string after a sha256 (`","<key>",` with JSON's escapes, as JSON.stringify wrote them); a
 * line found is parsed and checked as a whole, so a match elsewhere in a line answers nothing. A row that is
 * not one this code wrote is skipped: its certificate is then not found, which can fail a verdict but never
 * trust anything (and a row's bytes must still hash to its sha256 when loaded).
 */
class IndexTable implements AnchorTable, RowSource {
  private readonly byKey = new Map<string, RowAnchor[]>();
  private everything: RowAnchor[] | undefined;

  constructor(
    private readonly data: Buffer,
    /** where the first row begins (after the header's newline) */
    private readonly from: number,
    readonly kind: Kind,
    private readonly size: number,
    private readonly read: (row: Row) => Buffer | string | undefined,
  ) {}

  bytes(row: Row): Buffer | string | undefined {
    return this.read(row);
  }

  hasSha256(sha256: string): boolean {
    if (!HEX64.test(sha256)) return false;
    const needle = `["${sha256}",`;
    for (
      let at = this.data.indexOf(needle, this.from, 'latin1');
      at >= 0;
      at = this.data.indexOf(needle, at + 1, 'latin1')
    )
      if (this.data[at - 1] === NL && this.rowAt(at)?.[0] === sha256) return true;
    return false;
  }

  withKey(key: string): readonly IndexedAnchor[] {
    let found = this.byKey.get(key);
    if (!found) {
      found = [];
      const needle = Buffer.from(`",${JSON.stringify(key)},`, 'utf8');
      for (let at = this.data.indexOf(needle, this.from); at >= 0; at = this.data.indexOf(needle, at + 1)) {
        const row = this.rowAt(at);
        if (row?.[1] === key) found.push(new RowAnchor(row, this));
      }
      this.byKey.set(key, found);
    }
    return found;
  }

  all(): readonly IndexedAnchor[] {
    if (!this.everything) {
      this.everything = [];
      for (let start = this.from; start < this.data.length; ) {
        const end = this.data.indexOf(NL, start);
        const row = this.parse(start, end < 0 ? this.data.length : end);
        if (row) this.everything.push(new RowAnchor(row, this));
        if (end < 0) break;
        start = end + 1;
      }
    }
    return this.everything;
  }

  /** The row on the line holding byte `at`, when it is one. */
  private rowAt(at: number): Row | undefined {
    const start = this.data.lastIndexOf(NL, at) + 1;
    const end = this.data.indexOf(NL, at);
    return start < this.from ? undefined : this.parse(start, end < 0 ? this.data.length : end);
  }

  private parse(start: number, end: number): Row | undefined {
    try {
      const row: unknown = JSON.parse(this.data.toString('utf8', start, end));
      return validRow(row, this.size) ? row : undefined;
    } catch {
      return undefined;
    }
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
    (header.rows as number) > MAX_ROWS
  )
    return null;
  return new IndexTable(data, nl + 1, header.kind, size, read);
}

/** A certificate is at most 256 kB here: a row's span past that is not one this code wrote. */
const MAX_SPAN = 256 * 1024;

function validRow(r: unknown, size: number): r is Row {
  if (!Array.isArray(r) || r.length !== 4) return false;
  const sha: unknown = r[0];
  const key: unknown = r[1];
  const start: unknown = r[2];
  const end: unknown = r[3];
  // A sha256 that is not one only never matches a certificate: its length is check enough.
  return (
    typeof sha === 'string' &&
    sha.length === 64 &&
    (key === null || (typeof key === 'string' && key.length <= 65_536)) &&
    Number.isSafeInteger(start) &&
    Number.isSafeInteger(end) &&
    (start as number) >= 0 &&
    (start as number) < (end as number) &&
    (end as number) - (start as number) <= MAX_SPAN &&
    (end as number) <= size
  );
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
