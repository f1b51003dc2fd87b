/**
 * Config files in HOME as `sudo certifix` reads them in someone else's HOME: a symlinked dotfile counts only
 * when its owner also owns what it leads to (a user's dotfiles repository: yes; a root-only file: no).
 */
import { chownSync, lchownSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readText } from '../src/host-files.ts';

const root = process.getuid?.() === 0;
const home = mkdtempSync(join(tmpdir(), 'certifix-host-files-'));
const USER = 4242; // a user who is not root, as HOME's owner is under sudo
afterAll(() => rmSync(home, { recursive: true, force: true }));

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
});
