/**
 * A client's verdict from its verification stack: the verifier runs with the client's profile, security level
 * and host-name rules, and the host name is checked where the client checks it — inside the library's chain
 * verification (OpenSSL with X509_VERIFY_PARAM_set1_host: its error is ordered among the chain's), or by the
 * client itself once the chain verified (Node's checkServerIdentity, urllib3 1.26's match_hostname, curl's and
 * libcurl-gnutls' own checks), so an untrusted chain with a wrong name fails on the chain there.
 */
import type { Cert } from './cert.ts';
import { certInfo } from './extensions.ts';
import type { TrustIndex } from './trust-index.ts';
import { ipBytes } from './verify/hostname.ts';
import {
  errorInfo,
  type GnutlsOptions,
  type HostFlags,
  nameMatches,
  type Profile,
  type VerifyResult,
  verifyChain,
} from './verify/index.ts';

/** Everything a client's verdict depends on besides the chain, the store, the host and the time. */
export interface VerifyPolicy {
  profile: Profile;
  /** OpenSSL security level the client's context runs at (ignored by the `gnutls` profile). */
  securityLevel: number;
  /** Where the host name is checked: `handshake` (by the TLS library, among the chain checks) or `after-chain`. */
  hostCheck: 'handshake' | 'after-chain';
  hostFlags: HostFlags;
  gnutls?: GnutlsOptions | undefined;
}

/** What the verifier assumed before clients had stacks: OpenSSL's defaults, the name among the chain checks. */
export function defaultPolicy(profile: Profile): VerifyPolicy {
  return { profile, securityLevel: 1, hostCheck: 'handshake', hostFlags: {} };
}

interface PredictInput {
  leaf: Cert;
  untrusted: readonly Cert[];
  trusted: TrustIndex;
  host: string;
  at?: Date | undefined;
}

export function predict(policy: VerifyPolicy, input: PredictInput): VerifyResult {
  const base = {
    ...input,
    profile: policy.profile,
    securityLevel: policy.securityLevel,
    hostFlags: policy.hostFlags,
    gnutls: policy.gnutls,
  };
  if (policy.hostCheck === 'handshake') return verifyChain(base);
  const chain = verifyChain({ ...base, host: undefined });
  if (!chain.ok || nameMatches(certInfo(input.leaf), input.host, policy.hostFlags)) return chain;
  const e = errorInfo(ipBytes(input.host) ? 'IP_ADDRESS_MISMATCH' : 'HOSTNAME_MISMATCH');
  return {
    ...chain,
    ok: false,
    code: e.code,
    message: e.message,
    depth: 0,
    errors: [{ code: e.code, depth: 0 }],
  };
}
