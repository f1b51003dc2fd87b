/**
 * GnuTLS 3.7.9's walk over a sorted, shortened chain (lib/x509/verify.c): `_gnutls_verify_crt_status` checks
 * the trusted top, then `verify_crt` each link from the top down (issuer, CA-ness and path length via
 * `check_if_ca`, keyCertSign, name constraints, the signature, unknown critical extensions, the profile's
 * sizes via `is_level_acceptable`, times). The list handling before it is in gnutls.ts (verify-high.c).
 * https://gitlab.com/gnutls/gnutls/-/blob/3.7.9/lib/x509/verify.c
 */
import { type Cert, signedBy } from '../cert.ts';
import { certInfo } from '../extensions.ts';
import type { TrustLookup } from './build.ts';
import type { CertInfo } from './cert-info.ts';
import { KU } from './ext-decode.ts';
import { GNUTLS_SIGS, isIssuer, keySecParam, sameKey, selfIssued, unknownCritical } from './gnutls-certs.ts';
import { appendNc, checkNcCrt, emptyNc, type GnutlsNc } from './gnutls-nc.ts';
import { BIT, type GnutlsStatus } from './gnutls-status.ts';
import { gnutlsKeyPurpose } from './host-rules.ts';

const MAX_VERIFY_DEPTH = 4096;

/** One verification: the trust list, the time, the flags, and why each status bit was raised. */
export interface Ctx {
  trusted: TrustLookup;
  at: number;
  doNotAllowSame: boolean;
  level: number; // PROFILE_LEVEL index, 0 = no profile
  allowBroken: boolean;
  purpose: string | undefined;
  /** Why each flag was raised, first first: [flag, OpenSSL code, depth]. */
  reasons: Array<[GnutlsStatus | null, string, number]>;
}

const timeStatus = (x: CertInfo, at: number): number =>
  x.notBefore === null || at < x.notBefore
    ? BIT.GNUTLS_CERT_NOT_ACTIVATED
    : x.notAfter === null || at > x.notAfter
      ? BIT.GNUTLS_CERT_EXPIRED
      : 0;

/** `is_level_acceptable(crt, issuer, sigalg, trusted, flags)` */
function levelOk(ctx: Ctx, crt: Cert, issuer: Cert | undefined, trusted: boolean): boolean {
  if (ctx.level === 0) return true;
  const sym = [0, 42, 64, 72, 80, 96, 112, 128, 192, 256][ctx.level] as number;
  const sig = GNUTLS_SIGS[certInfo(crt).sigOid];
  if (!sig) return false;
  if (!trusted && sig[0] < sym) return false;
  if (keySecParam(crt) < ctx.level) return false;
  return !issuer || keySecParam(issuer) >= ctx.level;
}

interface VState {
  maxPath: number;
  nc: GnutlsNc;
}

