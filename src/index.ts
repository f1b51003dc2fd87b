/**
 * certifix as a library: one function per command, each returning the document `certifix <command> --json`
 * prints, with its option and result types; and the building blocks a caller needs around them (parse
 * certificates, verify a chain, the error class). Everything else is internal.
 *
 *   import { diagnose, fix, parseCerts, verifyChain } from 'certifix';
 */

// The commands (src/commands/).
export {
  type CheckOptions,
  type CheckReport,
  type ClientCheck,
  check,
  type DiagnoseOptions,
  diagnose,
  type ExplainOptions,
  type ExplainReport,
  type ExportFormat,
  type ExportOptions,
  type ExportReport,
  type ExportWhat,
  explain,
  exportCertificates,
  type FixOptions,
  type FixQuestion,
  type FixReport,
  type FixStep,
  fix,
  type NotProved,
  type NotRun,
  type ProbeOptions,
  type ProbeReport,
  type Proof,
  probe,
  type RefreshOptions,
  type RefreshReport,
  refresh,
  type StatusOptions,
  type StatusReport,
  status,
  type UndoOptions,
  type UndoQuestion,
  type UndoResult,
  undo,
  type VerifyOptions,
  type VerifyReport,
  verify,
} from './commands/index.ts';
// The context every command takes last (defaults to this process).
export { processContext } from './context.ts';
// Certificates and verification.
export type { Cert } from './core/cert.ts';
export { formatFingerprint, parseCerts, toPem } from './core/cert.ts';
// Errors: one class, a stable code.
export { CertifixError, type ErrorCode, isCertifixError } from './core/errors.ts';
// What diagnose returns.
export type {
  AnchorInfo,
  ChainEntry,
  ClientReport,
  DiagnoseReport,
  Finding,
  Severity,
} from './core/report.ts';
export { errorInfo, verifyChain } from './core/verify/index.ts';
export type { Profile, VerifyInput, VerifyResult } from './core/verify/types.ts';
export type { ClientId, Context, Runner } from './types.ts';
