/**
 * Config files in HOME as `sudo certifix` reads them in someone else's HOME: a symlinked dotfile, or a
 * symlinked directory above it, counts only when its owner also owns what it leads to (a user's dotfiles
 * repository: yes; a root-only file or directory: no).
 */
import { execFileSync } from 'node:child_process';
import { chownSync, lchownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listDir, ownedPath, readText } from '../src/host-files.ts';

const root = process.getuid?.() === 0;
const home = mkdtempSync(join(tmpdir(), 'certifix-host-files-'));
const secret = mkdtempSync(join(tmpdir(), 'certifix-root-only-')); // stands in for /root
const USER = 4242; // a user who is not root, as HOME's owner is under sudo
afterAll(() => {
  rmSync(home, { recursive: true, force: true });
  rmSync(secret, { recursive: true, force: true });
});

/** A directory tree `dir`/pip/pip.conf owned by `uid`. */
function configDir(dir: string, uid: number): string {
  mkdirSync(join(dir, 'pip'), { recursive: true });
  writeFileSync(join(dir, 'pip', 'pip.conf'), '[global]\ncert = /corp/ca.pem\n');
  for (const p of [dir, join(dir, 'pip'), join(dir, 'pip', 'pip.conf')]) chownSync(p, uid, uid);
  return dir;
}

/** A symlink at `path` (owned by `uid`) to `target`. */
function linkAt(path: string, target: string, uid: number): string {
  symlinkSync(target, path);
  lchownSync(path, uid, uid);
  return path;
}

/** `target` (owned by `targetUid`) and a link to it at `name` owned by `linkUid`. */
function link(name: string, linkUid: number, targetUid: number): string {
  const target = join(home, `${name}.target`);
  writeFileSync(target, 'cafile=/corp/ca.pem\n');
  chownSync(target, targetUid, targetUid);
  const path = join(home, name);
  symlinkSync(target, path);
  lchownSync(path, linkUid, linkUid);
  return path;
}

