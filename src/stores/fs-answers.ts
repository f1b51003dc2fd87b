/**
 * What the file system answers about a path, as one string that is the same string iff nothing changed
 * (stores/read-memo.ts keeps a computation's answers and asks again on the next run), and the misses under
 * one directory kept as one stamp of it. node:fs's own functions, taken before any recording replaces them.
 */
import { lstatSync, realpathSync, type Stats, statSync } from 'node:fs';
import { join } from 'node:path';
import { settled } from './user-cache.ts';

/** 's': stat (follows links), 'l': lstat, 'r': realpath. */
export type Op = 's' | 'l' | 'r';

// The originals, taken when this module loads, before any recording replaces them. Named imports: a namespace
// or default import of a builtin costs the CommonJS bundle a copy of its hundred exports at every start.
// `realpathSync.native` is one realpath(3) where `realpathSync` walks every component in JavaScript;
// recording and checking share answer(), so both use it.
const stat = statSync;
const lstat = lstatSync;
const real = realpathSync.native;
const NO_THROW = { throwIfNoEntry: false } as const;

/** The last lstat of something not a link, which a stat of the same path may answer from (read-memo.ts cached()). */
export interface Seen {
  path: string;
  st: Stats | undefined;
}

/** What the file system answers about `path` now, as one string (the same string iff nothing changed). */
export function answer(op: Op, path: string, seen?: Seen): string {
  try {
    if (op === 'r') return `=${real(path)}`;
    const st = (op === 'l' ? lstat : stat)(path, NO_THROW);
    if (seen && op === 'l' && !st?.isSymbolicLink()) {
      seen.path = path;
      seen.st = st;
    }
    return stamp(op, st);
  } catch (e) {
    return `!${(e as NodeJS.ErrnoException).code ?? 'error'}`;
  }
}

