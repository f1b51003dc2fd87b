/**
 * Lazily parsed certificate details that Node's X509Certificate does not expose, cached per certificate and
 * shaped like OpenSSL's cached extension flags (`ossl_x509v3_cache_extensions` in crypto/x509/v3_purp.c),
 * so the verifier can mirror its decisions: an extension that does not decode or appears twice makes the
 * certificate "invalid", an unknown critical extension sets `unhandledCritical`, and so on.
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, SubjectKeyIdentifier } from '@peculiar/asn1-x509';
import type { Cert } from './cert.ts';
import { type KeyType, KEY_OIDS, sigAlgMatches } from './verify/algorithms.ts';
import { children, oidToString, parse, TAG, type Tlv } from './verify/der.ts';
import { type NameInfo, parseName } from './verify/dn.ts';
import {
  type GeneralName,
  GEN,
  type NameConstraints,
  parseGeneralNames,
  parseNameConstraints,
} from './verify/general-names.ts';

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

export interface Extension {
  oid: string;
  critical: boolean;
  value: Buffer;
}

export interface CertInfo {
  /** 0 = v1, 2 = v3 */
  version: number;
  serial: Buffer;
  /** Raw AlgorithmIdentifier inside TBSCertificate and outside it (`X509_ALGOR_cmp`). */
  tbsSigAlg: Buffer;
  sigAlg: Buffer;
  sigOid: string;
  /** The signature OID inside TBSCertificate (what `check_sig_alg_match` looks at). */
  tbsSigOid: string;
  sigParams: Tlv | undefined;
  issuer: NameInfo;
  subject: NameInfo;
  /** Seconds since the epoch, or null when not in RFC 5280 form (OpenSSL reports a format error). */
  notBefore: number | null;
  notAfter: number | null;
  keyType: KeyType;
  /** EC key given with explicit curve parameters instead of a named curve. */
  ecExplicit: boolean;
  ecCurve: string | undefined;
  extensions: Extension[];
  /** EXFLAG_INVALID: an extension OpenSSL parses failed to decode or is duplicated. */
  invalid: boolean;
  /** EXFLAG_CRITICAL: a critical extension OpenSSL does not support. */
  unhandledCritical: boolean;
  bcPresent: boolean;
  bcCritical: boolean;
  ca: boolean;
  /** -1 when absent */
  pathLen: number;
  /** keyUsage bits (OpenSSL's ex_kusage), undefined when the extension is absent */
  keyUsage: number | undefined;
  /** EKU OIDs, undefined when absent */
  eku: string[] | undefined;
  nsCertType: number | undefined;
  skid: Buffer | undefined;
  skidCritical: boolean;
  akid: { keyid?: Buffer; issuer?: NameInfo; issuerPresent: boolean; serial?: Buffer } | undefined;
  akidCritical: boolean;
  san: GeneralName[] | undefined;
  sanCritical: boolean;
  nc: NameConstraints | undefined;
  proxy: boolean;
  /** EXFLAG_SI: subject == issuer */
  selfIssued: boolean;
  /** EXFLAG_SS: self-issued, AKID matches own SKID, signature algorithm fits own key (no signature check). */
  selfSigned: boolean;
}

const cache = new WeakMap<Cert, CertInfo>();

function parseTime(t: Tlv): number | null {
  const s = t.value.toString('latin1');
  const m =
    t.tag === TAG.UTC_TIME
      ? /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s)
      : t.tag === TAG.GENERALIZED_TIME
        ? /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s)
        : null;
  if (!m) return null;
  let y = Number(m[1]);
  if (t.tag === TAG.UTC_TIME) y += y < 50 ? 2000 : 1900;
  const [mo, d, h, mi, se] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) return null;
  return Date.UTC(y, mo - 1, d, h, mi, se) / 1000;
}

function bitStringValue(v: Buffer): number {
  // OpenSSL: data[0] | data[1] << 8 of the bit string contents (after the unused-bits octet)
  return (v[1] ?? 0) | ((v[2] ?? 0) << 8);
}