describe.skipIf(!root)('readText as root (skipped: the test needs root to give files other owners)', () => {
  it("follows a user's link to the user's own file", async () => {
    expect(await readText(link('dotfiles-npmrc', USER, USER))).toBe('cafile=/corp/ca.pem\n');
  });

  it("does not follow a user's link to a file the user does not own", async () => {
    expect(await readText(link('planted-npmrc', USER, 0))).toBeNull();
  });

  it("follows root's own links to root's files (the system's /etc/ssl, /etc/alternatives)", async () => {
    expect(await readText(link('system-link', 0, 0))).toBe('cafile=/corp/ca.pem\n');
  });

  it('reads a plain file whoever owns it', async () => {
    const plain = join(home, 'plain');
    writeFileSync(plain, 'x\n');
    chownSync(plain, USER, USER);
    expect(await readText(plain)).toBe('x\n');
  });

  describe('a symlinked directory above the file', () => {
    const PIP = '[global]\ncert = /corp/ca.pem\n';

    it("does not follow a user's ~/.config -> a directory of root's", async () => {
      const target = configDir(join(secret, 'config'), 0);
      const user = mkdtempSync(join(home, 'user-'));
      chownSync(user, USER, USER);
      linkAt(join(user, '.config'), target, USER);
      expect(await readText(join(user, '.config', 'pip', 'pip.conf'))).toBeNull();
      expect(ownedPath(join(user, '.config', 'pip', 'pip.conf'))).toBeNull();
    });

    it("a user's directory swapped for a link to root's between two walks is refused at once", async () => {
      const target = configDir(join(secret, 'config-swapped'), 0);
      const user = mkdtempSync(join(home, 'user-'));
      chownSync(user, USER, USER);
      const config = configDir(join(user, '.config'), USER);
      const file = join(config, 'pip', 'pip.conf');
      expect(ownedPath(file)).toBe(file);
      rmSync(config, { recursive: true });
      linkAt(config, target, USER);
      expect(ownedPath(file)).toBeNull(); // the user's directories are looked at on every walk
      expect(await readText(file)).toBeNull();
    });

    it("does not follow a chain of links that ends in root's directory", async () => {
      const target = configDir(join(secret, 'chained'), 0);
      const user = mkdtempSync(join(home, 'user-'));
      chownSync(user, USER, USER);
      linkAt(join(user, 'hop'), target, USER);
      linkAt(join(user, '.config'), join(user, 'hop'), USER);
      expect(await readText(join(user, '.config', 'pip', 'pip.conf'))).toBeNull();
    });

    it('does not climb out through `..` after a link', async () => {
      writeFileSync(join(secret, 'token'), 'secret\n');
      const user = mkdtempSync(join(home, 'user-'));
      chownSync(user, USER, USER);
      mkdirSync(join(secret, 'sub'), { recursive: true });
      linkAt(join(user, 'sub'), join(secret, 'sub'), USER);
      expect(await readText(`${user}/sub/../token`)).toBeNull(); // not join(): it would drop the `..`
    });

    it("follows a user's ~/.config -> their own dotfiles directory", async () => {
      const user = mkdtempSync(join(home, 'user-'));
      chownSync(user, USER, USER);
      const target = configDir(join(user, 'dotfiles-config'), USER);
      linkAt(join(user, '.config'), target, USER);
      expect(await readText(join(user, '.config', 'pip', 'pip.conf'))).toBe(PIP);
    });

    it("follows root's links (a HOME that is a link to a user's disk, /etc/alternatives)", async () => {
      const user = mkdtempSync(join(home, 'user-'));
      const target = configDir(join(user, 'data-alice'), USER);
      const alice = linkAt(join(home, `alice-${Math.random()}`), target, 0);
      expect(await readText(join(alice, 'pip', 'pip.conf'))).toBe(PIP);
    });

    it("follows root's chains of relative links (as /etc/ssl/certs/<hash>.0 -> X.pem -> /usr/share/…)", async () => {
      const dir = configDir(mkdtempSync(join(secret, 'system-')), 0);
      linkAt(join(dir, 'hop.conf'), join(dir, 'pip', 'pip.conf'), 0);
      linkAt(join(dir, 'abc.0'), 'hop.conf', 0);
      expect(await readText(join(dir, 'abc.0'))).toBe(PIP);
      expect(ownedPath(join(dir, 'abc.0'))).toBe(join(dir, 'pip', 'pip.conf'));
    });

    it("does not follow a user's link to root's file, reached through root's link", async () => {
      const target = configDir(join(secret, 'behind'), 0);
      const user = mkdtempSync(join(home, 'user-'));
      chownSync(user, USER, USER);
      linkAt(join(user, 'planted'), join(target, 'pip', 'pip.conf'), USER);
      const system = linkAt(join(home, `system-${Math.random()}`), join(user, 'planted'), 0);
      expect(await readText(system)).toBeNull();
    });

    it('refuses a dangling link and a FIFO without blocking', async () => {
      const user = mkdtempSync(join(home, 'user-'));
      linkAt(join(user, 'gone'), join(user, 'nowhere'), 0);
      expect(await readText(join(user, 'gone', 'pip.conf'))).toBeNull();
      execFileSync('mkfifo', [join(user, 'fifo')]);
      expect(await readText(join(user, 'fifo'))).toBeNull();
    });
  });
});

describe('listDir: a directory in HOME, listed up to a bound', () => {
  const dir = mkdtempSync(join(home, 'listing-'));
  for (const n of ['a', 'b', 'c']) writeFileSync(join(dir, n), '');
  const names = (l: ReturnType<typeof listDir>) => l?.entries.map((e) => e.name).sort();

  it('lists every entry within the bound, and says when there were more', () => {
    expect(names(listDir(dir, 3))).toEqual(['a', 'b', 'c']);
    expect(listDir(dir, 3)?.capped).toBe(false);
    const capped = listDir(dir, 2);
    expect(capped?.entries).toHaveLength(2);
    expect(capped?.capped).toBe(true);
  });

  it('stops at the entry asked for, and answers null for what cannot be listed', () => {
    const first = listDir(dir, 3)?.entries[0]?.name;
    expect(names(listDir(dir, 3, (e) => e.name === first))).toEqual([first]);
    expect(listDir(join(dir, 'a'), 3)).toBeNull();
    expect(listDir(join(dir, 'missing'), 3)).toBeNull();
  });

  it.skipIf(!root)("as root, does not list root's directory through a user's link", () => {
    const target = configDir(join(secret, 'listed'), 0);
    const user = mkdtempSync(join(home, 'user-'));
    chownSync(user, USER, USER);
    linkAt(join(user, 'site-packages'), target, USER);
    expect(listDir(join(user, 'site-packages'), 10)).toBeNull();
    const own = configDir(join(user, 'own'), USER);
    linkAt(join(user, 'own-link'), own, USER);
    expect(names(listDir(join(user, 'own-link'), 10))).toEqual(['pip']);
  });
});
