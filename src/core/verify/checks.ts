/**
 * Per-certificate checks of a built chain, in OpenSSL 3.0's order: `check_extensions` (unhandled critical
 * extensions, CA-ness, explicit EC parameters, the X509_V_FLAG_X509_STRICT RFC 5280 checks, purpose
 * `sslserver`, path length) and `check_auth_level` (key and signature strength at a security level).
 */
import type { Cert } from '../cert.ts';
import { certInfo } from '../extensions.ts';
import { CURVE_BITS, ifcSecurityBits, PSS_HASH_BITS, SIG_OIDS } from './algorithms.ts';
import type { CertInfo } from './cert-info.ts';
import { children, oidToString } from './der.ts';
import { KU } from './ext-decode.ts';

export type Fail = (code: string, depth: number) => void;

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const NS_SGC = '2.16.840.1.113730.4.1';
const MS_SGC = '1.3.6.1.4.1.311.10.3.3';
const NS_SSL_SERVER = 0x40;
const NS_SSL_CA = 0x04;
const NS_ANY_CA = 0x07;

const kuReject = (x: CertInfo, bits: number) => x.keyUsage !== undefined && (x.keyUsage & bits) === 0;

/** `X509_check_ca`: 0 not a CA, 1 CA, 3 v1 self-signed root, 4 keyUsage-only, 5 Netscape CA. */
function checkCa(x: CertInfo): number {
  if (x.invalid) return 0;
  if (kuReject(x, KU.KEY_CERT_SIGN)) return 0;
  if (x.bcPresent) return x.ca ? 1 : 0;
  if (x.version === 0 && x.selfSigned) return 3;
  if (x.keyUsage !== undefined) return 4;
  if (x.nsCertType !== undefined && x.nsCertType & NS_ANY_CA) return 5;
  return 0;
}

/** `X509_check_purpose(x, X509_PURPOSE_SSL_SERVER, requireCa)`: 1 ok, 0 rejected, -1 invalid cert. */
function purposeSslServer(x: CertInfo, requireCa: boolean): number {
  if (x.invalid) return -1;
  if (x.eku && !x.eku.some((o) => o === SERVER_AUTH || o === NS_SGC || o === MS_SGC)) return 0;
  if (requireCa) {
    const ca = checkCa(x);
    if (!ca) return 0;
    return ca === 5 && ((x.nsCertType ?? 0) & NS_SSL_CA) !== 0 ? 0 : 1;
  }
  if (x.nsCertType !== undefined && (x.nsCertType & NS_SSL_SERVER) === 0) return 0;
  if (kuReject(x, KU.DIGITAL_SIGNATURE | KU.KEY_ENCIPHERMENT | KU.KEY_AGREEMENT)) return 0;
  return 1;
}

function strictChecks(x: CertInfo, i: number, num: number, fail: Fail): void {
  const ku = x.keyUsage ?? 0;
  if (x.pathLen !== -1) {
    if (!x.ca) fail('PATHLEN_INVALID_FOR_NON_CA', i);
    if ((ku & KU.KEY_CERT_SIGN) === 0) fail('PATHLEN_WITHOUT_KU_KEY_CERT_SIGN', i);
  }
  if (x.ca && x.bcPresent && !x.bcCritical) fail('CA_BCONS_NOT_CRITICAL', i);
  if (x.ca) {
    if (x.keyUsage === undefined) fail('CA_CERT_MISSING_KEY_USAGE', i);
  } else if (ku & KU.KEY_CERT_SIGN) fail('KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA', i);
  if (x.issuer.entries === 0) fail('ISSUER_NAME_EMPTY', i);
  if ((x.ca || ku & KU.CRL_SIGN || x.san === undefined) && x.subject.entries === 0)
    fail('SUBJECT_NAME_EMPTY', i);
  if (x.subject.entries === 0 && x.san !== undefined && !x.sanCritical)
    fail('EMPTY_SUBJECT_SAN_NOT_CRITICAL', i);
  if (x.san !== undefined && x.san.length === 0) fail('EMPTY_SUBJECT_ALT_NAME', i);
  if (!x.sigAlg.equals(x.tbsSigAlg)) fail('SIGNATURE_ALGORITHM_INCONSISTENCY', i);
  if (x.version >= 2) {
    if (i + 1 < num && !x.akid?.keyid) fail('MISSING_AUTHORITY_KEY_IDENTIFIER', i);
    if (x.ca && !x.skid) fail('MISSING_SUBJECT_KEY_IDENTIFIER', i);
  } else if (x.extensions.length > 0) fail('EXTENSIONS_REQUIRE_VERSION_3', i);
}

