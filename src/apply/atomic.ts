/**
 * Atomic file replacement: write a temp file in the target's directory, fsync it, rename it over the target,
 * fsync the directory. A reader (or a crash) sees the old bytes or the new bytes, never a mix. Symlinks are
 * followed, so a dotfiles-managed ~/.bashrc -> ~/dotfiles/bashrc gets its target edited and keeps its link.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chown, lstat, mkdir, open, readdir, readlink, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, parse, resolve } from 'node:path';
import { readStreamBounded } from '../bounded.ts';
import { CertifixError, fileErrorReason } from '../core/errors.ts';

export const isRoot = () => process.getuid?.() === 0;

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}

/** The file a write to `path` really lands in: symlinks followed, dangling ones included. */
export async function resolveTarget(path: string): Promise<string> {
  let p = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    let st: Awaited<ReturnType<typeof lstat>>;
    try {
      st = await lstat(p);
    } catch (e) {
      if (code(e) === 'ENOENT') return p;
      throw ioError('read', p, e);
    }
    if (!st.isSymbolicLink()) return p;
    p = resolve(dirname(p), await readlink(p));
  }
  throw new CertifixError('IO', `too many levels of symbolic links at ${path}`);
}

/** Refuse a symlink where certifix keeps its own files (and the data directory itself). */
export async function assertNotSymlink(path: string, what = 'certifix’s own file'): Promise<void> {
  let st: Awaited<ReturnType<typeof lstat>>;
  try {
    st = await lstat(path);
  } catch (e) {
    if (code(e) === 'ENOENT' || code(e) === 'ENOTDIR') return;
    throw e;
  }
  if (st.isSymbolicLink()) {
    throw new CertifixError(
      'REFUSED',
      `${path} (${what}) is a symbolic link; certifix never writes through one`,
      {
        hint: `remove ${path} (certifix recreates it), then run certifix again`,
      },
    );
  }
}

/** The file's bytes, or null when it does not exist. */
/** Files certifix edits or restores: dotfiles and configs, its bundle (< 4 MB), a JDK truststore copy. */
const MAX_EDITED_BYTES = 16 * 1024 * 1024;

/**
 * A file's bytes, or null when it does not exist; bounded, and only a regular file (opened O_NONBLOCK, so a
 * FIFO put in a dotfile's place is refused instead of blocking, and /dev/zero is not read without end).
 */
export async function readMaybe(path: string, limit = MAX_EDITED_BYTES): Promise<Buffer | null> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    if (code(e) === 'ENOENT' || code(e) === 'ENOTDIR') return null;
    throw ioError('read', path, e);
  }
  try {
    if (!(await fh.stat()).isFile()) throw ioError('read', path, new Error('not a regular file'));
    return await readStreamBounded(fh.createReadStream({ autoClose: false }), path, limit);
  } finally {
    await fh.close();
  }
}

/** `could not write PATH (the directory DIR does not exist)`: the reason in plain words (core/errors.ts). */
export function ioError(verb: string, path: string, cause: unknown): CertifixError {
  const why = fileErrorReason(cause, path, verb.startsWith('read') || verb === 'inspect' ? 'read' : 'write');
  return new CertifixError('IO', `could not ${verb} ${path} (${why})`, { cause });
}

/** Temp files are named after their target, so undo can find ones a killed run left behind. */
export function tempPrefix(target: string): string {
  return `.${basename(target)}.certifix-`;
}

/** A fresh temp path next to `target`, named so `removeStaleTemps(target)` finds it after a crash. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `${tempPrefix(target)}${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

/** Remove temp files a killed run left next to `target` ("already gone" is fine). */
export async function removeStaleTemps(target: string): Promise<void> {
  const prefix = tempPrefix(target);
  let names: string[];
  try {
    names = await readdir(dirname(target));
  } catch {
    return;
  }
  for (const n of names) {
    if (n.startsWith(prefix) && n.endsWith('.tmp')) await unlink(join(dirname(target), n)).catch(() => {});
  }
}

/**
 * Create `dir` and missing parents; returns the directories created, outermost first, so undo can remove
 * exactly those (when empty). As root, each new directory gets its parent's owner, so `sudo certifix` in a
 * user's HOME does not leave root-owned directories there.
 */
export async function mkdirp(dir: string): Promise<string[]> {
  const missing: string[] = [];
  for (let d = resolve(dir); d !== parse(d).root; d = dirname(d)) {
    try {
      await stat(d);
      break;
    } catch (e) {
      if (code(e) !== 'ENOENT') throw ioError('inspect', d, e);
      missing.unshift(d);
    }
  }
  for (const d of missing) {
    try {
      await mkdir(d, { mode: 0o755 });
    } catch (e) {
      if (code(e) !== 'EEXIST') throw ioError('create directory', d, e);
    }
    if (isRoot()) await matchOwner(d, dirname(d));
  }
  return missing;
}

async function matchOwner(path: string, like: string): Promise<void> {
  const st = await stat(like);
  await chown(path, st.uid, st.gid).catch(() => {});
}

async function fsyncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, constants.O_RDONLY);
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Windows cannot open or fsync a directory; its rename is durable enough for a dotfile.
  }
}

async function renameRetrying(from: string, to: string): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      return await rename(from, to);
    } catch (e) {
      // Windows: a virus scanner or an editor may hold the target open for a moment.
      if (i >= 5 || !['EPERM', 'EACCES', 'EBUSY'].includes(code(e) ?? '')) throw e;
      await new Promise((r) => setTimeout(r, 50 * (i + 1)));
    }
  }
}

interface WriteOptions {
  /** Mode for a new file (default 0o644); an existing file keeps its own mode unless `forceMode`. */
  mode?: number;
  forceMode?: boolean;
  /** Refuse when `path` is a symlink instead of following it (certifix's own files). */
  noFollow?: boolean;
  /** Called with the temp file complete and synced, just before the rename (crash tests). */
  beforeRename?: () => Promise<void> | void;
}

/** Replace the file `path` points to with `data`, atomically. Returns the path actually written. */
export async function writeAtomic(
  path: string,
  data: Buffer | string,
  opts: WriteOptions = {},
): Promise<string> {
  if (opts.noFollow) await assertNotSymlink(path);
  const target = opts.noFollow ? resolve(path) : await resolveTarget(path);
  const dir = dirname(target);
  let old: Awaited<ReturnType<typeof stat>> | null = null;
  try {
    old = await stat(target);
  } catch (e) {
    if (code(e) !== 'ENOENT') throw ioError('inspect', target, e);
  }
  const mode = opts.forceMode || !old ? (opts.mode ?? 0o644) : old.mode & 0o7777;
  const tmp = tempPathFor(target);
  try {
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(data);
      await fh.chmod(mode); // open()'s mode is filtered by the umask; chmod is not
      if (isRoot()) {
        const owner = old ?? (await stat(dir));
        await fh.chown(owner.uid, owner.gid).catch(() => {});
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    await opts.beforeRename?.();
    await renameRetrying(tmp, target);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e instanceof CertifixError ? e : ioError('write', target, e);
  }
  await fsyncDir(dir);
  return target;
}
