/**
 * Small file helpers for adapters and stores: every lookup is a stat or a read (no spawning), and
 * system-wide paths go through `sys()` so tests can redirect them with `ctx.sysroot`.
 *
 * Synchronous underneath, async in shape: diagnose asks a few hundred of these questions of local files the
 * kernel answers from its cache in microseconds, and sending each through libuv's thread pool cost ~900
 * context switches a run (`/usr/bin/time -v`: 904 against a bare handshake's 24), more than the reads.
 */
import {
  accessSync,
  closeSync,
  constants,
  type Dir,
  type Dirent,
  fstatSync,
  lstatSync,
  opendirSync,
  openSync,
  readlinkSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { MAX_CONFIG_BYTES, readFdBoundedSync } from './bounded.ts';
import type { Context } from './types.ts';

const { O_NOFOLLOW, O_NONBLOCK, O_RDONLY } = constants;

/** Asked once: certifix never changes its user, and each getuid() is a system call on a hot path. */
const asRoot = process.getuid?.() === 0;

/** A system-wide path (`/etc/pip.conf`) as seen through `ctx.sysroot`. */
export function sys(ctx: Pick<Context, 'sysroot'>, path: string): string {
  return ctx.sysroot ? join(ctx.sysroot, path) : path;
}

export async function isFile(path: string): Promise<boolean> {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

export async function isDir(path: string): Promise<boolean> {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

export async function exists(path: string): Promise<boolean> {
  return statSync(path, { throwIfNoEntry: false }) !== undefined;
}

/**
 * Directories `ownedPath` need not look at again for a second: root's, writable by nobody else, in a parent
 * that is one of them (or `/`), so that only root can swap them or anything in them for a link. The CA and
 * config files of /usr/lib/python3, a JDK or /etc/ssl walk the same prefixes again; a user's HOME, /tmp and
 * whatever lies under them are looked at every time (a user could swap a directory there for a link between
 * two walks). A long-lived process looks again after REAL_DIR_MS (a monotonic clock).
 */
const realDirs = new Map<string, number>();
const REAL_DIR_MS = 1000;

/** Milliseconds on a monotonic clock: process.hrtime, since `performance` loads perf_hooks (nine modules). */
function now(): number {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}

/** Remembered, and not for longer than REAL_DIR_MS. */
function rootOnly(dir: string): boolean {
  if (dir === '/') return true;
  const seen = realDirs.get(dir);
  return seen !== undefined && now() - seen < REAL_DIR_MS;
}

/** Look at every component again: stores/read-memo.ts starts recording, and must see each lstat made. */
export function forgetRealDirs(): void {
  realDirs.clear();
}

/**
 * Where `path` really leads, checked the way `sudo certifix` must read someone else's HOME: every component
 * from `/` down is looked at with lstat (but those only root can change, see realDirs), and a symlink on the way (the file itself or any directory above it,
 * e.g. ~/.config -> /root/secret) is followed only when root owns it or its owner also owns what it leads to:
 * a user's ~/.npmrc -> ~/dotfiles/npmrc is theirs; ~/.npmrc -> /root/.npmrc, or ~/.config -> /root/x, is not
 * (apply/guard.ts likewise refuses to write through such a link). Links the system ships (root's) are
 * followed as ever. Null when such a link is on the way or a component is missing.
 */
export function ownedPath(path: string, cwd = process.cwd()): string | null {
  const todo = (path.startsWith('/') ? path : `${cwd}/${path}`).split('/').reverse(); // a stack of components
  let cur = '/';
  let hops = 0;
  for (let part = todo.pop(); part !== undefined; part = todo.pop()) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      cur = dirname(cur); // `cur` is real already, so its parent is the kernel's `..`
      continue;
    }
    const next = cur === '/' ? `/${part}` : `${cur}/${part}`;
    if (rootOnly(next)) {
      cur = next;
      continue;
    }
    const link = lstatSync(next, { throwIfNoEntry: false });
    if (!link) return null;
    if (!link.isSymbolicLink()) {
      if (link.isDirectory() && link.uid === 0 && (link.mode & 0o022) === 0 && rootOnly(cur)) {
        if (realDirs.size >= 4096) realDirs.clear();
        realDirs.set(next, now());
      }
      cur = next;
      continue;
    }
    if (++hops > 40) return null; // a loop (Linux gives up after 40 links: ELOOP)
    if (link.uid === 0) {
      // Root's link (/etc/ssl/certs is made of them): its target is walked on, each component under the
      // same rule, rather than resolved again from `/` (a system call saved per component).
      const target = readlinkSync(next);
      if (target.startsWith('/')) cur = '/';
      todo.push(...target.split('/').reverse());
      continue;
    }
    let real: string;
    try {
      real = realpathSync(next);
    } catch {
      return null; // dangling, or a loop
    }
    if (link.uid !== statSync(real).uid) return null;
    cur = real;
  }
  return cur;
}

/**
 * The path to open for `path` when reading it as a file from HOME: as root, where `ownedPath` lets it lead
 * (null when a link on the way is refused); for anyone else `path` itself, untouched (no extra system calls).
 * Open what it returns with `readCheckedSync` (or the flags of `checkedOpenFlags`).
 */
export function checkedPath(path: string): string | null {
  return asRoot ? ownedPath(path) : path;
}

/**
 * Flags to open a path `checkedPath` returned: O_NONBLOCK, so a FIFO is refused instead of blocking the read,
 * and as root O_NOFOLLOW, so a link swapped in since the check is not followed.
 */
export function checkedOpenFlags(): number {
  return O_RDONLY | O_NONBLOCK | (asRoot ? O_NOFOLLOW : 0);
}

/**
 * The bytes of a path `checkedPath` returned, at most `limit`. Throws when it cannot be opened, is not a
 * regular file, or is past `limit` (TOO_LARGE, naming `what`).
 */
export function readCheckedSync(target: string, limit: number, what = target): Buffer {
  const fd = openSync(target, checkedOpenFlags());
  try {
    if (!fstatSync(fd).isFile()) throw new Error(`${what} is not a regular file`);
    return readFdBoundedSync(fd, what, limit);
  } finally {
    closeSync(fd);
  }
}

/**
 * File text, or null when it cannot be read, is not a regular file (opened O_NONBLOCK, so a FIFO is refused
 * instead of blocking the read), is past `limit` bytes (MAX_CONFIG_BYTES), or (as root) lies behind a link `ownedPath`
 * refuses. As root the checked path is opened O_NOFOLLOW: a link swapped in since is not followed.
 */
export async function readText(path: string, limit = MAX_CONFIG_BYTES): Promise<string | null> {
  return readTextSync(path, limit);
}

/** readText for synchronous callers (a plan is plain data, computed synchronously). */
export function readTextSync(path: string, limit = MAX_CONFIG_BYTES): string | null {
  try {
    const target = checkedPath(path);
    return target === null ? null : readCheckedSync(target, limit, path).toString('utf8');
  } catch {
    return null;
  }
}

/** A directory's entries, read up to a bound. */
interface Listing {
  entries: Dirent[];
  /** The directory held more than the bound: the entries past it were not read. */
  capped: boolean;
}

/**
 * Up to `max` entries of `dir`, in the order the file system lists them, read in batches and stopping there
 * (readdirSync reads every name first: a directory in someone's HOME may hold millions), or at the first entry
 * `until` accepts (included). As root, `dir` is listed only where `checkedPath` lets it lead. Each entry's
 * type is the entry's own (a symlink is not isDirectory()). Null when it cannot be listed.
 */
export function listDir(dir: string, max: number, until?: (e: Dirent) => boolean): Listing | null {
  const target = checkedPath(dir);
  if (target === null) return null;
  let d: Dir;
  try {
    d = opendirSync(target, { bufferSize: 128 });
  } catch {
    return null;
  }
  const entries: Dirent[] = [];
  try {
    for (let e = d.readSync(); e !== null; e = d.readSync()) {
      if (entries.length === max) return { entries, capped: true };
      entries.push(e);
      if (until?.(e)) break;
    }
    return { entries, capped: false };
  } catch {
    return null;
  } finally {
    d.closeSync();
  }
}

export async function real(path: string): Promise<string> {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

// Synchronous on purpose: a PATH search is a few dozen stat calls answered from the kernel's cache, and
// sending each through the libuv thread pool cost diagnose several milliseconds.
function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function* candidates(name: string, ctx: Pick<Context, 'env' | 'cwd'>): Generator<string> {
  if (isAbsolute(name)) {
    yield name;
    return;
  }
  for (const dir of (ctx.env.PATH ?? '').split(delimiter)) if (dir) yield resolve(ctx.cwd, dir, name);
}

/** Every match of `name` on `ctx.env.PATH`, in order (like `which -a`), without duplicates. */
export async function whichAll(name: string, ctx: Pick<Context, 'env' | 'cwd'>): Promise<string[]> {
  return whichAllSync(name, ctx);
}

/** whichAll for synchronous callers (a plan is plain data, computed synchronously). */
export function whichAllSync(name: string, ctx: Pick<Context, 'env' | 'cwd'>): string[] {
  const out: string[] = [];
  for (const p of candidates(name, ctx)) if (!out.includes(p) && executable(p)) out.push(p);
  return out;
}

/** The first match of `name` on `ctx.env.PATH`, as the shell would run it. */
export async function which(name: string, ctx: Pick<Context, 'env' | 'cwd'>): Promise<string | null> {
  for (const p of candidates(name, ctx)) if (executable(p)) return p;
  return null;
}

/** `~/x` and `$VAR`/`${VAR}` expansion as config files allow it. */
export function expand(value: string, ctx: Pick<Context, 'env' | 'home'>): string {
  const v = value.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_, a, b) => ctx.env[a ?? b] ?? '',
  );
  return v === '~' ? ctx.home : v.startsWith('~/') ? join(ctx.home, v.slice(2)) : v;
}

/** The env value, or undefined when unset or empty (most clients treat empty as unset). */
export function envOf(ctx: Pick<Context, 'env'>, name: string): string | undefined {
  const v = ctx.env[name];
  return v ? v : undefined;
}
