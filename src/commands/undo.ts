/**
 * `undo` as a library call: give every file certifix changed its previous bytes back (apply/undo.ts replays
 * the journal backwards), keeping the user's own edits made since. Running it again does nothing.
 */
import { readJournal, type UndoListing, type UndoResult, undoAll, undoListing } from '../apply/index.ts';
import { processContext } from '../context.ts';
import { CertifixError } from '../core/errors.ts';
import type { Context } from '../types.ts';

/**
 * The one decision undo needs: restore all of these? The files (as the plans named them), and what lives
 * outside files: Windows user environment values, macOS launchd variables, each with what it returns to.
 */
export interface UndoQuestion {
  kind: 'restore';
  listing: UndoListing;
}

export interface UndoOptions {
  /**
   * Asked before anything changes, when there is something to undo. Without it, undo goes ahead as
   * `certifix undo --yes` does. Answering no throws CANCELLED and changes nothing.
   */
  confirm?: ((question: UndoQuestion) => Promise<boolean>) | undefined;
}

export type { UndoResult };

/** `certifix undo --json` as a library call. `ctx` defaults to this process. */
export async function undo(opts: UndoOptions = {}, ctx: Context = processContext()): Promise<UndoResult> {
  const journal = await readJournal(ctx);
  if (journal && opts.confirm) {
    if (!(await opts.confirm({ kind: 'restore', listing: undoListing(journal) })))
      throw new CertifixError('CANCELLED', 'nothing changed.');
  }
  return undoAll(ctx);
}
