/**
 * Decoding of the extensions OpenSSL 3.0 caches (`ossl_x509v3_cache_extensions`), setting the same
 * "invalid" and "unhandled critical" conditions: an extension that fails to decode or appears twice makes the
 * certificate invalid; the first critical extension OpenSSL does not support makes it unverifiable.
 */
import type { CertInfo, Extension } from './cert-info.ts';
import { children, DerError, oidToString, parse, TAG, type Tlv } from './der.ts';
import { GEN, parseGeneralNames, parseNameConstraints } from './general-names.ts';

export const KU = {
  DIGITAL_SIGNATURE: 0x80,
  NON_REPUDIATION: 0x40,
  KEY_ENCIPHERMENT: 0x20,
  DATA_ENCIPHERMENT: 0x10,
  KEY_AGREEMENT: 0x08,
  KEY_CERT_SIGN: 0x04,
  CRL_SIGN: 0x02,
} as const;

const OID = {
  BC: '2.5.29.19',
  KU: '2.5.29.15',
  EKU: '2.5.29.37',
  SKI: '2.5.29.14',
  AKI: '2.5.29.35',
  SAN: '2.5.29.17',
  NC: '2.5.29.30',
  CRLDP: '2.5.29.31',
  NS_CERT_TYPE: '2.16.840.1.113730.1.1',
  PROXY: '1.3.6.1.5.5.7.1.14',
} as const;

/** Extensions OpenSSL 3.0 understands when critical (`X509_supported_extension`). */
const SUPPORTED_CRITICAL = new Set<string>([
  OID.NS_CERT_TYPE,
  OID.KU,
  OID.SAN,
  OID.BC,
  '2.5.29.32', // certificatePolicies
  OID.CRLDP,
  OID.EKU,
  '1.3.6.1.5.5.7.1.7', // sbgp-ipAddrBlock
  '1.3.6.1.5.5.7.1.8', // sbgp-autonomousSysNum
  '1.3.6.1.5.5.7.48.1.5', // OCSP noCheck
  '2.5.29.36', // policyConstraints
  OID.PROXY,
  OID.NC,
  '2.5.29.33', // policyMappings
  '2.5.29.54', // inhibitAnyPolicy
]);

function bitStringValue(v: Buffer): number {
  // OpenSSL: data[0] | data[1] << 8 of the bit string contents (after the unused-bits octet)
  return (v[1] ?? 0) | ((v[2] ?? 0) << 8);
}

/*
 * The four structured extensions are decoded here with the DER walker rather than @peculiar/asn1-x509: they
 * are on every certificate of every chain, and loading that library (~300 KB of bundled code) cost more at
 * start-up (~50 ms) than all of diagnose's own work. The rules follow OpenSSL's d2i templates: elements in
 * order, nothing left over inside the SEQUENCE, universal tags as declared, IMPLICIT context tags for AKID.
 */

function seq(v: Buffer): Tlv[] {
  const t = parse(v); // bytes after the element are ignored, as X509V3_EXT_d2i does
  if (t.cls !== 0 || t.tag !== TAG.SEQUENCE || !t.constructed) throw new DerError('not a SEQUENCE');
  return children(t);
}

function universal(t: Tlv | undefined, tag: number): boolean {
  return t !== undefined && t.cls === 0 && t.tag === tag;
}

/** INTEGER contents, checked as OpenSSL's c2i_ibuf does: not empty, no redundant leading octet. */
function intBytes(t: Tlv): Buffer {
  const v = t.value;
  if (t.constructed || v.length === 0) throw new DerError('bad INTEGER');
  const [b0, b1 = 0] = v as unknown as [number, number];
  if (v.length > 1 && ((b0 === 0 && (b1 & 0x80) === 0) || (b0 === 0xff && (b1 & 0x80) !== 0)))
    throw new DerError('INTEGER padding');
  return v;
}

function integer(t: Tlv): number {
  const v = intBytes(t);
  let n = 0;
  for (const b of v) n = n * 256 + b;
  return ((v[0] as number) & 0x80) !== 0 ? n - 256 ** v.length : n;
}

function basicConstraints(v: Buffer): { cA: boolean; pathLen: number | undefined } {
  const f = seq(v);
  let i = 0;
  let cA = false;
  let pathLen: number | undefined;
  if (universal(f[i], TAG.BOOLEAN)) {
    const b = (f[i++] as Tlv).value;
    if (b.length !== 1) throw new DerError('bad BOOLEAN');
    cA = b[0] !== 0;
  }
  if (universal(f[i], TAG.INTEGER)) pathLen = integer(f[i++] as Tlv);
  if (i !== f.length) throw new DerError('extra data in BasicConstraints');
  return { cA, pathLen };
}

