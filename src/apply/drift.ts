/**
 * What certifix configured, and what happened to it since (for `certifix status`). These read our records;
 * whether a client really trusts the bundle is `Client.check()`'s job, with a real handshake.
 */

import { lstat, readlink } from 'node:fs/promises';
import { decode } from '../formats/text.ts';
import type { Context } from '../types.ts';
import { readMaybe } from './atomic.ts';
import { checkEdit } from './edits.ts';
import { type Journal, type JournalEntry, readJournal, sha256 } from './journal.ts';

export interface FileDrift {
  /** The file as the plan named it. */
  path: string;
  /** ok: our part is in place; edited: someone changed or removed our part; missing: the file is gone. */
  state: 'ok' | 'edited' | 'missing';
  problems: string[];
  owners: string[];
}

/** Where the symlink at `path` points, or null when `path` is not a symlink. */
export async function symlinkTarget(path: string): Promise<string | null> {
  const st = await lstat(path).catch(() => null);
  if (!st?.isSymbolicLink()) return null;
  return readlink(path).catch(() => '(unreadable)');
}

/** Drift of one file against its journal entry. */
async function driftOf(entry: JournalEntry): Promise<FileDrift> {
  const base = { path: entry.link ?? entry.path, owners: entry.owners };
  // A link put where certifix wrote a file is drift, and is not followed (`sudo certifix status` in someone's
  // HOME must not read what a planted link leads to).
  const link = await symlinkTarget(entry.path);
  if (link !== null)
    return { ...base, state: 'edited', problems: [`the file was replaced by a symlink to ${link}`] };
  let cur: Buffer | null;
  try {
    cur = await readMaybe(entry.path);
  } catch (e) {
    return { ...base, state: 'edited', problems: [e instanceof Error ? e.message : String(e)] };
  }
  if (cur === null) return { ...base, state: 'missing', problems: ['the file is gone'] };
  const untouched = entry.ours.includes(sha256(cur));
  const text = decode(cur).text;
  const problems: string[] = [];
  for (const rec of entry.edits) {
    if (rec.kind === 'file') {
      if (!untouched) problems.push('the file was changed after certifix wrote it');
    } else {
      problems.push(...checkEdit(text, rec));
    }
  }
  return { ...base, state: problems.length ? 'edited' : 'ok', problems };
}

/** Drift of every file certifix changed (empty when certifix configured nothing). */
export async function drift(
  ctx: Pick<Context, 'env' | 'home' | 'platform'>,
  journal?: Journal | null,
): Promise<FileDrift[]> {
  const j = journal === undefined ? await readJournal(ctx) : journal;
  if (!j) return [];
  const out: FileDrift[] = [];
  for (const e of j.entries) out.push(await driftOf(e));
  return out;
}
