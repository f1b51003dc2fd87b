/**
 * CA files are named by variables and config files in HOME (REQUESTS_CA_BUNDLE=~/corp.pem): reading them is
 * bounded, and only regular files are read. A FIFO here has a writer waiting with a real root, so a reader
 * that opened it would find that root instead of nothing (and never hang the test).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, lchownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Cert, parseCerts } from '../../src/core/cert.ts';
import { certInfo } from '../../src/core/extensions.ts';
import { nameHash } from '../../src/core/verify/dn.ts';
import { enableBundleIndex } from '../../src/stores/bundle-index.ts';
import { hashedDir, readBundleSync, trustIndex } from '../../src/stores/load.ts';
import { Pki } from '../helpers/pki.ts';

const pki = new Pki();
const root = pki.root('load-root', 'Load Root');
const rootCert = parseCerts(root.pem).certs[0] as Cert;
const home = mkdtempSync(join(tmpdir(), 'certifix-load-'));
const writers: ChildProcess[] = [];

/** A FIFO with a writer ready to hand `pem` to whoever opens it. */
function fifoWith(name: string, pem: string): string {
  const path = join(home, name);
  execFileSync('mkfifo', [path]);
  writeFileSync(join(home, `${name}.src`), pem);
  writers.push(spawn('sh', ['-c', `exec cat "$1" > "$2"`, 'sh', join(home, `${name}.src`), path]));
  return path;
}

afterAll(() => {
  for (const w of writers) w.kill();
  rmSync(home, { recursive: true, force: true });
});

describe('reading CA files named from HOME', () => {
  it('reads a regular CA file', () => {
    const file = join(home, 'corp.pem');
    writeFileSync(file, root.pem);
    expect(readBundleSync(file).map((c) => c.subject)).toEqual([rootCert.subject]);
  });

  it('does not read a file past 4 MB (a root at its start is not taken)', () => {
    const big = join(home, 'big.pem');
    writeFileSync(big, `${root.pem}${'#'.repeat(5 * 1024 * 1024)}\n`);
    expect(readBundleSync(big)).toEqual([]);
    expect(trustIndex({ files: [big], dirs: [] }).size).toBe(0);
  });

  it('does not open a FIFO, as a CA file or as a hashed directory entry', () => {
    expect(readBundleSync(fifoWith('fifo.pem', root.pem))).toEqual([]);
    expect(trustIndex({ files: [fifoWith('fifo2.pem', root.pem)], dirs: [] }).size).toBe(0);
    const dir = mkdtempSync(join(home, 'certs-'));
    const link = `${nameHash(certInfo(rootCert).subject)}.0`;
    execFileSync('mkfifo', [join(dir, link)]);
    writers.push(spawn('sh', ['-c', `exec printf '%s' "$1" > "$2"`, 'sh', root.pem, join(dir, link)]));
    expect(hashedDir(dir).filedUnder(certInfo(rootCert).subject)).toEqual([]);
  });
});

const asRoot = process.getuid?.() === 0;
const USER = 4242; // a user who is not root, as HOME's owner is under `sudo certifix`

/** A CA file holding a fresh root, owned by `uid`; its certificate too. */
function caFile(dir: string, name: string, uid: number): { path: string; cert: Cert } {
  const r = pki.root(name, `Owner ${uid} ${name}`);
  const path = join(dir, `${name}.pem`);
  writeFileSync(path, r.pem);
  chownSync(path, uid, uid);
  return { path, cert: parseCerts(r.pem).certs[0] as Cert };
}

/** A symlink at `path`, owned by `uid`, to `target`. */
function linkAs(path: string, target: string, uid: number): string {
  symlinkSync(target, path);
  lchownSync(path, uid, uid);
  return path;
}

describe.skipIf(!asRoot)(
  "CA files named from a user's HOME, read as root (skipped: giving files other owners needs root)",
  () => {
    const user = mkdtempSync(join(home, 'user-'));
    const secret = mkdtempSync(join(home, 'root-only-')); // stands in for /root
    chownSync(user, USER, USER);

    it("does not follow a user's ~/corp.pem -> a file root owns (listing, index, on-disk index)", () => {
      const planted = caFile(secret, 'secret', 0);
      const link = linkAs(join(user, 'corp.pem'), planted.path, USER);
      expect(readBundleSync(link)).toEqual([]);
      expect(trustIndex({ files: [link], dirs: [] }).size).toBe(0);
      const cache = mkdtempSync(join(home, 'cache-'));
      enableBundleIndex({ XDG_CACHE_HOME: cache, HOME: home });
      try {
        const other = linkAs(join(user, 'corp2.pem'), caFile(secret, 'secret2', 0).path, USER);
        expect(trustIndex({ files: [other], dirs: [] }).size).toBe(0);
      } finally {
        enableBundleIndex(null);
      }
    });

    it("does not follow a user's ~/certs -> root's directory, nor a <hash>.0 link there to root's file", () => {
      const planted = caFile(secret, 'hashed', 0);
      const subject = certInfo(planted.cert).subject;
      const certs = join(user, 'certs');
      mkdirSync(certs);
      chownSync(certs, USER, USER);
      linkAs(join(certs, `${nameHash(subject)}.0`), planted.path, USER);
      expect(hashedDir(certs).filedUnder(subject)).toEqual([]);
      const rootDir = join(secret, 'certs');
      mkdirSync(rootDir);
      linkAs(join(rootDir, `${nameHash(subject)}.0`), planted.path, 0);
      const viaDir = linkAs(join(user, 'certs-link'), rootDir, USER);
      expect(hashedDir(viaDir).filedUnder(subject)).toEqual([]);
      expect(readBundleSync(join(viaDir, `${nameHash(subject)}.0`))).toEqual([]);
    });

    it("follows a user's link to their own file, and root's links (the system's /etc/ssl/certs)", () => {
      const own = caFile(user, 'dotfiles', USER);
      const mine = linkAs(join(user, 'mine.pem'), own.path, USER);
      expect(readBundleSync(mine).map((c) => c.sha256)).toEqual([own.cert.sha256]);
      const system = caFile(secret, 'system', 0);
      const rootLink = linkAs(join(secret, 'system-link.pem'), system.path, 0);
      expect(trustIndex({ files: [rootLink], dirs: [] }).size).toBe(1);
      const dir = join(secret, 'hashed-system');
      mkdirSync(dir);
      const subject = certInfo(system.cert).subject;
      linkAs(join(dir, `${nameHash(subject)}.0`), system.path, 0);
      expect(
        hashedDir(dir)
          .filedUnder(subject)
          .map((c) => c.sha256),
      ).toEqual([system.cert.sha256]);
    });
  },
);
