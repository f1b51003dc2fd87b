/**
 * The data of a diagnosis: what `analyze()` takes (the chain, the stores, each client's view) and what the
 * findings rules read. Kept apart from both so the rules and the analysis import it, not each other.
 */
import type { RenderDetail } from '../types.ts';
import type { Cert } from './cert.ts';
import type { VerifyPolicy } from './predict.ts';
import type { Finding } from './report.ts';
import type { TrustIndex } from './trust-index.ts';
import type { Profile, VerifyResult } from './verify/types.ts';

/** What one client would do with the chain, before rendering. */
export interface ClientInput {
  id: string;
  version?: string | undefined;
  /** The installation's environment, for rows per environment (core/environments.ts). */
  environment?: string | undefined;
  source: {
    source: string;
    path: string | null;
    via?: string | undefined;
    why: string;
    profile: Profile;
    warnings?: string[] | undefined;
  };
  anchors: TrustIndex;
  /** How the client verifies (its stack); default: OpenSSL's defaults with `source.profile`. */
  policy?: VerifyPolicy | undefined;
  /** The client's own wording of a failure; `detail` gives the URL and the certificate it is about. */
  render: (
    v: { ok: boolean; code: string; message: string },
    host: string,
    port?: number,
    detail?: RenderDetail,
  ) => string;
}

export interface AnalysisInput {
  target: { url: string; host: string; port: number; proxy: string | null };
  protocol?: string | undefined;
  /** As the server sent them, in order. */
  chain: Cert[];
  system: TrustIndex;
  mozilla: TrustIndex;
  clients: ClientInput[];
  at?: Date | undefined;
  /** Issuers the server did not send, fetched from AIA caIssuers URLs (evidence, never trusted by clients). */
  fetched?:
    | {
        certs: Array<{ url: string; cert: Cert; kept?: boolean | undefined }>;
        errors: Array<{ url: string; error: string }>;
      }
    | undefined;
}

/** Everything the findings rules may look at. */
export interface Analysis extends AnalysisInput {
  anchor: Cert | null;
  anchorInSystem: boolean;
  anchorInMozilla: boolean;
  product: string | null;
  intercepted: boolean;
  /** The verdict for each client, in `clients` order. */
  verdicts: VerifyResult[];
  /** The verdict with the OS store as trust (what curl/browsers see). */
  systemVerdict: VerifyResult;
}

/** A rule looks at the analysis and returns the findings it is sure of (none when it does not apply). */
export type Rule = (a: Analysis) => Finding[];
