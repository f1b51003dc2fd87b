/**
 * Undo everything the journal records. A file still holding what certifix wrote gets its original bytes
 * back exactly (or is deleted, if certifix created it); a file the user edited since keeps their edits and
 * loses only certifix's lines. Then the bundle, the journal and certifix's directories go. "Already gone"
 * is success, so undo can be re-run, including after an interrupted apply or an interrupted undo.
 */
import { rm, rmdir, stat, unlink } from 'node:fs/promises';
import { decode, encode } from '../formats/text.ts';
import type { Context, Runner } from '../types.ts';
import { ioError, readMaybe, removeStaleTemps, writeAtomic } from './atomic.ts';
import { removeStaging } from './datadir.ts';
import { revertEdit } from './edits.ts';
import { assertDataDirSafe } from './guard.ts';
import { assertJournalPaths, type JournalEntry, originalBytes, readJournal, sha256 } from './journal.ts';
import { undoSessionEnv } from './launchd.ts';
import { acquireLock } from './lock.ts';
import { type CertifixPaths, certifixPaths } from './paths.ts';
import { undoUserEnv } from './registry.ts';

interface UndoConflict {
  path: string;
  reason: string;
}

export interface UndoResult {
  /** Files given back their original bytes (or, after user edits, all of certifix's lines removed). */
  restored: string[];
  /** Files certifix had created, deleted. */
  removed: string[];
  /** Files changed by someone else since: what was kept and why. */
  conflicts: UndoConflict[];
  /** Nothing to undo (no journal): a second undo. */
  nothing: boolean;
}

type Ctx = Pick<Context, 'env' | 'home' | 'platform'> & { run?: Runner };

async function removeFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError('remove', path, e);
  }
}

/** Remove directories certifix created, innermost first, when they are empty. */
export async function removeDirs(dirs: readonly string[]): Promise<void> {
  for (const d of [...dirs].reverse()) await rmdir(d).catch(() => {});
}

async function undoEntry(entry: JournalEntry, paths: CertifixPaths, out: UndoResult): Promise<void> {
  const shown = entry.link ?? entry.path;
  await removeStaleTemps(entry.path);
  const cur = await readMaybe(entry.path);
  const curSha = cur ? sha256(cur) : null;
  const ownFile = entry.path.startsWith(paths.dir);

  if (cur === null) {
    // Never created (killed before the rename), or already undone: success. Deleted by the user: respected.
    if (entry.existedBefore)
      out.conflicts.push({ path: shown, reason: 'deleted after certifix changed it; left deleted' });
  } else if (curSha === entry.beforeSha256) {
    // Never written (killed before the rename), or already restored.
  } else if (entry.ours.includes(curSha as string) || ownFile) {
    const original = await originalBytes(entry);
    if (original === null) {
      await removeFile(entry.path);
      out.removed.push(shown);
    } else {
      const mode = entry.mode ?? undefined;
      await writeAtomic(entry.path, original, mode === undefined ? {} : { mode, forceMode: true });
      out.restored.push(shown);
    }
  } else {
    await undoEdited(entry, cur, shown, out);
  }
  await removeDirs(entry.createdDirs);
}

/** The user changed the file after certifix: take out only our lines, keep the rest, and say so. */
async function undoEdited(entry: JournalEntry, cur: Buffer, shown: string, out: UndoResult): Promise<void> {
  const { text, encoding } = decode(cur);
  let next = text;
  const reasons: string[] = [];
  for (const rec of [...entry.edits].reverse()) {
    const r = revertEdit(next, rec);
    next = r.text;
    if (r.conflict) reasons.push(r.conflict);
  }
  const onlyBlocks = entry.edits.every((r) => r.kind === 'block');
  if (!entry.existedBefore && onlyBlocks && next.trim() === '') {
    await removeFile(entry.path);
    out.removed.push(shown);
  } else if (next !== text) {
    const bytes = encode(next, encoding);
    await writeAtomic(entry.path, bytes);
    out.restored.push(shown);
    // The user's edit was undone by themselves, or was only inside our lines: nothing of theirs was kept.
    if (reasons.length === 0 && sha256(bytes) === entry.beforeSha256) return;
  }
  out.conflicts.push({
    path: shown,
    reason: [
      'edited after certifix changed it; removed only certifix’s changes and kept the rest',
      ...reasons,
    ].join('; '),
  });
}

/** Remove what certifix keeps in its data directory (bundle, backups, journal, leftovers of killed runs). */
async function removeOwnFiles(paths: CertifixPaths): Promise<void> {
  await rm(paths.bundle, { force: true });
  await rm(paths.backups, { recursive: true, force: true });
  await removeStaleTemps(paths.journal);
  await removeStaleTemps(paths.bundle);
  await rm(paths.journal, { force: true });
  await removeStaleTemps(paths.lock); // a run killed while creating the lock (lock.ts tryCreate)
}

/** Undo every change certifix made on this machine. Throws LOCKED while another run is changing it. */
export async function undoAll(ctx: Ctx): Promise<UndoResult> {
  const paths = certifixPaths(ctx);
  await removeStaging(paths);
  try {
    await stat(paths.dir);
  } catch {
    return { restored: [], removed: [], conflicts: [], nothing: true }; // never ran, or already undone
  }
  await assertDataDirSafe(ctx);
  const lock = await acquireLock(paths.lock);
  let done: Awaited<ReturnType<typeof undoLocked>>;
  try {
    done = await undoLocked(ctx);
  } finally {
    await lock.release();
  }
  // The data directory (and parents certifix created), when nothing else is in them.
  await removeDirs(union([paths.dir], done.createdDirs));
  return done.result;
}

/** The undo itself, for a caller that holds the lock (undo, and a fix rolling back its own run). */
export async function undoLocked(ctx: Ctx): Promise<{ result: UndoResult; createdDirs: string[] }> {
  const paths = certifixPaths(ctx);
  const out: UndoResult = { restored: [], removed: [], conflicts: [], nothing: true };
  let createdDirs: string[] = [];
  const journal = await readJournal(ctx);
  // A tampered journal is refused whole, before anything is changed.
  if (journal) await assertJournalPaths(journal, ctx);
  if (journal) {
    out.nothing = false;
    createdDirs = journal.createdDirs;
    for (const entry of [...journal.entries].reverse()) await undoEntry(entry, paths, out);
    if (journal.launchd?.length) {
      const run = ctx.run ?? (await import('../context.ts')).runProcess;
      const r = await undoSessionEnv(run, journal.launchd);
      out.restored.push(...r.restored);
      out.conflicts.push(...r.conflicts);
    }
    if (journal.registry?.length) {
      // Windows: HKCU\Environment values back to their previous type and data, or removed (registry.ts).
      const run = ctx.run ?? (await import('../context.ts')).runProcess;
      const r = await undoUserEnv(run, journal.registry);
      out.restored.push(...r.restored);
      out.removed.push(...r.removed);
      out.conflicts.push(...r.conflicts);
    }
  }
  await removeOwnFiles(paths);
  return { result: out, createdDirs };
}

const union = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])].sort();
