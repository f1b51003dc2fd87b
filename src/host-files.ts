/**
 * Small file helpers for adapters and stores: every lookup is a stat or a read (no spawning), and
 * system-wide paths go through `sys()` so tests can redirect them with `ctx.sysroot`.
 *
 * Synchronous underneath, async in shape: diagnose asks a few hundred of these questions of local files the
 * kernel answers from its cache in microseconds, and sending each through libuv's thread pool cost ~900
 * context switches a run (`/usr/bin/time -v`: 904 against a bare handshake's 24), more than the reads.
 */
import { accessSync, constants, lstatSync, realpathSync, type Stats, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { MAX_CONFIG_BYTES, readFileBoundedSync } from './bounded.ts';
import type { Context } from './types.ts';

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
 * As root (`sudo certifix` in someone's HOME), a file reached through a symlink counts only when whoever
 * owns the link also owns what it leads to: a user's ~/.npmrc -> ~/dotfiles/npmrc is theirs, ~/.npmrc ->
 * /root/.npmrc is not read (apply/guard.ts likewise refuses to write through such a link). Links the system
 * ships (root's, to root's files) are followed as ever.
 */
function strangersLink(path: string, target: Stats): boolean {
  if (process.getuid?.() !== 0) return false;
  const link = lstatSync(path, { throwIfNoEntry: false });
  return link?.isSymbolicLink() === true && link.uid !== target.uid;
}

/**
 * File text, or null when it cannot be read, is not a regular file (a FIFO would block the read), is past
 * MAX_CONFIG_BYTES, or (as root) is reached through a link to a file the link's owner does not own.
 */
export async function readText(path: string): Promise<string | null> {
  try {
    const st = statSync(path);
    if (!st.isFile() || strangersLink(path, st)) return null;
    return readFileBoundedSync(path, MAX_CONFIG_BYTES).toString('utf8');
  } catch {
    return null;
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