/** The answer of a stat (or lstat, `op` 'l') that returned `st`. */
export function stamp(op: Op, st: Stats | undefined): string {
  if (!st) return '-';
  // A directory looked at as a possible link (host-files.ts walks every component of a path: /tmp, HOME)
  // answers by what it is and who owns it; its size and times change with every entry made in it, which
  // that question does not depend on (a listing is recorded by readdir, with the times).
  if (op === 'l' && st.isDirectory()) return `d${st.dev}:${st.ino}:${st.mode}:${st.uid}:${st.gid}`;
  return `${st.dev}:${st.ino}:${st.mode}:${st.uid}:${st.gid}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

export const ctimeOf = (a: string): number => Number(a.split(':')[7] ?? Number.NaN);

/** Misses in one directory that one stamp of the directory stands for (fewer, and each is still checked). */
const MIN_MISSES = 3;

/**
 * The reads as kept: `<op><path>`, answer, ... A PATH search asks a dozen directories for thirty names each,
 * and nearly every answer is "missing": the misses under one directory are kept as one entry, `D<dir>`,
 * answered by the directory's device, inode, mtime and ctime, then `/` and the names. A name cannot appear in
 * a directory without changing its mtime and ctime, so while they are the same every name is still missing;
 * when they differ, each name is asked again (lstat: not even a dangling link). Grouped only when the
 * directory is settled (RACY_MS) and no name is a dangling link now (a target could appear behind it).
 * A directory that does not exist (a PATH entry such as npm's node_modules/.bin of a parent, a stale one)
 * is answered `-`: nothing can be found under it while a stat of it finds nothing.
 * The lstats of directories only root can change are left out (rootOnlyDirs).
 */
export function compact(reads: Map<string, string>, start: number): string[] {
  const byDir = new Map<string, string[]>();
  for (const [k, a] of reads) {
    if (a !== '-' || k[0] === 'r') continue;
    const slash = k.lastIndexOf('/');
    if (slash <= 1) continue;
    const dir = k.slice(1, slash);
    const names = byDir.get(dir);
    if (names) names.push(k);
    else byDir.set(dir, [k]);
  }
  const fields: string[] = [];
  const omitted = rootOnlyDirs(reads);
  for (const [dir, keys] of byDir) {
    if (keys.length < MIN_MISSES) continue;
    const st = dirNow(dir);
    if (st === null || (st !== GONE && (!st.isDirectory() || !settled(st, start)))) continue;
    const names = [...new Set(keys.map((k) => k.slice(dir.length + 2)))];
    if (names.some((n) => n === '' || n === '.' || n === '..')) continue; // not a name in the directory
    if (st !== GONE && !names.every((n) => missing(join(dir, n)))) continue;
    fields.push(`D${dir}`, `${st === GONE ? GONE : dirStamp(st)}/${names.join('/')}`);
    for (const k of keys) omitted.add(k);
  }
  for (const [k, a] of reads) if (!omitted.has(k)) fields.push(k, a);
  return fields;
}

/**
 * The lstats of directories only root can change: root's, writable by nobody else, in a parent that is one of
 * them (or `/`). host-files.ts walks each component of a path as root, so /usr/lib/python3/... costs one lstat
 * per directory on the way, about a quarter of what a resolution asks; those are not asked again. The files
 * read under them keep their own answers (inode, mode, times): an edited or replaced file still shows. What
 * goes unseen is only what root alone can do to such a directory: swap it for a link to the same files, or
 * hand it to a user later (until a run resolves again for another reason). Anything under a directory a user
 * can write (/tmp, HOME) keeps every lstat.
 */
function rootOnlyDirs(reads: Map<string, string>): Set<string> {
  const known = new Map<string, boolean>([['/', true]]);
  const dropped = new Set<string>();
  const rootOnly = (dir: string): boolean => {
    const kept = known.get(dir);
    if (kept !== undefined) return kept;
    const a = reads.get(`l${dir}`);
    const [, , mode, uid] = a?.startsWith('d') ? a.slice(1).split(':') : [];
    const parent = dir.slice(0, Math.max(1, dir.lastIndexOf('/')));
    const yes = uid === '0' && (Number(mode) & 0o022) === 0 && rootOnly(parent);
    known.set(dir, yes);
    if (yes) dropped.add(`l${dir}`);
    return yes;
  };
  for (const k of reads.keys()) if (k[0] === 'l' && k[1] === '/') rootOnly(k.slice(1));
  return dropped;
}

function dirStamp(st: Stats): string {
  return `${st.dev}:${st.ino}:${st.mtimeMs}:${st.ctimeMs}`;
}

/** A `D` entry's stamp for a directory that is not there. */
const GONE = '-';

/** The stat of `dir` now; GONE when there is no such entry (a name under it is then missing too); null when unknown. */
function dirNow(dir: string): Stats | typeof GONE | null {
  try {
    return stat(dir, NO_THROW) ?? GONE;
  } catch {
    return null; // ENOTDIR, EACCES: what a name under it answers is another question
  }
}

function missing(path: string): boolean {
  try {
    return lstat(path, NO_THROW) === undefined;
  } catch {
    return false;
  }
}

/**
 * What a `D` entry's answer is now: `kept` while the directory is as it was (or still not there); when it
 * changed but each name is still missing, its new stamp and the names (the stamp only once the directory is
 * settled: until then `kept`, and the names are asked again next time); null when a name is there now.
 */
export function stillMissing(dir: string, kept: string, start: number): string | null {
  const bar = kept.indexOf('/');
  if (bar < 0) return null;
  const st = dirNow(dir);
  const was = kept.slice(0, bar);
  if (st === GONE ? was === GONE : st !== null && was === dirStamp(st)) return kept;
  const names = kept.slice(bar + 1);
  for (const n of names.split('/'))
    if (n === '' || n === '.' || n === '..' || (st !== GONE && !missing(join(dir, n)))) return null;
  if (st === GONE) return `${GONE}/${names}`;
  return st?.isDirectory() && settled(st, start) ? `${dirStamp(st)}/${names}` : kept;
}