/** `check_extensions` for purpose sslserver. */
export function checkExtensions(chain: readonly Cert[], strict: boolean, fail: Fail): void {
  const num = chain.length;
  let plen = 0;
  for (let i = 0; i < num; i++) {
    const x = certInfo(chain[i] as Cert);
    if (x.unhandledCritical) fail('UNHANDLED_CRITICAL_EXTENSION', i);
    if (x.proxy) fail('PROXY_CERTIFICATES_NOT_ALLOWED', i);
    const ca = checkCa(x);
    if (i === 0) {
      if (strict && ca !== 1 && ca !== 0) fail('INVALID_CA', i);
    } else if (ca === 0 || ((i + 1 < num || strict) && ca !== 1)) fail('INVALID_CA', i);
    if (num > 1 && x.keyType === 'ec' && x.ecExplicit) fail('EC_KEY_EXPLICIT_PARAMS', i);
    if (strict && num > 1) strictChecks(x, i, num, fail);
    const p = purposeSslServer(x, i > 0);
    if (p === 0 || (p < 0 && strict)) fail('INVALID_PURPOSE', i);
    if (i > 1 && x.pathLen !== -1 && plen > x.pathLen) fail('PATH_LENGTH_EXCEEDED', i);
    if (i > 0 && !x.selfIssued) plen++;
  }
}

const MIN_BITS = [80, 112, 128, 192, 256];

/** Security bits of a certificate's public key (`EVP_PKEY_get_security_bits`), 0 when unknown. */
export function keySecurityBits(cert: Cert): number {
  const x = certInfo(cert);
  try {
    const d = cert.x509.publicKey.asymmetricKeyDetails;
    if ((x.keyType === 'rsa' || x.keyType === 'rsa-pss' || x.keyType === 'dsa') && d?.modulusLength)
      return ifcSecurityBits(d.modulusLength);
  } catch {
    return 0;
  }
  if (x.keyType === 'ec') return CURVE_BITS[x.ecCurve ?? ''] ?? 0;
  if (x.keyType === 'ed25519') return 128;
  if (x.keyType === 'ed448') return 224;
  return 0;
}

/** Security bits of a certificate's signature (`X509_get_signature_info`). */
function sigSecurityBits(cert: Cert): number {
  const x = certInfo(cert);
  const sig = SIG_OIDS[x.sigOid];
  if (!sig) return 0;
  if (sig[0] === 'rsa-pss') {
    // RSASSA-PSS-params: [0] hashAlgorithm (default SHA-1)
    const hashT = x.sigParams ? children(x.sigParams).find((c) => c.cls === 2 && c.tag === 0) : undefined;
    const algT = hashT ? children(hashT)[0] : undefined;
    const oidT = algT ? children(algT)[0] : undefined;
    return oidT ? (PSS_HASH_BITS[oidToString(oidT.value)] ?? 0) : 64;
  }
  return sig[1];
}

export function minBits(level: number): number {
  return MIN_BITS[Math.min(level, MIN_BITS.length) - 1] ?? 0;
}

/** `check_auth_level`: issuer keys (depth > 0) and signatures below the anchor. */
export function checkAuthLevel(chain: readonly Cert[], level: number, fail: Fail): void {
  if (level <= 0) return;
  const min = minBits(level);
  chain.forEach((c, i) => {
    if (i > 0 && keySecurityBits(c) < min) fail('CA_KEY_TOO_SMALL', i);
    if (i < chain.length - 1 && sigSecurityBits(c) < min) fail('CA_MD_TOO_WEAK', i);
  });
}
