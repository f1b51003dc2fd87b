/**
 * The `diagnose --json` document: a contract other tools build on. Extend it, never break it.
 */
export interface ChainEntry {
  subject: string;
  issuer: string;
  sha256: string;
  ca: boolean;
  selfSigned: boolean;
  notBefore: string;
  notAfter: string;
}

export interface AnchorInfo {
  subject: string;
  sha256: string;
  inSystemStore: boolean;
  inMozilla: boolean;
}

export interface ClientReport {
  id: string;
  ok: boolean;
  code: string;
  message: string;
  /** The client's own wording of the failure. */
  printed?: string;
  version?: string;
  /** Where the client takes its CAs from now, and why. */
  /** `warnings`: what resolving the store found amiss (a file it names is missing, a listing cut short). */
  trustStore: { source: string; path: string | null; via?: string; why?: string; warnings?: string[] };
  /** The installation's environment (a Python prefix: `~/miniconda3/envs/ds (conda, Python 3.11.5)`). */
  environment?: string;
  /** Other environments of this client with the same store and verdict, folded into this row. */
  alsoIn?: string[];
}

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  id: string;
  severity: Severity;
  message: string;
  fix: string;
  /** Extra evidence: names on the certificate, fetched issuers, ... */
  details?: Record<string, unknown>;
}

export interface DiagnoseReport {
  target: { url: string; host: string; port: number; proxy: string | null };
  /** TLS version negotiated by the capture handshake. */
  protocol?: string;
  chain: ChainEntry[];
  anchor: AnchorInfo | null;
  interception: { detected: boolean; product: string | null };
  clients: ClientReport[];
  findings: Finding[];
}
