/**
 * The on-disk index of CA files: written under the user's cache for a file whose last change is settled, used
 * only for exactly that version of the file (path, inode, size, mtime, ctime), and ignored (never followed,
 * never trusted) when it is garbage, a symlink or someone else's.
 */
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  type Stats,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Cert } from '../../src/core/cert.ts';
import { certInfo } from '../../src/core/extensions.ts';
import { entriesFor, writeJks } from '../../src/core/keystore.ts';
import { type AnchorTable, TrustIndex } from '../../src/core/trust-index.ts';
import { enableBundleIndex, fileAnchors, textAnchors } from '../../src/stores/bundle-index.ts';
import { parsePemCached } from '../../src/stores/pem.ts';
import { RACY_MS } from '../../src/stores/user-cache.ts';

const text = tls.rootCertificates.slice(0, 30).join('\n');
const isRoot = process.getuid?.() === 0;
let dir: string;
let pem: string;
let jks: string;
let fresh: string;

function home(): string {
  return mkdtempSync(join(tmpdir(), 'certifix-bi-'));
}
function indexDir(h: string): string {
  return join(h, '.cache', 'certifix', 'bundles-v3');
}
/** Decoded now (a list of certificates), or searched in the index (a table). */
const decoded = (anchors: Cert[] | AnchorTable): anchors is Cert[] => Array.isArray(anchors);
const listed = (anchors: Cert[] | AnchorTable) => (Array.isArray(anchors) ? anchors : anchors.all());
const sources = (anchors: Cert[] | AnchorTable) => (Array.isArray(anchors) ? anchors : [anchors]);
const anchorsOf = (path: string, st: Stats = statSync(path)) => fileAnchors(path, st);

// Files whose last change is older than RACY_MS, as CA bundles on a machine are: the index is written for them.
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'certifix-bi-files-'));
  pem = join(dir, 'bundle.pem');
  writeFileSync(pem, text);
  jks = join(dir, 'cacerts');
  writeFileSync(jks, writeJks(entriesFor(parsePemCached(text))));
  await new Promise((r) => setTimeout(r, RACY_MS + 100));
  fresh = join(dir, 'fresh.pem');
  writeFileSync(fresh, text);
}, RACY_MS + 5000);

afterEach(() => enableBundleIndex(null));

