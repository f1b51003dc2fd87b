/**
 * The on-disk index of CA bundles: written under the user's cache, used only for exactly the bytes it was
 * made from, and ignored (never followed, never trusted) when it is garbage, a symlink or someone else's.
 */
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import type { Cert } from '../../src/core/cert.ts';
import { certInfo } from '../../src/core/extensions.ts';
import { TrustIndex } from '../../src/core/trust-index.ts';
import { enableBundleIndex, pemAnchors } from '../../src/stores/bundle-index.ts';
import { parsePemCached } from '../../src/stores/pem.ts';

const text = tls.rootCertificates.slice(0, 30).join('\n');
const stamp = { id: '/etc/ssl/certs/test-bundle.crt', size: text.length, mtimeMs: 1 };
const isRoot = process.getuid?.() === 0;

function home(): string {
  return mkdtempSync(join(tmpdir(), 'certifix-bi-'));
}
function indexDir(h: string): string {
  return join(h, '.cache', 'certifix', 'bundles-v1');
}
const decoded = (anchors: unknown[]) => anchors.every((a) => !(a as { load?: unknown }).load);

afterEach(() => enableBundleIndex(null));

describe('bundle index', () => {
  it('is written on a first read and answers the next one without decoding', () => {
    const h = home();
    enableBundleIndex({ HOME: h });
    const first = pemAnchors(text, stamp);
    expect(decoded(first)).toBe(true);
    const [file] = readdirSync(indexDir(h));
    expect(file).toMatch(/^[0-9a-f]{32}\.json$/);
    const second = pemAnchors(text, stamp);
    expect(decoded(second)).toBe(false);
    expect(second.map((a) => a.sha256)).toEqual(first.map((a) => a.sha256));
    // The same answers as an index of the decoded certificates.
    const lazy = new TrustIndex(second);
    const eager = new TrustIndex(parsePemCached(text));
    for (const c of first as Cert[]) {
      expect(lazy.has(c)).toBe(true);
      expect(lazy.bySubject(certInfo(c).subject).map((x) => x.sha256)).toEqual(
        eager.bySubject(certInfo(c).subject).map((x) => x.sha256),
      );
    }
    expect(lazy.size).toBe(eager.size);
  });

  it('is not used for other bytes of the same size and mtime, nor for another bundle', () => {
    const h = home();
    enableBundleIndex({ HOME: h });
    pemAnchors(text, stamp);
    const other = tls.rootCertificates.slice(30, 60).join('\n').slice(0, text.length).padEnd(text.length);
    expect(decoded(pemAnchors(other, stamp))).toBe(true);
    expect(decoded(pemAnchors(text, { ...stamp, mtimeMs: 2 }))).toBe(true);
  });

  it('ignores garbage and rows out of bounds, and rewrites them', () => {
    const h = home();
    enableBundleIndex({ HOME: h });
    pemAnchors(text, stamp);
    const file = join(indexDir(h), readdirSync(indexDir(h))[0] as string);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    for (const bad of ['{', '[]', JSON.stringify({ ...doc, rows: [[doc.rows[0][0], null, 0, 1e9]] })]) {
      writeFileSync(file, bad);
      expect(decoded(pemAnchors(text, stamp))).toBe(true);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(doc);
    }
  });

  it('does not follow a symlinked index file', () => {
    const h = home();
    enableBundleIndex({ HOME: h });
    pemAnchors(text, stamp);
    const file = join(indexDir(h), readdirSync(indexDir(h))[0] as string);
    const elsewhere = join(h, 'elsewhere.json');
    writeFileSync(elsewhere, readFileSync(file));
    unlinkSync(file);
    symlinkSync(elsewhere, file);
    expect(decoded(pemAnchors(text, stamp))).toBe(true);
  });

  it('writes nothing when off (library use) or when HOME is unknown', () => {
    const h = home();
    enableBundleIndex(null);
    pemAnchors(text, stamp);
    enableBundleIndex({});
    pemAnchors(text, stamp);
    expect(existsSync(join(h, '.cache'))).toBe(false);
  });

  it.skipIf(!isRoot)('as root, neither reads nor writes a cache tree of another user', () => {
    const h = home();
    enableBundleIndex({ HOME: h });
    pemAnchors(text, stamp);
    // The tree now belongs to someone else: root's run must not trust it.
    const dir = indexDir(h);
    for (const p of [h, join(h, '.cache'), join(h, '.cache', 'certifix'), dir]) chownSync(p, 65534, 65534);
    for (const f of readdirSync(dir)) chownSync(join(dir, f), 65534, 65534);
    expect(decoded(pemAnchors(text, stamp))).toBe(true);
    // And a HOME of another user gets nothing of root's.
    const theirs = home();
    chownSync(theirs, 65534, 65534);
    enableBundleIndex({ HOME: theirs });
    pemAnchors(text, stamp);
    expect(existsSync(join(theirs, '.cache'))).toBe(false);
    // XDG_CACHE_HOME pointing into a directory of another user is refused the same way.
    const xdg = join(theirs, 'xdg');
    mkdirSync(xdg);
    chownSync(xdg, 65534, 65534);
    enableBundleIndex({ HOME: h, XDG_CACHE_HOME: xdg });
    pemAnchors(text, stamp);
    expect(readdirSync(xdg)).toEqual([]);
  });
});
