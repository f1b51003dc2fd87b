/**
 * Results kept between runs, keyed by exactly what computing them read: reused only while every path read,
 * listed, tested or resolved answers the same; never kept when the computation spawned or wrote, or read a file
 * changed within RACY_MS; and only in the user's own cache tree.
 */

import * as fs from 'node:fs';
import { existsSync as exists } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ownedPath } from '../../src/host-files.ts';
import { enableReadMemo, memoByReads } from '../../src/stores/read-memo.ts';
import { cacheRoot, RACY_MS } from '../../src/stores/user-cache.ts';

let dir: string;
const isRoot = process.getuid?.() === 0;
const isString = (v: unknown): v is string => typeof v === 'string';

/** One machine's worth of files: a PATH directory with python3 and an empty one, a config, versions, a link. */
function makeTree(d: string): void {
  fs.mkdirSync(join(d, 'bin'), { recursive: true });
  fs.mkdirSync(join(d, 'bin2'));
  fs.writeFileSync(join(d, 'bin', 'python3'), '#!/bin/sh\n', { mode: 0o755 });
  fs.writeFileSync(join(d, 'pip.conf'), '[global]\ncert = /a.pem\n');
  fs.mkdirSync(join(d, 'versions', '3.12.1'), { recursive: true });
  fs.mkdirSync(join(d, 'real-a'));
  fs.mkdirSync(join(d, 'real-b'));
  fs.symlinkSync(join(d, 'real-a'), join(d, 'current'));
}

const CASES = 5;
beforeAll(async () => {
  dir = fs.mkdtempSync(join(tmpdir(), 'certifix-memo-'));
  makeTree(join(dir, 'main'));
  for (let i = 0; i < CASES; i++) makeTree(join(dir, `case${i}`));
  makeTree(join(dir, 'walked'));
  fs.mkdirSync(join(dir, 'path-dir'));
  fs.mkdirSync(join(dir, 'path-dir2'));
  fs.writeFileSync(join(dir, 'walked', 'versions', '3.12.1', 'pip.conf'), '[global]\n');
  await new Promise((r) => setTimeout(r, RACY_MS + 100)); // settled, as a machine's files are
}, RACY_MS + 5000);

afterEach(() => enableReadMemo(null));

function home(): string {
  return fs.mkdtempSync(join(tmpdir(), 'certifix-memo-home-'));
}

/** What a client resolution does: a PATH lookup, a config read, a directory listing, a link resolved. */
async function resolveAll(tree = 'main'): Promise<string> {
  const d = join(dir, tree);
  const pythons = ['bin', 'bin2']
    .map((b) => join(d, b, 'python3'))
    .filter((p) => exists(p) && fs.statSync(p).isFile());
  const conf = fs.readFileSync(join(d, 'pip.conf'), 'utf8');
  // Looked at as a possible link, then read (as host-files.ts does): a directory, and a link to one.
  const versions = fs.lstatSync(join(d, 'versions')).isDirectory()
    ? (await readdir(join(d, 'versions'))).sort()
    : [];
  const linked = fs.lstatSync(join(d, 'current')).isSymbolicLink() ? fs.readdirSync(join(d, 'current')) : [];
  const current = fs.realpathSync(join(d, 'current'));
  return JSON.stringify({ pythons, conf, versions, linked, current });
}

/** The reads kept by the one computation memoised under HOME `h`. */
function keptReads(h: string): string {
  const dir = join(h, '.cache', 'certifix', 'reads-v2');
  const [file] = fs.readdirSync(dir) as [string];
  return JSON.parse(fs.readFileSync(join(dir, file), 'utf8')).reads;
}

/** The memo's answer, and whether it computed. */
async function memo(
  inputs: unknown = 'x',
  compute = () => resolveAll(),
): Promise<{ value: string; computed: boolean }> {
  let computed = false;
  const value = await memoByReads(
    'test',
    inputs,
    async () => {
      computed = true;
      return compute();
    },
    isString,
  );
  return { value, computed };
}

