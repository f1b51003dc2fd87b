/**
 * The use cases: one library function per command, each returning the document `certifix <command> --json`
 * prints. Every function takes its options and, last, a Context that defaults to this process (its
 * environment, HOME and a runner that spawns real programs); tests pass their own.
 */
export { type CheckOptions, type CheckReport, type ClientCheck, check, type NotRun } from './check.ts';
export { type DiagnoseOptions, diagnose } from './diagnose.ts';
export { type ExplainOptions, type ExplainReport, explain } from './explain.ts';
export {
  type ExportFormat,
  type ExportOptions,
  type ExportReport,
  type ExportWhat,
  exportCertificates,
} from './export.ts';
export { type FixOptions, type FixQuestion, type FixReport, type FixStep, fix } from './fix.ts';
export { type ProbeOptions, type ProbeReport, probe } from './probe.ts';
export type { NotProved, Proof } from './prove.ts';
export { type RefreshOptions, type RefreshReport, refresh } from './refresh.ts';
export { type StatusOptions, type StatusReport, status } from './status.ts';
export { type UndoOptions, type UndoQuestion, type UndoResult, undo } from './undo.ts';
export { type VerifyOptions, type VerifyReport, verify } from './verify.ts';
