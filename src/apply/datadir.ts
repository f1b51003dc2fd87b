/**
 * Creating certifix's data directory without a window where a crash leaves untracked directories behind:
 * the missing directories are built in a staging directory next to the outermost one, with the lock taken
 * and a journal (recording those directories) inside, then renamed into place in one step. A run killed
 * before the rename leaves only the staging directory, which undo recognizes by name and removes.
 */
import { chown, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { ioError, isRoot, mkdirp, tempPathFor, tempPrefix } from './atomic.ts';
import { newJournal, writeJournal } from './journal.ts';
import { acquireLock, heldLock, type Lock } from './lock.ts';
import type { CertifixPaths } from './paths.ts';

/** Directories `mkdirp(dir)` would create, outermost first. */
export async function missingDirs(dir: string): Promise<string[]> {
  const missing: string[] = [];
  for (let d = dir; d !== dirname(d); d = dirname(d)) {
    try {
      await stat(d);
      break;
    } catch {
      missing.unshift(d);
    }
  }
  return missing;
}

/** Make sure the data directory exists and take the lock in it. */
export async function openDataDir(paths: CertifixPaths): Promise<Lock> {
  const missing = await missingDirs(paths.dir);
  const top = missing[0];
  if (top === undefined) return acquireLock(paths.lock);
  const staging = tempPathFor(top);
  const inner = join(staging, relative(top, paths.dir));
  try {
    await mkdir(inner, { recursive: true, mode: 0o755 });
    if (isRoot()) {
      // `sudo certifix` in a user's HOME: the directories belong to that user, like HOME itself.
      const owner = await stat(dirname(top));
      for (let d = inner; d.startsWith(staging); d = dirname(d)) await chown(d, owner.uid, owner.gid);
    }
    await writeJournal(join(inner, 'journal.json'), newJournal(missing));
    await acquireLock(join(inner, 'lock'));
    await rename(staging, top);
    return heldLock(paths.lock);
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    // Another run created the directory meanwhile: use it (and its lock) like any existing one.
    if ((await missingDirs(paths.dir)).length < missing.length) {
      await mkdirp(paths.dir);
      return acquireLock(paths.lock);
    }
    throw ioError('create', paths.dir, e);
  }
}

/** Remove staging directories a killed run left next to any of the data directory's ancestors. */
export async function removeStaging(paths: CertifixPaths): Promise<void> {
  for (let d = paths.dir, i = 0; d !== dirname(d) && i < 6; d = dirname(d), i++) {
    const prefix = tempPrefix(d);
    const names = await readdir(dirname(d)).catch(() => [] as string[]);
    for (const n of names) {
      if (n.startsWith(prefix) && n.endsWith('.tmp'))
        await rm(join(dirname(d), n), { recursive: true, force: true });
    }
  }
}