describe('memoByReads', () => {
  it('computes once, then answers from the cache while nothing it read has changed', async () => {
    enableReadMemo({ HOME: home() }, 'build-1');
    const first = await memo();
    expect(first.computed).toBe(true);
    const second = await memo();
    expect(second).toEqual({ value: first.value, computed: false });
    expect((await memo('other inputs')).computed).toBe(true);
  });

  it("does not record what certifix's own caches ask (whose HOME it is): a new file in HOME is no miss", async () => {
    const h = home();
    const env = { HOME: h };
    enableReadMemo(env, 'build-1');
    // What runs beside a computation (the CA files' indexes, while diagnose resolves the clients) asks
    // cacheRoot whose HOME it is; that stat is not an input of what is kept.
    const first = await memo('x', async () => {
      cacheRoot({ HOME: h });
      return resolveAll();
    });
    expect(first.computed).toBe(true);
    fs.writeFileSync(join(h, '.new-in-home'), '');
    expect((await memo()).computed).toBe(false);
  });

  it('records the components host-files.ts walked before the computation, as it walks them again', async () => {
    const h = home();
    enableReadMemo({ HOME: h }, 'build-1');
    const tree = join(dir, 'walked');
    const conf = join(tree, 'versions', '3.12.1', 'pip.conf');
    const walk = async () => String(ownedPath(conf));
    await walk(); // before recording: `versions` is remembered as a real directory
    expect((await memo('walked', walk)).computed).toBe(true);
    expect((await memo('walked', walk)).computed).toBe(false); // kept
    // `versions` moves and a link takes its place: the file is the same (inode, times), the path a link now.
    fs.renameSync(join(tree, 'versions'), join(tree, 'versions-real'));
    fs.symlinkSync(join(tree, 'versions-real'), join(tree, 'versions'));
    expect((await memo('walked', walk)).computed).toBe(true);
  });

  it("does not keep the lstats of directories only root can change, and keeps a user-writable tree's", async () => {
    const h = home();
    enableReadMemo({ HOME: h }, 'build-1');
    // /usr/bin (root's, writable by nobody else, under `/`) and a file under /tmp, which anyone can write to.
    const system = fs.realpathSync.native(process.execPath);
    const walk = async () => `${ownedPath(system)} ${ownedPath(join(dir, 'walked', 'pip.conf'))}`;
    expect((await memo('root-only', walk)).computed).toBe(true);
    const kept = keptReads(h)
      .split('\0')
      .filter((_, i) => i % 2 === 0);
    const rootOnly = (d: string): boolean => {
      if (d === '/') return true;
      const st = fs.lstatSync(d);
      return st.isDirectory() && st.uid === 0 && (st.mode & 0o022) === 0 && rootOnly(join(d, '..'));
    };
    const dirs = (p: string) =>
      p
        .split('/')
        .slice(1, -1)
        .map((_, i, a) => `/${a.slice(0, i + 1).join('/')}`);
    expect(dirs(system).some(rootOnly)).toBe(true); // something to leave out: /usr, /usr/bin
    for (const d of dirs(system)) expect(kept.includes(`l${d}`)).toBe(!rootOnly(d));
    expect(kept).toContain(`l${tmpdir()}`);
    expect(kept).toContain(`l${join(dir, 'walked')}`);
    expect(kept).toContain(`l${system}`); // the file itself
    expect((await memo('root-only', walk)).computed).toBe(false);
  });

  it('keeps the misses of a PATH search as one stamp of the directory, and sees a name appear', {
    timeout: RACY_MS + 10_000,
  }, async () => {
    const h = home();
    enableReadMemo({ HOME: h }, 'build-1');
    const bin = join(dir, 'path-dir');
    const names = ['python3', 'pip', 'curl', 'git', 'node'];
    const search = async () => names.filter((n) => fs.existsSync(join(bin, n))).join(',');
    expect((await memo('path', search)).computed).toBe(true);
    const reads = keptReads(h);
    expect(reads.split('\0')).toEqual([
      `D${bin}`,
      expect.stringMatching(/^[\d.:]+\/python3\/pip\/curl\/git\/node$/),
    ]);
    // Another file in the directory changes its stamp: each name is asked again, and is still missing.
    fs.writeFileSync(join(bin, 'unrelated'), '');
    expect((await memo('path', search)).computed).toBe(false);
    // Once the directory is settled, its new stamp is kept: the next run asks one question again.
    await new Promise((r) => setTimeout(r, RACY_MS + 100));
    expect((await memo('path', search)).computed).toBe(false);
    const st = fs.statSync(bin);
    const kept = keptReads(h);
    expect(kept.split('\0')[1]).toBe(
      `${st.dev}:${st.ino}:${st.mtimeMs}:${st.ctimeMs}/python3/pip/curl/git/node`,
    );
    // One of the names appears: computed again.
    fs.writeFileSync(join(bin, 'git'), '');
    expect(await memo('path', search)).toEqual({ value: 'git', computed: true });
  });

  it('keeps the misses under a directory that is not there as one entry, and sees it appear', async () => {
    const h = home();
    enableReadMemo({ HOME: h }, 'build-1');
    const names = ['python3', 'pip', 'curl', 'git'];
    const bin = join(dir, 'not-there', 'node_modules', '.bin');
    const search = async () => names.filter((n) => fs.existsSync(join(bin, n))).join(',');
    expect((await memo('gone', search)).computed).toBe(true);
    const reads = keptReads(h);
    expect(reads.split('\0')).toEqual([`D${bin}`, '-/python3/pip/curl/git']);
    expect((await memo('gone', search)).computed).toBe(false);
    // The directory appears, empty: each name is asked again, and is still missing.
    fs.mkdirSync(bin, { recursive: true });
    expect((await memo('gone', search)).computed).toBe(false);
    fs.writeFileSync(join(bin, 'git'), '');
    expect(await memo('gone', search)).toEqual({ value: 'git', computed: true });
  });

  it(
    'does not stand a directory stamp for a name that is a dangling link (its target may appear)',
    async () => {
      const h = home();
      enableReadMemo({ HOME: h }, 'build-1');
      const bin = join(dir, 'path-dir2');
      fs.symlinkSync(join(dir, 'not-yet'), join(bin, 'python3'));
      const names = ['python3', 'pip', 'curl', 'git'];
      const search = async () => names.filter((n) => fs.existsSync(join(bin, n))).join(',');
      // the link was made just now: wait until the directory is settled, as a machine's are
      await new Promise((r) => setTimeout(r, RACY_MS + 100));
      expect((await memo('dangling', search)).computed).toBe(true);
      expect((await memo('dangling', search)).computed).toBe(false);
      fs.writeFileSync(join(dir, 'not-yet'), '');
      expect(await memo('dangling', search)).toEqual({ value: 'python3', computed: true });
    },
    RACY_MS + 5000,
  );

  it('is keyed by the build: another build of certifix computes again', async () => {
    const h = home();
    enableReadMemo({ HOME: h }, 'build-1');
    await memo();
    enableReadMemo({ HOME: h }, 'build-2');
    expect((await memo()).computed).toBe(true);
  });

  const changes: Array<[string, (d: string) => void]> = [
    [
      'a new python3 in a PATH directory',
      (d) => fs.writeFileSync(join(d, 'bin2', 'python3'), '', { mode: 0o755 }),
    ],
    ['a changed config file', (d) => fs.appendFileSync(join(d, 'pip.conf'), 'timeout = 5\n')],
    ['a new pyenv version', (d) => fs.mkdirSync(join(d, 'versions', '3.13.0'))],
    ['a new file in a linked directory', (d) => fs.writeFileSync(join(d, 'real-a', 'new'), '')],
    [
      'a link pointing elsewhere',
      (d) => {
        fs.unlinkSync(join(d, 'current'));
        fs.symlinkSync(join(d, 'real-b'), join(d, 'current'));
      },
    ],
  ];
  it.each(changes.map(([name, change], i) => [name, change, `case${i}`] as const))(
    'sees %s on the next run',
    async (_, change, tree) => {
      enableReadMemo({ HOME: home() }, 'build-1');
      const compute = () => resolveAll(tree);
      const before = await memo(tree, compute);
      expect((await memo(tree, compute)).computed).toBe(false);
      change(join(dir, tree));
      const after = await memo(tree, compute);
      expect(after.computed).toBe(true);
      expect(after.value).not.toBe(before.value);
      expect(after.value).toBe(await resolveAll(tree));
    },
  );

  it('computes again when the kept reads are malformed', async () => {
    const h = home();
    enableReadMemo({ HOME: h }, 'build-1');
    const first = await memo('malformed');
    const cacheDir = join(h, '.cache', 'certifix', 'reads-v2');
    const [file] = fs.readdirSync(cacheDir) as [string];
    const path = join(cacheDir, file);
    const good = JSON.parse(fs.readFileSync(path, 'utf8'));
    expect(typeof good.reads).toBe('string');
    const fields: string[] = good.reads.split('\0');
    expect(fields.length % 2).toBe(0);
    const bad: unknown[] = [
      fields.slice(0, -1).join('\0'), // a read without its answer
      `${good.reads}\0`, // a field more, empty
      `\0${good.reads}`, // a read without a path
      `x${good.reads.slice(1)}`, // a question we do not ask
      fields, // not a string
      null,
    ];
    for (const reads of bad) {
      fs.writeFileSync(path, JSON.stringify({ ...good, reads }));
      expect(await memo('malformed')).toEqual({ value: first.value, computed: true });
    }
    fs.writeFileSync(path, JSON.stringify(good));
    expect(await memo('malformed')).toEqual({ value: first.value, computed: false });
  });

  it('records nothing of a path node:fs refuses (a NUL in it), and keeps the result', async () => {
    enableReadMemo({ HOME: home() }, 'build-1');
    const compute = async () => `${fs.existsSync(join(dir, 'main', 'bin\0python3'))}:${await resolveAll()}`;
    expect((await memo('nul', compute)).computed).toBe(true);
    expect((await memo('nul', compute)).computed).toBe(false);
  });

  it('keeps text and paths of any script in an ASCII file', async () => {
    const h = home();
    enableReadMemo({ HOME: h }, 'build-1');
    const compute = async () =>
      `… ’ é 😀 \ud800 ${fs.existsSync(join(dir, 'main', 'café', '😀'))}:${await resolveAll()}`;
    const first = await memo('script', compute);
    const cacheDir = join(h, '.cache', 'certifix', 'reads-v2');
    const [file] = fs.readdirSync(cacheDir) as [string];
    const bytes = fs.readFileSync(join(cacheDir, file));
    expect(bytes.every((b) => b < 0x80)).toBe(true);
    expect(JSON.parse(bytes.toString()).reads).toContain('café/😀');
    expect(await memo('script', compute)).toEqual({ value: first.value, computed: false });
  });

  it('keeps nothing computed from a file changed within RACY_MS', async () => {
    const h = home();
    enableReadMemo({ HOME: h }, 'build-1');
    const fresh = join(dir, 'fresh.txt');
    fs.writeFileSync(fresh, 'now');
    const read = async () => fs.readFileSync(fresh, 'utf8');
    expect((await memo('fresh', read)).computed).toBe(true);
    expect((await memo('fresh', read)).computed).toBe(true);
  });

  it('keeps nothing when the computation spawned a program or wrote a file', async () => {
    enableReadMemo({ HOME: home() }, 'build-1');
    const spawn = async (taint: () => void) => {
      taint();
      return 'ran';
    };
    await memoByReads('test', 'spawn', spawn, isString);
    let computed = false;
    await memoByReads(
      'test',
      'spawn',
      async (taint) => {
        computed = true;
        return spawn(taint);
      },
      isString,
    );
    expect(computed).toBe(true);
    const wrote = async () => {
      fs.writeFileSync(join(dir, 'out.txt'), 'x');
      return 'wrote';
    };
    await memo('write', wrote);
    expect((await memo('write', wrote)).computed).toBe(true);
  });

  it('restores node:fs after recording', async () => {
    const statSync = fs.statSync;
    enableReadMemo({ HOME: home() }, 'build-1');
    await memo('restore');
    expect(fs.statSync).toBe(statSync);
  });

  it('ignores a cache file that is garbage or a symlink, and writes nothing when off', async () => {
    const h = home();
    enableReadMemo({ HOME: h }, 'build-1');
    await memo();
    const cacheDir = join(h, '.cache', 'certifix', 'reads-v2');
    const [file] = fs.readdirSync(cacheDir) as [string];
    const path = join(cacheDir, file);
    const good = fs.readFileSync(path);
    fs.writeFileSync(path, '{"format":1');
    expect((await memo()).computed).toBe(true);
    const elsewhere = join(h, 'elsewhere.json');
    fs.writeFileSync(elsewhere, good);
    fs.unlinkSync(path);
    fs.symlinkSync(elsewhere, path);
    expect((await memo()).computed).toBe(true);
    const off = home();
    enableReadMemo({ HOME: off, CERTIFIX_NO_CACHE: '1' }, 'build-1');
    await memo();
    enableReadMemo(null);
    await memo();
    expect(fs.readdirSync(off)).toEqual([]);
  });

  it.skipIf(!isRoot)('as root, neither trusts nor writes a cache tree of another user', async () => {
    const h = home();
    enableReadMemo({ HOME: h }, 'build-1');
    await memo();
    const tree = [
      h,
      join(h, '.cache'),
      join(h, '.cache', 'certifix'),
      join(h, '.cache', 'certifix', 'reads-v2'),
    ];
    for (const p of tree) fs.chownSync(p, 65534, 65534);
    for (const f of fs.readdirSync(tree[3] as string)) fs.chownSync(join(tree[3] as string, f), 65534, 65534);
    expect((await memo()).computed).toBe(true);
    const theirs = home();
    fs.chownSync(theirs, 65534, 65534);
    enableReadMemo({ HOME: theirs }, 'build-1');
    await memo();
    expect(fs.readdirSync(theirs)).toEqual([]);
  });
});
