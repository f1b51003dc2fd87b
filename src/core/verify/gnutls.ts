/**
 * An offline model of GnuTLS 3.7.9's chain verification (Debian bookworm's libgnutls30, which git, libcurl-gnutls,
 * gnutls-cli and certtool use): `gnutls_x509_trust_list_verify_crt2` (lib/x509/verify-high.c) sorts the peer's
 * list and drops duplicates, cuts it at the first certificate the trust list holds (`shorten_clist`), then
 * `_gnutls_verify_crt_status` / `verify_crt` (lib/x509/verify.c) walk it from the top: issuer found, CA-ness
 * and path length (`check_if_ca`), keyCertSign, name constraints, the signature, unknown critical extensions,
 * the profile's key/hash sizes (`is_level_acceptable`), SHA-1/MD5 (`_gnutls_sign_is_secure2`), then times.
 * Unlike OpenSSL there is no extended key usage check unless a purpose is passed (git passes none), and every
 * failure is a status flag rather than one error code.
 * https://gitlab.com/gnutls/gnutls/-/blob/3.7.9/lib/x509/verify-high.c
 * https://gitlab.com/gnutls/gnutls/-/blob/3.7.9/lib/x509/verify.c
 */
import { type Cert, rawNames, signedBy } from '../cert.ts';
import { certInfo } from '../extensions.ts';
import type { TrustLookup } from './build.ts';
import type { CertInfo } from './cert-info.ts';
import { errorInfo } from './errors.ts';
import { KU } from './ext-decode.ts';
import {
  GNUTLS_SIGS,
  importError,
  isIssuer,
  keySecParam,
  PROFILE_LEVEL,
  sameKey,
  selfIssued,
  unknownCritical,
} from './gnutls-certs.ts';
import { appendNc, checkNcCrt, emptyNc, type GnutlsNc } from './gnutls-nc.ts';
import { BIT, GNUTLS_CALLERS, type GnutlsStatus, statusMessage, statusNames } from './gnutls-status.ts';
import { gnutlsKeyPurpose, HOST_RULES, isIpHost, nameMatches } from './host-rules.ts';
import type { VerifyInput, VerifyResult } from './types.ts';

const DEFAULT_MAX_VERIFY_DEPTH = 16;
const MAX_VERIFY_DEPTH = 4096;

interface Ctx {
  trusted: TrustLookup;
  at: number;
  doNotAllowSame: boolean;
  level: number; // PROFILE_LEVEL index, 0 = no profile
  allowBroken: boolean;
  purpose: string | undefined;
  /** Why each flag was raised, first first: [flag, OpenSSL code, depth]. */
  reasons: Array<[GnutlsStatus | null, string, number]>;
}

/** Trusted CAs in the hash bucket of a DER name: those whose subject is encoded the same. */
function bucket(ctx: Ctx, cert: Cert, of: 'issuer' | 'subject'): Cert[] {
  const info = certInfo(cert);
  const raw = rawNames(cert)[of];
  return ctx.trusted.bySubject(of === 'issuer' ? info.issuer : info.subject).filter((t) => {
    try {
      return rawNames(t).subject.equals(raw);
    } catch {
      return false;
    }
  });
}

