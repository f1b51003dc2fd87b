/**
 * certifix's own cache files under $XDG_CACHE_HOME/certifix (or ~/.cache/certifix): the V8 code cache of
 * dist/certifix.cjs (scripts/pack-loader.cjs) and the index of CA bundles (stores/bundle-index.ts). One
 * implementation for both: scripts/build.mjs compiles this file into the loader.
 *
 * A cache file is untrusted input, and `sudo certifix` runs in other users' HOMEs: the tree is used only when
 * its base directory belongs to the user running certifix; a file is read only when it and its two parent
 * directories (`certifix/` and the one below) belong to that user, nobody else can write them, none is a
 * symlink (lstat; the file is opened O_NOFOLLOW) and it is within the caller's size bound. Every failure
 * means "no cache": callers fall back silently. CERTIFIX_NO_CACHE=1 turns every cache off.
 */
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';

/**
 * node:fs's own stat, taken before stores/read-memo.ts may record what a computation looks at: whose the base
 * directory is, is a question about certifix's caches, not an input of what is kept (recorded, a stat of HOME
 * would make every new file in HOME a miss).
 */
const ownerStat = statSync;

/** The last answer, per environment: asked by every cache on every run. */
const roots = new WeakMap<NodeJS.ProcessEnv, { asked: string; root: string | null }>();

/** `<base>/certifix` when the base directory is ours (or does not exist yet under our HOME); else null. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.CERTIFIX_NO_CACHE || typeof process.geteuid !== 'function') return null;
  const xdg = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : null;
  const home = env.HOME && isAbsolute(env.HOME) ? env.HOME : null;
  const base = xdg ?? home ?? '';
  const asked = `${xdg ?? ''}\0${home ?? ''}`;
  const last = roots.get(env);
  if (last?.asked === asked) return last.root;
  let root: string | null = join(xdg ?? join(home ?? '', '.cache'), 'certifix');
  // Only in a tree of our own: root running in a user's HOME neither reads their files nor leaves its own there.
  try {
    if (ownerStat(base).uid !== process.geteuid()) root = null;
  } catch {
    if (!home) root = null;
  }
  roots.set(env, { asked, root });
  return root;
}

/**
 * A file whose ctime is older than this was not changed in the last timestamp tick: if it changes after we
 * read it, its ctime will differ (git's "racy clean" rule; 2 s covers the coarsest file systems, FAT's).
 */
export const RACY_MS = 2000;

/** True when `st` (a stat of what was read) is settled: a later change would show in its ctime. */
export function settled(st: { ctimeMs: number }, now = Date.now()): boolean {
  return st.ctimeMs < now - RACY_MS;
}

/** Owned by us and not writable by group or others (from lstat: a symlink is not a directory of ours). */
function ours(st: Stats): boolean {
  return st.uid === process.geteuid?.() && (st.mode & 0o022) === 0;
}

/** The bytes of `file` (in `<root>/<dir>/`), or undefined when anything is not as it should be. */
export function readCacheFile(file: string, maxBytes: number): Buffer | undefined {
  let fd: number | undefined;
  try {
    const dir = dirname(file);
    const a = lstatSync(dir);
    const b = lstatSync(dirname(dir));
    if (!a.isDirectory() || !b.isDirectory() || !ours(a) || !ours(b)) return undefined;
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    const st = fstatSync(fd);
    if (!st.isFile() || !ours(st) || st.size > maxBytes) return undefined;
    const data = readFileSync(fd);
    return data.length > maxBytes ? undefined : data;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The JSON document in `file` (as readCacheFile reads it), or undefined when it is missing or not JSON. */
export function readCacheJson(file: string, maxBytes: number): unknown {
  const data = readCacheFile(file, maxBytes);
  if (!data) return undefined;
  try {
    return JSON.parse(data.toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Write `file` atomically (a private temporary file renamed over it), creating its directory 0700. Nothing
 * happens when the directory is not ours: a read-only HOME or a full disk changes nothing but speed.
 */
export function writeCacheFile(file: string, data: string | NodeJS.ArrayBufferView): boolean {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const dir = dirname(file);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const a = lstatSync(dir);
    const b = lstatSync(dirname(dir));
    if (!a.isDirectory() || !b.isDirectory() || !ours(a) || !ours(b)) return false;
    writeFileSync(tmp, data, { mode: 0o600, flag: 'wx' });
    renameSync(tmp, file);
    return true;
  } catch {
    try {
      unlinkSync(tmp);
    } catch {}
    return false;
  }
}

/**
 * Room for `file` in its directory, which keeps at most `max` files: true when there is room or `file` is one
 * of them; else the files written longest ago are removed to make it (a file is written once and read on
 * every run, so that is the one least likely still to be used: an index of a CA file since upgraded, an AIA
 * answer long expired). Only in a directory of ours, and only regular files: false when room cannot be made.
 */
export function makeRoom(file: string, max: number): boolean {
  const dir = dirname(file);
  try {
    const names = readdirSync(dir);
    if (names.length < max || names.includes(basename(file))) return true;
    if (!ownDir(dir)) return false;
    const aged = names
      .map((n) => ({ n, st: lstatSync(join(dir, n), { throwIfNoEntry: false }) }))
      .filter((e) => e.st?.isFile())
      .sort((a, b) => (a.st?.mtimeMs ?? 0) - (b.st?.mtimeMs ?? 0));
    for (const e of aged.slice(0, names.length - max + 1)) unlinkSync(join(dir, e.n));
    return readdirSync(dir).length < max;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT'; // the directory is not made yet
  }
}

/** A directory of ours under one of ours (writeCacheFile's and readCacheFile's condition). */
function ownDir(dir: string): boolean {
  const a = lstatSync(dir);
  const b = lstatSync(dirname(dir));
  return a.isDirectory() && b.isDirectory() && ours(a) && ours(b);
}

/**
 * Remove the directories of `root` named `<prefix>…` other than `keep` whose files nothing has read or written
 * for `maxAgeMs`: the code caches of certifix versions (or Node versions) no longer run. A file's access time
 * says it was read (Linux's default relatime updates it about once a day); where a mount keeps no access times
 * a cache still in use goes after a month too, and its next run starts cold once. Age, not difference, says
 * stale: two installed versions run in turn keep each other's. Only in a tree of ours, never through a link.
 */
export function pruneStale(
  root: string,
  prefix: string,
  keep: string,
  maxAgeMs: number,
  now = Date.now(),
): void {
  try {
    if (!ownDir(root)) return;
    for (const name of readdirSync(root)) {
      if (!name.startsWith(prefix) || name === keep) continue;
      const path = join(root, name);
      const st = lstatSync(path);
      if (!st.isDirectory() || !ours(st)) continue;
      const used = readdirSync(path).map((f) => lstatSync(join(path, f)));
      const last = Math.max(st.mtimeMs, ...used.map((f) => Math.max(f.atimeMs, f.mtimeMs)));
      if (last < now - maxAgeMs) rmSync(path, { recursive: true, force: true });
    }
  } catch {}
}
