/**
 * Decoding of the extensions OpenSSL 3.0 caches (`ossl_x509v3_cache_extensions`), setting the same
 * "invalid" and "unhandled critical" conditions: an extension that fails to decode or appears twice makes the
 * certificate invalid; the first critical extension OpenSSL does not support makes it unverifiable.
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  ExtendedKeyUsage,
  SubjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import type { CertInfo, Extension } from '../extensions.ts';
import { children, parse, TAG } from './der.ts';
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

export const OID = {
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
  const bc = d2i(OID.BC, (v) => AsnConvert.parse(v, BasicConstraints));
  if (bc) {
    info.bcPresent = true;
    info.ca = bc.cA;
    if (bc.pathLenConstraint !== undefined) {
      if (bc.pathLenConstraint < 0) info.invalid = true;
      else info.pathLen = bc.pathLenConstraint;
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
  info.eku = d2i(OID.EKU, (v) => [...AsnConvert.parse(v, ExtendedKeyUsage)]);
  info.nsCertType = d2i(OID.NS_CERT_TYPE, (v) => parse(v).value[1] ?? 0);
  info.skid = d2i(OID.SKI, (v) => Buffer.from(AsnConvert.parse(v, SubjectKeyIdentifier).buffer));
  info.akid = d2i(OID.AKI, (v) => {
    const a = AsnConvert.parse(v, AuthorityKeyIdentifier);
    const issuerT = children(parse(v)).find((c) => c.cls === 2 && c.tag === 1);
    const names = issuerT ? parseGeneralNames({ ...issuerT, tag: TAG.SEQUENCE }) : [];
    return {
      ...(a.keyIdentifier ? { keyid: Buffer.from(a.keyIdentifier.buffer) } : {}),
      ...(a.authorityCertSerialNumber ? { serial: Buffer.from(a.authorityCertSerialNumber) } : {}),
      ...(names.find((n) => n.type === GEN.DIRNAME)?.name ? { issuer: names.find((n) => n.name)?.name } : {}),
      issuerPresent: issuerT !== undefined,
    };
  });
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
