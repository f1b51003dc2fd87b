/** The executor of plans: apply (with --dry-run), undo, and what is configured now. */

export { drift, type FileDrift, symlinkTarget } from './drift.ts';
export { type ApplyResult, applyPlans, type FileChange } from './execute.ts';
export { readOwnFile } from './guard.ts';
export { type Journal, readJournal } from './journal.ts';
export { renderUndoListing, type UndoListing, undoListing } from './listing.ts';
export { certifixPaths } from './paths.ts';
export { type UndoResult, undoAll } from './undo.ts';