function oid(t: Tlv): string {
  if (!universal(t, TAG.OID) || t.constructed) throw new DerError('not an OID');
  const v = t.value;
  if (v.length === 0 || ((v[v.length - 1] as number) & 0x80) !== 0) throw new DerError('truncated OID');
  for (let i = 0; i < v.length; i++) {
    if (v[i] === 0x80 && (i === 0 || ((v[i - 1] as number) & 0x80) === 0)) throw new DerError('OID padding');
  }
  return oidToString(v);
}

function octets(t: Tlv | undefined): Buffer {
  if (!t || t.constructed) throw new DerError('not an OCTET STRING');
  return t.value;
}

function authorityKeyId(v: Buffer): NonNullable<CertInfo['akid']> {
  const f = seq(v);
  const ctx = (tag: number) => (f[0]?.cls === 2 && f[0].tag === tag ? f.shift() : undefined);
  const keyid = ctx(0);
  const issuerT = ctx(1);
  const serialT = ctx(2);
  if (f.length > 0) throw new DerError('extra data in AuthorityKeyIdentifier');
  if (serialT) intBytes(serialT);
  const names = issuerT ? parseGeneralNames({ ...issuerT, tag: TAG.SEQUENCE }) : [];
  const dir = names.find((n) => n.type === GEN.DIRNAME);
  return {
    ...(keyid ? { keyid: octets(keyid) } : {}),
    ...(serialT ? { serial: serialT.value } : {}),
    ...(dir?.name ? { issuer: dir.name } : {}),
    issuerPresent: issuerT !== undefined,
  };
}

export function decodeExtensions(info: CertInfo, exts: Extension[]): void {
  const d2i = <T>(oid: string, fn: (v: Buffer) => T): T | undefined => {
    const matches = exts.filter((e) => e.oid === oid);
    if (matches.length === 0) return undefined;
    if (matches.length > 1) {
      info.invalid = true; // X509_get_ext_d2i refuses duplicates
      return undefined;
    }
    try {
      return fn((matches[0] as Extension).value);
    } catch {
      info.invalid = true;
      return undefined;
    }
  };
  const bc = d2i(OID.BC, basicConstraints);
  if (bc) {
    info.bcPresent = true;
    info.ca = bc.cA;
    if (bc.pathLen !== undefined) {
      if (bc.pathLen < 0) info.invalid = true;
      else info.pathLen = bc.pathLen;
    }
  }
  if (d2i(OID.PROXY, (v) => parse(v)) !== undefined) info.proxy = true;
  const ku = d2i(OID.KU, (v) => {
    const t = parse(v);
    if (t.tag !== TAG.BIT_STRING || t.value.length < 1) throw new Error('bad keyUsage');
    return bitStringValue(t.value);
  });
  if (ku !== undefined) {
    info.keyUsage = ku;
    if (ku === 0) info.invalid = true; // RFC 5280 4.2.1.3: empty key usage
  }
  info.eku = d2i(OID.EKU, (v) => seq(v).map(oid));
  info.nsCertType = d2i(OID.NS_CERT_TYPE, (v) => parse(v).value[1] ?? 0);
  info.skid = d2i(OID.SKI, (v) => {
    const t = parse(v);
    if (!universal(t, TAG.OCTET_STRING)) throw new DerError('SubjectKeyIdentifier is not an OCTET STRING');
    return octets(t);
  });
  info.akid = d2i(OID.AKI, authorityKeyId);
  info.san = d2i(OID.SAN, (v) => parseGeneralNames(parse(v)));
  info.nc = d2i(OID.NC, (v) => parseNameConstraints(parse(v)));
  d2i(OID.CRLDP, (v) => {
    for (const dp of children(parse(v))) {
      const parts = children(dp);
      const name = parts.find((p) => p.cls === 2 && p.tag === 0);
      const crlIssuer = parts.find((p) => p.cls === 2 && p.tag === 2);
      if (!name && (!crlIssuer || crlIssuer.value.length === 0)) info.invalid = true;
    }
  });
  for (const e of exts) {
    if (!e.critical) continue;
    if (!SUPPORTED_CRITICAL.has(e.oid)) {
      info.unhandledCritical = true;
      break; // OpenSSL stops looking here, so later criticality flags stay unset
    }
    if (e.oid === OID.BC) info.bcCritical = true;
    if (e.oid === OID.SAN) info.sanCritical = true;
  }
  // SKI and AKI are not in OpenSSL's supported list: critical ones are "unhandled" above.
  info.skidCritical = exts.some((e) => e.oid === OID.SKI && e.critical);
  info.akidCritical = exts.some((e) => e.oid === OID.AKI && e.critical);
}