/** `verify_crt(cert, trusted_cas, flags)`: 0 when valid, else the status bits. */
function verifyCrt(
  ctx: Ctx,
  cert: Cert,
  cas: Cert[],
  depth: number,
  st: VState,
  endCert: boolean,
  v1ca: boolean,
): number {
  let out = 0;
  const mark = (flag: GnutlsStatus | null, code: string, d = depth) => {
    out |= (flag ? BIT[flag] : 0) | BIT.GNUTLS_CERT_INVALID;
    ctx.reasons.push([flag, code, d]);
  };
  if (st.maxPath === 0) {
    mark('GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE', 'PATH_LENGTH_EXCEEDED');
    return out;
  }
  st.maxPath--;
  const x = certInfo(cert);
  // find_issuer: the last time-valid candidate wins over the first one
  let issuer: Cert | undefined;
  for (const c of cas)
    if (isIssuer(cert, c) && (!issuer || timeStatus(certInfo(c), ctx.at) === 0)) issuer = c;
  const sig = GNUTLS_SIGS[x.sigOid];
  if (!sig) mark(null, 'UNSUPPORTED_SIGNATURE_ALGORITHM');
  if (!issuer) mark('GNUTLS_CERT_SIGNER_NOT_FOUND', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  else {
    const ix = certInfo(issuer);
    if (!appendNc(st.nc, ix))
      mark('GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE', 'UNSUPPORTED_CONSTRAINT_TYPE', depth + 1);
    else if (endCert && !checkNcCrt(st.nc, x, (c, oid) => gnutlsKeyPurpose(c, oid, false)))
      mark('GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE', 'PERMITTED_VIOLATION');
    if (ix.version !== 0 || !v1ca) {
      if (!checkIfCa(ctx, cert, issuer, st, v1ca)) mark('GNUTLS_CERT_SIGNER_NOT_CA', 'INVALID_CA', depth + 1);
      if (ix.keyUsage !== undefined && (ix.keyUsage & KU.KEY_CERT_SIGN) === 0)
        mark('GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE', 'KEYUSAGE_NO_CERTSIGN', depth + 1);
    }
    if (sig) {
      // MD5/MD2 are refused outright (pubkey_verify_data), an explicit-curve EC key cannot be read
      if (!sig[1] && sig[0] < 80 && !ctx.allowBroken) mark(null, 'CA_MD_TOO_WEAK');
      else if (ix.ecExplicit) mark(null, 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY', depth + 1);
      else if (!signedBy(cert, issuer)) mark('GNUTLS_CERT_SIGNATURE_FAILURE', 'CERT_SIGNATURE_FAILURE');
    }
  }
  if (issuer && unknownCritical(certInfo(issuer)))
    mark('GNUTLS_CERT_UNKNOWN_CRIT_EXTENSIONS', 'UNHANDLED_CRITICAL_EXTENSION', depth + 1);
  if (endCert && unknownCritical(x))
    mark('GNUTLS_CERT_UNKNOWN_CRIT_EXTENSIONS', 'UNHANDLED_CRITICAL_EXTENSION');
  if (sig) {
    if (!levelOk(ctx, cert, issuer, false)) mark('GNUTLS_CERT_INSECURE_ALGORITHM', 'EE_KEY_TOO_SMALL');
    if (!sig[1] && !ctx.allowBroken && !selfIssued(cert))
      mark('GNUTLS_CERT_INSECURE_ALGORITHM', 'CA_MD_TOO_WEAK');
  }
  for (const [c, d] of issuer
    ? ([
        [issuer, depth + 1],
        [cert, depth],
      ] as const)
    : ([[cert, depth]] as const)) {
    const t = timeStatus(certInfo(c), ctx.at);
    if (t) {
      out |= t | BIT.GNUTLS_CERT_INVALID;
      ctx.reasons.push([null, t === BIT.GNUTLS_CERT_EXPIRED ? 'CERT_HAS_EXPIRED' : 'CERT_NOT_YET_VALID', d]);
    }
  }
  return out;
}

/** `check_if_ca(cert, issuer, &max_path, flags)` */
function checkIfCa(ctx: Ctx, cert: Cert, issuer: Cert, st: VState, v1ca: boolean): boolean {
  if (!ctx.doNotAllowSame && cert.sha256 === issuer.sha256) return true;
  const ix = certInfo(issuer);
  if (ix.bcPresent && ix.ca && ix.pathLen !== -1) st.maxPath = Math.min(st.maxPath, ix.pathLen);
  if (ix.bcPresent) return ix.ca;
  // no basicConstraints: a self-issued trusted certificate may still act as a (v1-style) CA
  return v1ca && selfIssued(issuer);
}

/** `_gnutls_verify_crt_status(list, size, trusted_cas, flags, purpose)` */
export function verifyCrtStatus(ctx: Ctx, list: Cert[], cas: Cert[]): { status: number; size: number } {
  let size = list.length;
  let status = 0;
  if (size > 1 && selfIssued(list[size - 1] as Cert)) size--;
  for (let i = ctx.doNotAllowSame ? 1 : 0; i < size; i++) {
    const t = cas.find((ca) => sameKey(list[i] as Cert, ca, i > 0));
    if (!t) continue;
    // check_ca_sanity: the anchor's own times and, with a profile, its key size
    const tx = timeStatus(certInfo(t), ctx.at);
    if (tx)
      ctx.reasons.push([null, tx === BIT.GNUTLS_CERT_EXPIRED ? 'CERT_HAS_EXPIRED' : 'CERT_NOT_YET_VALID', i]);
    status |= tx ? tx | BIT.GNUTLS_CERT_INVALID : 0;
    if (!levelOk(ctx, t, undefined, true)) {
      status |= BIT.GNUTLS_CERT_INSECURE_ALGORITHM | BIT.GNUTLS_CERT_INVALID;
      ctx.reasons.push(['GNUTLS_CERT_INSECURE_ALGORITHM', 'CA_KEY_TOO_SMALL', i]);
    }
    if (status) return { status, size: i + 1 };
    size = i;
    break;
  }
  if (size === 0) return { status, size: 1 };
  const st: VState = { maxPath: MAX_VERIFY_DEPTH, nc: emptyNc() };
  const top = verifyCrt(ctx, list[size - 1] as Cert, cas, size - 1, st, size === 1, true);
  if (top) return { status: status | top | BIT.GNUTLS_CERT_INVALID, size };
  for (let i = size - 1; i > 0; i--) {
    if (ctx.purpose && !gnutlsKeyPurpose(certInfo(list[i] as Cert), ctx.purpose, true)) {
      ctx.reasons.push(['GNUTLS_CERT_PURPOSE_MISMATCH', 'INVALID_PURPOSE', i]);
      return { status: status | BIT.GNUTLS_CERT_PURPOSE_MISMATCH | BIT.GNUTLS_CERT_INVALID, size };
    }
    // from here on, version 1 certificates are not accepted as CAs
    const out = verifyCrt(ctx, list[i - 1] as Cert, [list[i] as Cert], i - 1, st, i === 1, false);
    if (out) return { status: status | out | BIT.GNUTLS_CERT_INVALID, size };
  }
  return { status, size };
}
