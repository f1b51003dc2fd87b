/**
 * Shared inputs for the analysis and findings tests: certificates from a real (openssl-made) PKI turned into
 * `Cert`s, and `analyze()` inputs with an explicit OS store, Mozilla set and clients. No network.
 */
import type { AnalysisInput, ClientInput } from '../../../src/core/analysis.ts';
import { type Cert, parseCerts } from '../../../src/core/cert.ts';
import { TrustIndex } from '../../../src/core/trust-index.ts';
import type { Profile } from '../../../src/core/verify/types.ts';
import type { Issued } from '../../helpers/pki.ts';

/** A fresh `Cert` for an issued certificate (a new object each call, as a capture would produce). */
export function cert(i: Issued): Cert {
  return parseCerts(i.pem).certs[0] as Cert;
}

/** A client whose store holds `anchors`, verifying with `profile`. */
export function client(id: string, anchors: Issued[], profile: Profile = 'openssl'): ClientInput {
  return {
    id,
    source: { source: 'test', path: `/stores/${id}.pem`, why: `${id} test store`, profile },
    anchors: new TrustIndex(anchors.map(cert)),
    render: (v, host) => `${id}: ${v.code} for ${host}`,
  };
}

export interface CaseInput {
  /** As the server sends it. */
  chain: Issued[];
  host: string;
  /** OS store. */
  system?: Issued[];
  /** Stand-ins for Mozilla's roots (default none, so every test root is "not public"). */
  mozilla?: Issued[];
  proxy?: string | null;
  clients?: ClientInput[];
  fetched?: Array<{ url: string; cert: Issued; kept?: boolean }>;
  at?: Date;
}

export function input(c: CaseInput): AnalysisInput {
  return {
    target: { url: `https://${c.host}:443/`, host: c.host, port: 443, proxy: c.proxy ?? null },
    chain: c.chain.map(cert),
    system: new TrustIndex((c.system ?? []).map(cert)),
    mozilla: new TrustIndex((c.mozilla ?? []).map(cert)),
    clients: c.clients ?? [],
    fetched: c.fetched
      ? { certs: c.fetched.map((f) => ({ url: f.url, cert: cert(f.cert), kept: f.kept })), errors: [] }
      : undefined,
    at: c.at,
  };
}
