/**
 * certifix's cache directories stay bounded without going stale: past the bound, the files written longest
 * ago make room for a new one (an index of a CA file since upgraded, an AIA answer long expired).
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { makeRoom } from '../../src/stores/user-cache.ts';

const root = mkdtempSync(join(tmpdir(), 'certifix-user-cache-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** `<root>/<name>/certifix/idx/` (0700, as writeCacheFile makes it) holding files aged 3, 2 and 1 days. */
function dirWithThree(name: string): string {
  const dir = join(root, name, 'certifix', 'idx');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  mkdirSync(join(root, name, 'certifix'), { recursive: true, mode: 0o700 });
  for (const [f, days] of [
    ['a', 3],
    ['b', 2],
    ['c', 1],
  ] as const) {
    writeFileSync(join(dir, f), f, { mode: 0o600 });
    const t = Date.now() / 1000 - days * 86400;
    utimesSync(join(dir, f), t, t);
  }
  return dir;
}

it('removes the file written longest ago to make room, and nothing while there is room', () => {
  const dir = dirWithThree('evict');
  expect(makeRoom(join(dir, 'd'), 4)).toBe(true);
  expect(readdirSync(dir).sort()).toEqual(['a', 'b', 'c']);
  expect(makeRoom(join(dir, 'b'), 3)).toBe(true); // rewriting a kept file needs no room
  expect(readdirSync(dir).sort()).toEqual(['a', 'b', 'c']);
  expect(makeRoom(join(dir, 'd'), 3)).toBe(true);
  expect(readdirSync(dir).sort()).toEqual(['b', 'c']);
});

it('removes only regular files: a link planted in the directory is neither followed nor removed', () => {
  const dir = dirWithThree('links');
  const target = join(root, 'precious');
  writeFileSync(target, 'keep me');
  symlinkSync(target, join(dir, 'planted'));
  expect(makeRoom(join(dir, 'd'), 3)).toBe(true); // the two oldest files go, the link stays
  expect(existsSync(target)).toBe(true);
  expect(readdirSync(dir).sort()).toEqual(['c', 'planted']);
});

it('has room in a directory not made yet', () => {
  expect(makeRoom(join(root, 'none', 'certifix', 'idx', 'x'), 1)).toBe(true);
});
