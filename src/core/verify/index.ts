/**
 * An offline model of OpenSSL 3.0's `X509_verify_cert` for TLS server certificates: it predicts the verdict,
 * error code and depth a client built on OpenSSL reports for a chain and a trust store, without a network
 * or an OpenSSL process. Stages follow crypto/x509/x509_vfy.c (OpenSSL 3.0): `X509_verify_cert` checks the leaf's
 * key first (`check_key_level`, EE_KEY_TOO_SMALL: so at security level 2 a weak leaf is reported before a missing
 * issuer), then `verify_chain`: build_chain, check_extensions, check_auth_level, check_id (host/IP),
 * internal_verify (signatures, validity times, top-down), check_name_constraints.
 * https://github.com/openssl/openssl/blob/openssl-3.0/crypto/x509/x509_vfy.c
 */
import { type Cert, signedBy } from '../cert.ts';
import { certInfo } from '../extensions.ts';
import { buildChain, likelyIssued, parses, publicKeyOk, type TrustLookup, TrustStore } from './build.ts';
import { checkAuthLevel, checkExtensions, type Fail, keySecurityBits, minBits } from './checks.ts';
import { errorInfo } from './errors.ts';
import { GEN } from './general-names.ts';
import { verifyGnutls } from './gnutls.ts';
import { isIpHost, nameMatches } from './host-rules.ts';
import { checkNameConstraints, checkNameConstraintsCn } from './name-constraints.ts';
import type { Profile, VerifyError, VerifyInput, VerifyResult } from './types.ts';

export { errorInfo } from './errors.ts';
export type { GnutlsOptions, GnutlsProfile, GnutlsStatus } from './gnutls-status.ts';
export { GNUTLS_STATUS } from './gnutls-status.ts';
export { HOST_RULES, type HostRuleSet, nameMatches } from './host-rules.ts';
export type { HostFlags } from './hostname.ts';
export { opensslSecurityLevel } from './seclevel.ts';
export type { Profile, VerifyResult } from './types.ts';

interface ProfileFlags {
  strict: boolean;
  partialChain: boolean;
  /** Report the last error instead of the first (a verify callback that always continues). */
  lastError: boolean;
}

/** What each client's default SSL context sets (see Profile); `gnutls` is its own verifier (gnutls.ts). */
const PROFILES: Record<Exclude<Profile, 'gnutls'>, ProfileFlags> = {
  openssl: { strict: false, partialChain: false, lastError: false },
  python313: { strict: true, partialChain: true, lastError: false },
  node: { strict: false, partialChain: false, lastError: true },
};

/** `ossl_x509_check_cert_time` with callbacks. */
function checkTime(cert: Cert, depth: number, at: number, fail: Fail): void {
  const x = certInfo(cert);
  if (x.notBefore === null) fail('ERROR_IN_CERT_NOT_BEFORE_FIELD', depth);
  else if (x.notBefore > at) fail('CERT_NOT_YET_VALID', depth);
  if (x.notAfter === null) fail('ERROR_IN_CERT_NOT_AFTER_FIELD', depth);
  else if (x.notAfter <= at) fail('CERT_HAS_EXPIRED', depth);
}

/** `internal_verify`: signatures and validity, from the top of the chain down to the leaf. */
function internalVerify(chain: readonly Cert[], partial: boolean, at: number, fail: Fail): void {
  let n = chain.length - 1;
  let ii = n;
  let si = n;
  if (!likelyIssued(chain[ii] as Cert, chain[ii] as Cert) && !partial) {
    if (n > 0) si = --n;
    else fail('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 0);
  }
  while (n >= 0) {
    const xs = chain[si] as Cert;
    const xi = chain[ii] as Cert;
    if (si !== ii) {
      const ku = certInfo(xi).keyUsage;
      if (ku !== undefined && (ku & 0x04) === 0) fail('KEYUSAGE_NO_CERTSIGN', n + 1);
      if (!publicKeyOk(xi)) fail('UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY', n + 1);
      else if (!signedBy(xs, xi)) fail('CERT_SIGNATURE_FAILURE', n);
    }
    checkTime(xs, n, at, fail);
    if (--n >= 0) {
      ii = si;
      si = n;
    }
  }
}

/** `check_name_constraints` */
function nameConstraints(chain: readonly Cert[], fail: Fail): void {
  for (let i = chain.length - 1; i >= 0; i--) {
    const x = certInfo(chain[i] as Cert);
    if (i !== 0 && x.selfIssued) continue;
    for (let j = chain.length - 1; j > i; j--) {
      const nc = certInfo(chain[j] as Cert).nc;
      if (!nc) continue;
      let rv = checkNameConstraints(x, nc);
      if (rv === 'OK' && i === 0 && !(x.san ?? []).some((g) => g.type === GEN.DNS))
        rv = checkNameConstraintsCn(x, nc);
      if (rv !== 'OK') fail(rv, i);
    }
  }
}

const storeCache = new WeakMap<readonly Cert[], TrustLookup>();

function storeFor(trusted: VerifyInput['trusted']): TrustLookup {
  if (!Array.isArray(trusted)) return trusted as TrustLookup;
  const certs = trusted as readonly Cert[];
  let store = storeCache.get(certs);
  if (!store) {
    store = new TrustStore(certs);
    storeCache.set(certs, store);
  }
  return store;
}

/** Predict OpenSSL's (or, with profile `gnutls`, GnuTLS's) verdict for a server certificate chain. Pure: no I/O. */
export function verifyChain(input: VerifyInput): VerifyResult {
  if (input.profile === 'gnutls') return verifyGnutls(input, storeFor(input.trusted));
  const flags = PROFILES[input.profile ?? 'openssl'];
  const at = Math.floor((input.at ?? new Date()).getTime() / 1000);
  const level = input.securityLevel ?? 1;
  const errors: VerifyError[] = [];
  const fail: Fail = (code, depth) => errors.push({ code, depth });
  const store = storeFor(input.trusted);
  let chain: Cert[] = [input.leaf];
  if (!parses(input.leaf)) fail('UNSPECIFIED', 0);
  else {
    if (level > 0 && keySecurityBits(input.leaf) < minBits(level)) fail('EE_KEY_TOO_SMALL', 0);
    const built = buildChain({
      leaf: input.leaf,
      untrusted: input.untrusted.filter(parses),
      store,
      at,
      depth: input.maxDepth ?? 100,
      partialChain: flags.partialChain,
    });
    chain = built.chain;
    errors.push(...built.errors);
    checkExtensions(chain, flags.strict, fail);
    checkAuthLevel(chain, level, fail);
    if (input.host !== undefined) {
      if (!nameMatches(certInfo(chain[0] as Cert), input.host, input.hostFlags))
        fail(isIpHost(input.host) ? 'IP_ADDRESS_MISMATCH' : 'HOSTNAME_MISMATCH', 0);
    }
    internalVerify(chain, flags.partialChain, at, fail);
    nameConstraints(chain, fail);
  }
  const reported = flags.lastError ? errors[errors.length - 1] : errors[0];
  const info = errorInfo(reported?.code ?? 'OK');
  return {
    ok: errors.length === 0,
    code: info.code,
    message: info.message,
    depth: reported?.depth ?? 0,
    chain,
    errors,
  };
}