/** `X509_check_akid(issuer, subject's akid)`: OK when absent or consistent. */
export function akidMatches(issuer: CertInfo, akid: CertInfo['akid']): boolean {
  if (!akid) return true;
  if (akid.keyid && issuer.skid && !akid.keyid.equals(issuer.skid)) return false;
  if (akid.serial && !akid.serial.equals(issuer.serial)) return false;
  if (akid.issuer && akid.issuer.key !== issuer.issuer.key) return false;
  return true;
}

function decodeExtensions(info: CertInfo, exts: Extension[]): void {
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

/** Parse (once) the details of a certificate the verifier needs. Throws on a structurally broken DER. */
export function certInfo(cert: Cert): CertInfo {
  const hit = cache.get(cert);
  if (hit) return hit;
  const [tbs, sigAlgT] = children(parse(cert.der));
  if (!tbs || !sigAlgT) throw new Error('not a certificate');
  const f = children(tbs);
  let i = 0;
  let version = 0;
  if (f[0]?.cls === 2 && f[0].tag === 0) {
    version = (children(f[0])[0]?.value[0] as number | undefined) ?? 0;
    i = 1;
  }
  const [serialT, tbsSigT, issuerT, validityT, subjectT, spkiT] = f.slice(i, i + 6) as Tlv[];
  if (!serialT || !tbsSigT || !issuerT || !validityT || !subjectT || !spkiT) throw new Error('short TBSCertificate');
  const [nbT, naT] = children(validityT) as [Tlv, Tlv];
  const [algOidT, sigParams] = children(sigAlgT);
  const [spkiAlg] = children(spkiT);
  const [keyOidT, keyParams] = spkiAlg ? children(spkiAlg) : [];
  const keyType = (keyOidT && KEY_OIDS[oidToString(keyOidT.value)]) || 'unknown';
  const extensions: Extension[] = [];
  const extsT = f.slice(i + 6).find((t) => t.cls === 2 && t.tag === 3);
  for (const e of extsT ? children(children(extsT)[0] as Tlv) : []) {
    const parts = children(e);
    const crit = parts.length === 3 && parts[1]?.tag === TAG.BOOLEAN && parts[1].value[0] !== 0;
    extensions.push({
      oid: oidToString((parts[0] as Tlv).value),
      critical: crit,
      value: (parts[parts.length - 1] as Tlv).value,
    });
  }
  const info: CertInfo = {
    version,
    serial: serialT.value,
    tbsSigAlg: tbsSigT.raw,
    sigAlg: sigAlgT.raw,
    sigOid: algOidT ? oidToString(algOidT.value) : '',
    tbsSigOid: oidToString((children(tbsSigT)[0] as Tlv).value),
    sigParams,
    issuer: parseName(issuerT),
    subject: parseName(subjectT),
    notBefore: parseTime(nbT),
    notAfter: parseTime(naT),
    keyType,
    ecExplicit: keyType === 'ec' && keyParams?.tag === TAG.SEQUENCE,
    ecCurve: keyType === 'ec' && keyParams?.tag === TAG.OID ? oidToString(keyParams.value) : undefined,
    extensions,
    invalid: false,
    unhandledCritical: false,
    bcPresent: false,
    bcCritical: false,
    ca: false,
    pathLen: -1,
    keyUsage: undefined,
    eku: undefined,
    nsCertType: undefined,
    skid: undefined,
    skidCritical: false,
    akid: undefined,
    akidCritical: false,
    san: undefined,
    sanCritical: false,
    nc: undefined,
    proxy: false,
    selfIssued: false,
    selfSigned: false,
  };
  decodeExtensions(info, extensions);
  if (info.subject.key === info.issuer.key) {
    info.selfIssued = true;
    info.selfSigned = akidMatches(info, info.akid) && sigAlgMatches(info.keyType, info.tbsSigOid);
  }
  cache.set(cert, info);
  return info;
}
