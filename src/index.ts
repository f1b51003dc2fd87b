/**
 * certifix as a library. Everything public is re-exported here, explicitly; anything else is internal.
 *
 *   import { diagnose, probe, verifyChain } from 'certifix';
 */

// Applying plans: journal, undo, drift.
export {
  type ApplyOptions,
  type ApplyResult,
  applyPlans,
  type CertifixPaths,
  certifixPaths,
  drift,
  type FileChange,
  type FileDrift,
  readJournal,
  type UndoResult,
  undoAll,
} from './apply/index.ts';
export { registry } from './clients/registry.ts';
export type { Client } from './clients/types.ts';
// Running the real clients.
export {
  type CheckOptions,
  type CheckReport,
  type ClientCheck,
  check,
  checkInstalls,
} from './commands/check.ts';
// Diagnosis.
export { type DiagnoseOptions, type Diagnosis, diagnose } from './commands/diagnose.ts';
export { type ProbeOptions, type ProbeReport, probe } from './commands/probe.ts';
export { type StatusOptions, type StatusReport, status } from './commands/status.ts';
export { processContext, runProcess } from './context.ts';
export { renderBundle } from './core/bundle.ts';
// Certificates and verification.
export type { Cert } from './core/cert.ts';
export { formatFingerprint, normalizeFingerprint, parseCerts, toPem, uniqueCerts } from './core/cert.ts';
export { CertifixError, type ErrorCode, isCertifixError } from './core/errors.ts';
// Pasted errors.
export { advise, type ExplainedError, parseError } from './core/explain/index.ts';
export type { Change, Plan } from './core/plan.ts';
export { PRODUCTS, type Product, recognizeProduct } from './core/products.ts';
export type {
  AnchorInfo,
  ChainEntry,
  ClientReport,
  DiagnoseReport,
  Finding,
  Severity,
} from './core/report.ts';
export { type Candidate, type Origin, type Screened, screen } from './core/screen.ts';
export { TrustIndex } from './core/trust-index.ts';
export { errorInfo, verifyChain } from './core/verify/index.ts';
export type { Profile, VerifyInput, VerifyResult } from './core/verify/types.ts';
// Fixing.
export {
  type ChosenRoot,
  envAfter,
  type FixPlan,
  planFix,
  readChosenRoots,
  selectRoots,
} from './fix/index.ts';
export { aiaUrls, fetchMissingIssuers } from './net/aia.ts';
// The network edge.
export { type CaptureResult, captureChain } from './net/capture.ts';
export { type ProxyConfig, resolveProxy } from './net/proxy.ts';
export { parseTarget, type Target } from './net/target.ts';
// Trust stores.
export { isMozillaRoot, localRoots, mozillaRoots, systemStore } from './stores/index.ts';
export type { ClientId, Context, Installation, Runner, TrustSource, Verdict } from './types.ts';
