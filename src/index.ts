/**
 * certifix as a library. Everything public is re-exported here, explicitly; anything else is internal.
 */

export type { Client, ClientId, Context, Installation, TrustSource, Verdict } from './clients/types.ts';
export type { Cert } from './core/cert.ts';
export { formatFingerprint, normalizeFingerprint, parseCerts, toPem, uniqueCerts } from './core/cert.ts';
export { CertifixError, type ErrorCode, isCertifixError } from './core/errors.ts';
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
export { TrustIndex } from './core/trust-index.ts';
export { verifyChain } from './core/verify/index.ts';
export type { Profile, VerifyInput, VerifyResult } from './core/verify/types.ts';
export { type DiagnoseOptions, type Diagnosis, diagnose } from './diagnose.ts';
