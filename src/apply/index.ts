/** The executor of plans: apply (with --dry-run), undo, and what is configured now. */

export { drift, driftOf, type FileDrift } from './drift.ts';
export { editText, type FileOp } from './edits.ts';
export {
  type ApplyOptions,
  type ApplyResult,
  type ApplyStep,
  applyPlans,
  type FileChange,
} from './execute.ts';
export { type EditRecord, type Journal, type JournalEntry, readJournal } from './journal.ts';
export { renderUndoListing, type UndoListing, undoListing } from './listing.ts';
export { acquireLock, type Lock } from './lock.ts';
export { type CertifixPaths, certifixPaths, dataDir } from './paths.ts';
export { type EnvTarget, type EnvTargetId, envTargets } from './shells.ts';
export { type UndoConflict, type UndoResult, undoAll } from './undo.ts';