/** `_gnutls_sort_clist`: follow issuers from the first certificate, append the rest; returns the segment. */
function sortClist(list: Cert[], from: number): number {
  const n = list.length - from;
  const issuer: number[] = Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const c = list[from + i] as Cert;
    if (selfIssued(c)) continue;
    for (let j = 1; j < n; j++)
      if (i !== j && isIssuer(c, list[from + j] as Cert)) {
        issuer[i] = j;
        break;
      }
  }
  const sorted = [list[from] as Cert];
  const used = new Set([0]);
  let prev = 0;
  let i = 1;
  for (; i < n; i++) {
    prev = issuer[prev] as number;
    if (prev < 0) break;
    sorted.push(list[from + prev] as Cert);
    used.add(prev);
  }
  for (let j = 1; j < n; j++) if (!used.has(j)) sorted.push(list[from + j] as Cert);
  list.splice(from, n, ...sorted);
  return i;
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
function verifyCrtStatus(ctx: Ctx, list: Cert[], cas: Cert[]): { status: number; size: number } {
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

const OLD_OR_UNKNOWN =
  BIT.GNUTLS_CERT_SIGNER_NOT_FOUND | BIT.GNUTLS_CERT_EXPIRED | BIT.GNUTLS_CERT_INSECURE_ALGORITHM;

/** Verify as GnuTLS does; `trusted` is the client's CA list. */
export function verifyGnutls(input: VerifyInput, store: TrustLookup): VerifyResult {
  // a trust anchor GnuTLS cannot import is not in its list
  const trusted: TrustLookup = {
    bySubject: (n) => store.bySubject(n).filter((c) => importError(c) === undefined),
  };
  const caller = GNUTLS_CALLERS[input.gnutls?.caller ?? 'curl'];
  const profile = input.gnutls?.profile ?? caller.profile;
  const ctx: Ctx = {
    trusted,
    at: Math.floor((input.at ?? new Date()).getTime() / 1000),
    doNotAllowSame: caller.doNotAllowSame,
    level: PROFILE_LEVEL[profile] ?? 0,
    allowBroken: input.gnutls?.allowBroken ?? false,
    purpose: input.gnutls?.purpose,
    reasons: [],
  };
  const list = [input.leaf, ...input.untrusted];
  const refused = list.map(importError).find((e) => e !== undefined);
  if (refused) {
    const info = errorInfo('UNSPECIFIED');
    const gnutls = {
      status: [] as GnutlsStatus[],
      bits: 0,
      message: `certificate refused: ${refused}`,
      hostMismatch: false,
    };
    return {
      ok: false,
      code: info.code,
      message: info.message,
      depth: 0,
      chain: list,
      errors: [],
      gnutls: { ...gnutls, importError: refused },
    };
  }
  // sort, de-duplicate, stop at a certificate whose issuer is trusted
  const seen = new Set<string>();
  for (let i = 0; i < list.length && list.length <= DEFAULT_MAX_VERIFY_DEPTH; ) {
    const sorted = sortClist(list, i);
    let dup = -1;
    for (let j = 1; j < sorted && dup < 0; j++) if (seen.has((list[i + j] as Cert).sha256)) dup = i + j;
    if (dup >= 0) {
      list.splice(dup, 1);
      continue;
    }
    for (let j = 0; j < sorted; j++, i++) seen.add((list[i] as Cert).sha256);
    if (bucket(ctx, list[i - 1] as Cert, 'issuer').some((t) => isIssuer(list[i - 1] as Cert, t))) {
      list.length = i;
      break;
    }
  }
  // shorten_clist: drop a trailing self-signed certificate, cut after the first trusted one
  const sentRoot = list.length > 1 && selfIssued(list[list.length - 1] as Cert);
  if (sentRoot) list.length--;
  for (let i = 1; i < list.length; i++) {
    const c = list[i] as Cert;
    if (bucket(ctx, c, 'issuer').some((t) => t.sha256 === c.sha256)) list.length = i + 1;
  }
  const last = list[list.length - 1] as Cert;
  let { status } = verifyCrtStatus(ctx, list, bucket(ctx, last, 'issuer'));
  const saved = status;
  if (status & OLD_OR_UNKNOWN && !rawNames(last).subject.equals(rawNames(last).issuer)) {
    // the issuer was not found or is weak: try the last certificate itself against the trust list
    const mark = ctx.reasons.length;
    status = verifyCrtStatus(ctx, list, bucket(ctx, last, 'subject')).status;
    if (status !== 0 && !(saved & BIT.GNUTLS_CERT_SIGNER_NOT_FOUND)) status = saved;
    if (status === 0) ctx.reasons.length = 0;
    else if (status === saved) ctx.reasons.length = mark;
    else ctx.reasons.splice(0, mark);
  }
  const leaf = certInfo(input.leaf);
  if (input.gnutls?.purpose && !gnutlsKeyPurpose(leaf, input.gnutls.purpose, false)) {
    status |= BIT.GNUTLS_CERT_PURPOSE_MISMATCH | BIT.GNUTLS_CERT_INVALID;
    ctx.reasons.push(['GNUTLS_CERT_PURPOSE_MISMATCH', 'INVALID_PURPOSE', 0]);
  }
  // certtool passes the host to GnuTLS; curl checks it itself, and only once the chain verified
  let hostMismatch = false;
  if (input.host !== undefined && (caller.doNotAllowSame || status === 0)) {
    if (!nameMatches(leaf, input.host, input.hostFlags ?? HOST_RULES.gnutls)) {
      hostMismatch = true;
      status |= BIT.GNUTLS_CERT_UNEXPECTED_OWNER | BIT.GNUTLS_CERT_INVALID;
      ctx.reasons.push([
        'GNUTLS_CERT_UNEXPECTED_OWNER',
        isIpHost(input.host) ? 'IP_ADDRESS_MISMATCH' : 'HOSTNAME_MISMATCH',
        0,
      ]);
    }
  }
  const first = status === 0 ? undefined : (ctx.reasons[0] ?? [null, 'UNSPECIFIED', 0]);
  let code = first?.[1] ?? 'OK';
  // the code OpenSSL gives the same chain: the peer's own root (dropped above) or self-signed leaf is not trusted
  if (code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' && (sentRoot || selfIssued(list[list.length - 1] as Cert)))
    code = list.length === 1 && !sentRoot ? 'DEPTH_ZERO_SELF_SIGNED_CERT' : 'SELF_SIGNED_CERT_IN_CHAIN';
  const info = errorInfo(code);
  return {
    ok: status === 0,
    code: info.code,
    message: info.message,
    depth: first?.[2] ?? 0,
    chain: list,
    errors: ctx.reasons.map(([, c, d]) => ({ code: c, depth: d })),
    gnutls: { status: statusNames(status), bits: status, message: statusMessage(status), hostMismatch },
  };
}
