/**
 * Certificate facts the way GnuTLS 3.7.9 reads them: DN comparison (`_gnutls_x509_compare_raw_dn`, lib/x509/dn.c:
 * identical DER, or identical RFC 4514 strings, so tags are ignored but case is not), issuer matching
 * (`is_issuer`, lib/x509/verify.c: names and AKID/SKID when both are present), the critical extensions it
 * supports (lib/x509/supported_exts.gperf) and its signature table (lib/algorithms/sign.c).
 * https://gitlab.com/gnutls/gnutls/-/tree/3.7.9/lib/x509
 */
import { type Cert, rawNames } from '../cert.ts';
import { certInfo } from '../extensions.ts';
import { CURVE_BITS } from './algorithms.ts';
import type { CertInfo } from './cert-info.ts';
import { children, oidToString, parse, type Tlv } from './der.ts';
import { stringToUtf8 } from './dn.ts';

const nameStrings = new WeakMap<Buffer, string | null>();

/** Attribute OIDs and values as UTF-8 in order (what `gnutls_x509_rdn_get2` prints), null when unreadable. */
function nameString(der: Buffer): string | null {
  let s = nameStrings.get(der);
  if (s !== undefined) return s;
  try {
    s = '';
    for (const rdn of children(parse(der))) {
      s += '/';
      for (const atv of children(rdn)) {
        const [oidT, valT] = children(atv) as [Tlv, Tlv];
        const u = stringToUtf8(valT.tag, valT.value);
        s += `+${oidToString(oidT.value)}=${u ? u.toString('latin1') : `#${valT.raw.toString('hex')}`}`;
      }
    }
  } catch {
    s = null;
  }
  nameStrings.set(der, s);
  return s;
}

/** `_gnutls_x509_compare_raw_dn` */
function sameDn(a: Buffer, b: Buffer): boolean {
  if (a.equals(b)) return true;
  const sa = nameString(a);
  return sa !== null && sa === nameString(b);
}

/** `is_issuer(cert, issuer)` = `gnutls_x509_crt_check_issuer` */
export function isIssuer(cert: Cert, issuer: Cert): boolean {
  if (!sameDn(rawNames(cert).issuer, rawNames(issuer).subject)) return false;
  const akid = certInfo(cert).akid?.keyid;
  const skid = certInfo(issuer).skid;
  return !akid || !skid || akid.equals(skid);
}

/** `gnutls_x509_crt_check_issuer(c, c)`: self-issued in GnuTLS's sense. */
export const selfIssued = (c: Cert): boolean => isIssuer(c, c);

const spkis = new WeakMap<Cert, Buffer>();
function spki(c: Cert): Buffer {
  let s = spkis.get(c);
  if (!s) {
    const f = children(children(parse(c.der))[0] as Tlv);
    const off = f[0]?.cls === 2 && f[0].tag === 0 ? 1 : 0;
    s = (f[off + 5] as Tlv).raw;
    spkis.set(c, s);
  }
  return s;
}

/** `_gnutls_check_if_same_key(a, b, isCa)`: identical, or for a CA the same name and the same key. */
export function sameKey(a: Cert, b: Cert, isCa: boolean): boolean {
  if (!isCa) return a.sha256 === b.sha256;
  return sameDn(rawNames(a).subject, rawNames(b).subject) && spki(a).equals(spki(b));
}

/** Critical extensions GnuTLS understands (lib/x509/supported_exts.gperf, 3.7.9). */
const SUPPORTED = new Set([
  '2.5.29.14',
  '2.5.29.15',
  '2.5.29.17',
  '2.5.29.18',
  '2.5.29.19',
  '2.5.29.30',
  '2.5.29.31',
  '2.5.29.35',
  '2.5.29.37',
  '1.3.6.1.5.5.7.1.1',
  '1.3.6.1.5.5.7.1.14',
  '1.3.6.1.5.5.7.1.24',
  '2.5.29.32',
  '2.5.29.54',
]);

/** `check_for_unknown_exts` */
export const unknownCritical = (x: CertInfo): boolean =>
  x.extensions.some((e) => e.critical && !SUPPORTED.has(e.oid));

/**
 * Signature OID -> [hash strength in bits (`_gnutls_sign_get_hash_strength`: half the digest), secure for
 * certificates]. SHA-1 is `_INSECURE_FOR_CERTS` unless GnuTLS was built with --enable-sha1-support (Debian is
 * not); MD5 and MD2 are insecure for everything. Absent: GnuTLS does not know the algorithm.
 */