describe('bundle index', () => {
  it('is written on a first read and answers the next one without reading the file', () => {
    const h = home();
    enableBundleIndex({ HOME: h });
    const first = anchorsOf(pem);
    expect(decoded(first)).toBe(true);
    const [file] = readdirSync(indexDir(h));
    expect(file).toMatch(/^[0-9a-f]{32}\.jsonl$/);
    const second = anchorsOf(pem);
    expect(decoded(second)).toBe(false);
    expect(listed(second).map((a) => a.sha256)).toEqual(listed(first).map((a) => a.sha256));
    // The same answers as an index of the decoded certificates.
    const lazy = new TrustIndex(sources(second));
    const eager = new TrustIndex(parsePemCached(text));
    for (const c of listed(first) as Cert[]) {
      expect(lazy.has(c)).toBe(true);
      expect(lazy.bySubject(certInfo(c).subject).map((x) => x.sha256)).toEqual(
        eager.bySubject(certInfo(c).subject).map((x) => x.sha256),
      );
    }
    expect(lazy.size).toBe(eager.size);
  });

  it('indexes a Java keystore: the DER of each entry, read when a lookup reaches it', () => {
    const h = home();
    enableBundleIndex({ HOME: h });
    const first = anchorsOf(jks);
    expect(decoded(first)).toBe(true);
    const second = anchorsOf(jks);
    expect(decoded(second)).toBe(false);
    const lazy = new TrustIndex(sources(second));
    for (const c of listed(first) as Cert[])
      expect(lazy.bySubject(certInfo(c).subject)[0]?.sha256).toBe(c.sha256);
  });

  it('is not written for a file changed within RACY_MS, nor used for another version of the file', () => {
    const h = home();
    enableBundleIndex({ HOME: h });
    anchorsOf(fresh);
    expect(existsSync(indexDir(h))).toBe(false);
    anchorsOf(pem);
    const st = statSync(pem);
    for (const other of [{ ctimeMs: st.ctimeMs + 1 }, { size: st.size - 1 }, { ino: st.ino + 1 }])
      expect(decoded(fileAnchors(pem, { ...st, ...other } as Stats))).toBe(true);
    expect(decoded(anchorsOf(pem))).toBe(false);
  });

  it('returns nothing for a row whose bytes are no longer the certificate indexed', () => {
    const h = home();
    enableBundleIndex({ HOME: h });
    const copy = join(dir, 'copy.pem');
    writeFileSync(copy, text);
    const st = statSync(copy);
    anchorsOf(copy, { ...st, ctimeMs: 0 } as Stats); // as if settled
    const rows = fileAnchors(copy, { ...st, ctimeMs: 0 } as Stats);
    expect(decoded(rows)).toBe(false);
    // Rewritten behind the index's back (the stamp given is the old one): the lookup finds nothing there.
    writeFileSync(copy, tls.rootCertificates.slice(30, 60).join('\n'));
    const index = new TrustIndex(sources(rows));
    const c = parsePemCached(text)[0] as Cert;
    expect(index.bySubject(certInfo(c).subject)).toEqual([]);
  });

  it('keys the bundled roots by the id given, and reads their text only for a lookup', () => {
    const h = home();
    enableBundleIndex({ HOME: h });
    let reads = 0;
    const get = () => {
      reads++;
      return text;
    };
    expect(decoded(textAnchors('node-test', get))).toBe(true);
    reads = 0;
    const rows = textAnchors('node-test', get);
    expect(decoded(rows)).toBe(false);
    expect(reads).toBe(0);
    const c = parsePemCached(text)[3] as Cert;
    expect(new TrustIndex(sources(rows)).bySubject(certInfo(c).subject)[0]?.sha256).toBe(c.sha256);
    expect(reads).toBeGreaterThan(0);
    expect(decoded(textAnchors('node-other', get))).toBe(true);
  });

  it('ignores an index whose header is garbage or of another file, and rewrites it', () => {
    const h = home();
    enableBundleIndex({ HOME: h });
    anchorsOf(pem);
    const file = join(indexDir(h), readdirSync(indexDir(h))[0] as string);
    const good = readFileSync(file, 'utf8');
    const [header, ...rows] = good.split('\n');
    const other = JSON.stringify({ ...JSON.parse(header as string), stamp: 'another file' });
    for (const bad of ['{', '[]', 'null\n', '', [other, ...rows].join('\n')]) {
      writeFileSync(file, bad);
      expect(decoded(anchorsOf(pem))).toBe(true);
      expect(readFileSync(file, 'utf8')).toBe(good);
    }
  });

  it('makes a truncated or grown index again (fewer or more bytes than its header says, a last line cut short)', () => {
    const h = home();
    enableBundleIndex({ HOME: h });
    anchorsOf(pem);
    const file = join(indexDir(h), readdirSync(indexDir(h))[0] as string);
    const good = readFileSync(file, 'utf8');
    const lines = good.split('\n');
    for (const bad of [`${lines.slice(0, -3).join('\n')}\n`, good.slice(0, -20), `${good}${lines[1]}\n`]) {
      writeFileSync(file, bad);
      expect(decoded(anchorsOf(pem))).toBe(true);
      expect(readFileSync(file, 'utf8')).toBe(good);
    }
  });

  it('answers nothing from a row that is not one it wrote, and the rest as before', () => {
    const h = home();
    enableBundleIndex({ HOME: h });
    anchorsOf(pem);
    const file = join(indexDir(h), readdirSync(indexDir(h))[0] as string);
    const [header, first, second, ...rest] = readFileSync(file, 'utf8').split('\n') as string[];
    const [sha, key] = JSON.parse(first as string);
    const [sha2, key2] = JSON.parse(second as string);
    // the first row's span past the file's end; the second row's key repeated inside a line of garbage
    const planted = [JSON.stringify([sha, key, 0, 1e9]), `x${JSON.stringify([sha2, key2, 0, 10])}`, ...rest];
    const body = planted.join('\n');
    const bytes = Buffer.byteLength(body);
    writeFileSync(file, `${JSON.stringify({ ...JSON.parse(header as string), bytes })}\n${body}`);
    const table = anchorsOf(pem);
    expect(decoded(table)).toBe(false);
    const index = new TrustIndex(sources(table));
    const certs = parsePemCached(text);
    const [c1, c2] = certs.filter((c) => c.sha256 === sha || c.sha256 === sha2);
    expect(index.hasSha256(sha)).toBe(false);
    expect(index.hasSha256(sha2)).toBe(false);
    expect(index.bySubject(certInfo(c1 as Cert).subject).map((c) => c.sha256)).not.toContain(sha);
    expect(index.bySubject(certInfo(c2 as Cert).subject).map((c) => c.sha256)).not.toContain(sha2);
    // every other certificate is found, by sha256 and by subject
    for (const c of certs.filter((c) => c.sha256 !== sha && c.sha256 !== sha2)) {
      expect(index.hasSha256(c.sha256)).toBe(true);
      expect(index.bySubject(certInfo(c).subject).map((x) => x.sha256)).toContain(c.sha256);
    }
  });

  it('does not follow a symlinked index file', () => {
    const h = home();
    enableBundleIndex({ HOME: h });
    anchorsOf(pem);
    const file = join(indexDir(h), readdirSync(indexDir(h))[0] as string);
    const elsewhere = join(h, 'elsewhere.json');
    writeFileSync(elsewhere, readFileSync(file));
    unlinkSync(file);
    symlinkSync(elsewhere, file);
    expect(decoded(anchorsOf(pem))).toBe(true);
  });

  it('writes nothing when off (library use) or when HOME is unknown', () => {
    const h = home();
    enableBundleIndex(null);
    anchorsOf(pem);
    enableBundleIndex({});
    anchorsOf(pem);
    expect(existsSync(join(h, '.cache'))).toBe(false);
  });

  it.skipIf(!isRoot)('as root, neither reads nor writes a cache tree of another user', () => {
    const h = home();
    enableBundleIndex({ HOME: h });
    anchorsOf(pem);
    // The tree now belongs to someone else: root's run must not trust it.
    const idx = indexDir(h);
    for (const p of [h, join(h, '.cache'), join(h, '.cache', 'certifix'), idx]) chownSync(p, 65534, 65534);
    for (const f of readdirSync(idx)) chownSync(join(idx, f), 65534, 65534);
    expect(decoded(anchorsOf(pem))).toBe(true);
    // And a HOME of another user gets nothing of root's.
    const theirs = home();
    chownSync(theirs, 65534, 65534);
    enableBundleIndex({ HOME: theirs });
    anchorsOf(pem);
    expect(existsSync(join(theirs, '.cache'))).toBe(false);
    // XDG_CACHE_HOME pointing into a directory of another user is refused the same way.
    const xdg = join(theirs, 'xdg');
    mkdirSync(xdg);
    chownSync(xdg, 65534, 65534);
    enableBundleIndex({ HOME: h, XDG_CACHE_HOME: xdg });
    anchorsOf(pem);
    expect(readdirSync(xdg)).toEqual([]);
  });
});
