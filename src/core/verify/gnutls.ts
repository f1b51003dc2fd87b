/**
 * An offline model of GnuTLS 3.7.9's chain verification (Debian bookworm's libgnutls30, which git, libcurl-gnutls,
 * gnutls-cli and certtool use): `gnutls_x509_trust_list_verify_crt2` (lib/x509/verify-high.c) sorts the peer's
 * list and drops duplicates, cuts it at the first certificate the trust list holds (`shorten_clist`), then
 * `_gnutls_verify_crt_status` / `verify_crt` (lib/x509/verify.c) walk it from the top: issuer found, CA-ness
 * and path length (`check_if_ca`), keyCertSign, name constraints, the signature, unknown critical extensions,
 * the profile's key/hash sizes (`is_level_acceptable`), SHA-1/MD5 (`_gnutls_sign_is_secure2`), then times.
 * Unlike OpenSSL there is no extended key usage check unless a purpose is passed (git passes none), and every
 * failure is a status flag rather than one error code.
 * The walk over the list (verify.c) is in gnutls-verify-crt.ts; this file prepares the list (verify-high.c).
 * https://gitlab.com/gnutls/gnutls/-/blob/3.7.9/lib/x509/verify-high.c
 * https://gitlab.com/gnutls/gnutls/-/blob/3.7.9/lib/x509/verify.c
 */
import { type Cert, rawNames } from '../cert.ts';
import { certInfo } from '../extensions.ts';
import type { TrustLookup } from './build.ts';
import { errorInfo } from './errors.ts';
import { importError, isIssuer, PROFILE_LEVEL, selfIssued } from './gnutls-certs.ts';
import { BIT, GNUTLS_CALLERS, type GnutlsStatus, statusMessage, statusNames } from './gnutls-status.ts';
import { type Ctx, verifyCrtStatus } from './gnutls-verify-crt.ts';
import { gnutlsKeyPurpose, HOST_RULES, isIpHost, nameMatches } from './host-rules.ts';
import type { VerifyInput, VerifyResult } from './types.ts';

const DEFAULT_MAX_VERIFY_DEPTH = 16;
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