export const GNUTLS_SIGS: Record<string, [number, boolean]> = {
  '1.2.840.113549.1.1.2': [64, false], // RSA-MD2
  '1.2.840.113549.1.1.4': [64, false], // RSA-MD5
  '1.2.840.113549.1.1.5': [80, false], // RSA-SHA1
  '1.3.14.3.2.29': [80, false],
  '1.2.840.113549.1.1.14': [112, true],
  '1.2.840.113549.1.1.11': [128, true],
  '1.2.840.113549.1.1.12': [192, true],
  '1.2.840.113549.1.1.13': [256, true],
  '2.16.840.1.101.3.4.3.13': [112, true],
  '2.16.840.1.101.3.4.3.14': [128, true],
  '2.16.840.1.101.3.4.3.15': [192, true],
  '2.16.840.1.101.3.4.3.16': [256, true],
  '1.2.840.113549.1.1.10': [128, true], // RSA-PSS (hash from the parameters)
  '1.2.840.10045.4.1': [80, false], // ECDSA-SHA1
  '1.2.840.10045.4.3.1': [112, true],
  '1.2.840.10045.4.3.2': [128, true],
  '1.2.840.10045.4.3.3': [192, true],
  '1.2.840.10045.4.3.4': [256, true],
  '2.16.840.1.101.3.4.3.9': [112, true],
  '2.16.840.1.101.3.4.3.10': [128, true],
  '2.16.840.1.101.3.4.3.11': [192, true],
  '2.16.840.1.101.3.4.3.12': [256, true],
  '1.2.840.10040.4.3': [80, false], // DSA-SHA1
  '2.16.840.1.101.3.4.3.1': [112, true],
  '2.16.840.1.101.3.4.3.2': [128, true],
  '1.3.101.112': [256, true], // Ed25519 (SHA-512)
  '1.3.101.113': [256, true], // Ed448 (SHAKE256, capped)
};

/** `sec_params[]` (lib/algorithms/secparams.c), ascending: [RSA/DSA bits, EC bits]. */
const SEC_PARAMS: ReadonlyArray<[number, number]> = [
  [0, 0], // insecure
  [512, 0], // export
  [767, 0], // very weak
  [1008, 160], // weak
  [1024, 160], // low
  [1776, 192], // legacy
  [2048, 256], // medium
  [3072, 256], // high
  [8192, 384], // ultra
  [15360, 512], // future
];

/** Index into SEC_PARAMS of the key (`gnutls_pk_bits_to_sec_param`), -1 when unknown. */
export function keySecParam(c: Cert): number {
  const x = certInfo(c);
  let bits = 0;
  let ec = false;
  try {
    if (x.keyType === 'ec') {
      bits = (CURVE_BITS[x.ecCurve ?? ''] ?? 0) * 2;
      ec = true;
    } else if (x.keyType === 'ed25519' || x.keyType === 'ed448') {
      bits = x.keyType === 'ed25519' ? 256 : 456;
      ec = true;
    } else bits = c.x509.publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
  } catch {
    return -1;
  }
  let level = 0;
  SEC_PARAMS.forEach(([pk, eb], i) => {
    if ((ec ? eb : pk) <= bits && (!ec || eb > 0)) level = i;
  });
  return level;
}

/** SEC_PARAMS index of each profile's level. */
export const PROFILE_LEVEL: Record<string, number> = {
  'very-weak': 2,
  low: 4,
  legacy: 5,
  medium: 6,
  high: 7,
  ultra: 8,
  future: 9,
};

const NULL_PARAMS = Buffer.from([0x05, 0x00]);
const algParams = (alg: Buffer): Buffer => {
  const p = children(parse(alg))[1];
  return !p || p.raw.equals(NULL_PARAMS) ? Buffer.alloc(0) : p.raw;
};

/**
 * Why `gnutls_x509_crt_import` refuses a certificate OpenSSL loads, or undefined (lib/x509/x509.c: strict
 * DER, `compare_sig_algorithm`, `cache_alt_names`,
 * `_gnutls_check_cert_sanity`: extensions only in v3, no duplicate extension). certtool then fails with
 * "error parsing CRTs"; in a TLS handshake the peer's certificate is refused before any verification.
 */
export function importError(c: Cert): string | undefined {
  let x: CertInfo;
  try {
    x = certInfo(c);
  } catch {
    return 'not a DER certificate';
  }
  if (x.sigOid !== x.tbsSigOid || !algParams(x.sigAlg).equals(algParams(x.tbsSigAlg)))
    return 'signatureAlgorithm differs from tbsCertificate.signature';
  if (x.version < 2 && x.extensions.length > 0) return 'extensions in a version 1 or 2 certificate';
  const oids = x.extensions.map((e) => e.oid);
  if (new Set(oids).size !== oids.length) return 'duplicate extension';
  if (oids.includes('2.5.29.17') && x.san === undefined) return 'malformed subjectAltName';
  return undefined;
}
