/**
 * One certifix run at a time changes a machine: an exclusive lock file created with O_EXCL, holding the
 * owner's pid, start time and host. A lock whose process is gone (kill -9, reboot) is stale and taken over.
 */

import { link, lstat, open, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { CertifixError } from '../core/errors.ts';
import { ioError, isRoot, tempPathFor } from './atomic.ts';
import { readOwnFile } from './guard.ts';

interface LockInfo {
  pid: number;
  /** When the owning process started (ms since epoch): tells a live owner from a reused pid. */
  startedAt: number;
  host: string;
}

export interface Lock {
  path: string;
  release(): Promise<void>;
}

const processStart = () => Math.round(Date.now() - process.uptime() * 1000);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** Linux: /proc/<pid> is created when the process starts; a newer one means the pid was reused. */
async function pidReused(info: LockInfo): Promise<boolean> {
  if (process.platform !== 'linux') return false;
  try {
    return (await stat(`/proc/${info.pid}`)).ctimeMs > info.startedAt + 5_000;
  } catch {
    return false;
  }
}

async function isStale(raw: string, mtimeMs: number): Promise<boolean> {
  let info: LockInfo;
  try {
    info = JSON.parse(raw) as LockInfo;
  } catch {
    // Empty or torn: the owner died between creating and writing it, or is writing it right now.
    return Date.now() - mtimeMs > 10_000;
  }
  if (typeof info.pid !== 'number') return true;
  // Another host sharing this HOME (NFS): its pids mean nothing here, so never call it stale.
  if (info.host !== hostname()) return false;
  if (info.pid === process.pid) return false;
  return !alive(info.pid) || (await pidReused(info));
}

function locked(path: string, raw: string): CertifixError {
  let pid = '?';
  try {
    pid = String((JSON.parse(raw) as LockInfo).pid);
  } catch {}
  return new CertifixError(
    'LOCKED',
    `another certifix run (pid ${pid}) is changing this machine; wait for it or remove ${path} if it crashed`,
  );
}

/**
 * Create the lock complete or not at all: write pid and start time to a private temp file, then link() it to
 * the lock path, which fails with EEXIST if a lock exists. A crash can never leave an empty lock behind (an
 * empty one would block every run until it looked stale).
 */
async function tryCreate(path: string): Promise<boolean> {
  const temp = tempPathFor(path);
  try {
    // 'wx': a fresh file, never an existing one (or a symlink someone planted under that name).
    const fh = await open(temp, 'wx', 0o644);
    try {
      // As root in a user's HOME, the lock belongs to that user like the directory it is in.
      if (isRoot()) {
        const dir = await stat(dirname(path));
        await fh.chown(dir.uid, dir.gid).catch(() => {});
      }
      const info: LockInfo = { pid: process.pid, startedAt: processStart(), host: hostname() };
      await fh.writeFile(`${JSON.stringify(info)}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await link(temp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw ioError('create the lock', path, e);
  } finally {
    await unlink(temp).catch(() => {});
  }
}

/** A lock this process already holds at `path` (created elsewhere, then moved there). */
export function heldLock(path: string): Lock {
  return { path, release: () => unlink(path).catch(() => {}) };
}

/** Take the lock at `path` (its directory must exist) or throw LOCKED. */
export async function acquireLock(path: string): Promise<Lock> {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await tryCreate(path)) {
      return heldLock(path);
    }
    let raw: string;
    let mtimeMs: number;
    try {
      const buf = await readOwnFile(path, 4096);
      if (buf === null) continue;
      raw = buf.toString('utf8');
      mtimeMs = (await lstat(path)).mtimeMs;
    } catch (e) {
      if (e instanceof CertifixError) throw e; // a symlink planted at the lock path
      continue; // released meanwhile: try again
    }
    if (!(await isStale(raw, mtimeMs))) throw locked(path, raw);
    // Move the stale lock aside (atomic, so two runs cannot both remove it), then check that what we moved
    // is the stale lock we judged and not a fresh one another run created in between.
    const aside = `${path}.stale-${process.pid}`;
    try {
      await rename(path, aside);
    } catch {
      continue;
    }
    const moved = String((await readOwnFile(aside, 4096).catch(() => null)) ?? '');
    if (moved !== raw) {
      await rename(aside, path).catch(() => {});
      throw locked(path, moved);
    }
    await unlink(aside).catch(() => {});
  }
  throw locked(path, String((await readOwnFile(path, 4096).catch(() => null)) ?? ''));
}
