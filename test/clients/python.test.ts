/**
 * A Python environment's directories are in someone's HOME (site-packages, lib/, conda-meta/): each is listed
 * up to a bound, never read whole.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, opendirSync, openSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { distVersion, MAX_ENV_DIR_ENTRIES } from '../../src/clients/python.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A directory of `count` empty files (one process: thousands of files in well under a second). */
function filled(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'certifix-site-'));
  dirs.push(dir);
  execFileSync('sh', ['-c', `cd "$1" && seq -f "x%.0f" 1 "$2" | xargs touch`, 'sh', dir, String(count)]);
  return dir;
}

/** Every name in `dir` in the order the file system lists them (readdirSync sorts them: libuv's scandir). */
function listed(dir: string): string[] {
  const d = opendirSync(dir);
  const out: string[] = [];
  try {
    for (let e = d.readSync(); e !== null; e = d.readSync()) out.push(e.name);
  } finally {
    d.closeSync();
  }
  return out;
}

describe('site-packages, listed up to a bound', () => {
  it('finds the version in a *.dist-info name', () => {
    const site = filled(3);
    closeSync(openSync(join(site, 'certifi-2024.8.30.dist-info'), 'w'));
    expect(distVersion(site, 'certifi')).toBe('2024.8.30');
  });

  it(`does not read past ${MAX_ENV_DIR_ENTRIES} entries (a dist-info listed after them is not seen)`, () => {
    const site = filled(2 * MAX_ENV_DIR_ENTRIES);
    // The listing order is the file system's (ext4: by a hash of the name): take a name it lists past the bound.
    let name: string | undefined;
    for (let k = 0; k < 64 && !name; k++) {
      const n = `certifi-2024.${k}.dist-info`;
      closeSync(openSync(join(site, n), 'w'));
      if (listed(site).indexOf(n) >= MAX_ENV_DIR_ENTRIES) name = n;
      else unlinkSync(join(site, n));
    }
    expect(name).toBeDefined();
    expect(distVersion(site, 'certifi')).toBeUndefined();
  });
});
