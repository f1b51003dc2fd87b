/**
 * Lazily parsed certificate details that Node's X509Certificate does not expose, cached per certificate and
 * shaped like OpenSSL's cached extension flags (`ossl_x509v3_cache_extensions` in crypto/x509/v3_purp.c),
 * so the verifier can mirror its decisions: an extension that does not decode or appears twice makes the
 * certificate "invalid", an unknown critical extension sets `unhandledCritical`, and so on.
 */
import { type Cert, rawNames } from './cert.ts';
import { KEY_OIDS, sigAlgMatches } from './verify/algorithms.ts';
import type { CertInfo, Extension } from './verify/cert-info.ts';
import { children, oidToString, parse, TAG, type Tlv } from './verify/der.ts';
import { nameKey, parseName } from './verify/dn.ts';
import { decodeExtensions } from './verify/ext-decode.ts';

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
  const [mo, d, h, mi, se] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) return null;
  return Date.UTC(y, mo - 1, d, h, mi, se) / 1000;
}

/** `X509_check_akid(issuer, subject's akid)`: OK when absent or consistent. */
export function akidMatches(issuer: CertInfo, akid: CertInfo['akid']): boolean {
  if (!akid) return true;
  if (akid.keyid && issuer.skid && !akid.keyid.equals(issuer.skid)) return false;
  if (akid.serial && !akid.serial.equals(issuer.serial)) return false;
  if (akid.issuer && akid.issuer.key !== issuer.issuer.key) return false;
  return true;
}

const subjectCache = new WeakMap<Cert, string>();

/** The subject's comparison key alone (`NameInfo.key`): cheap enough to index a 150-root store. */
export function subjectKey(cert: Cert): string {
  let key = cache.get(cert)?.subject.key ?? subjectCache.get(cert);
  if (key === undefined) {
    key = nameKey(rawNames(cert).subject);
    subjectCache.set(cert, key);
  }
  return key;
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
  if (!serialT || !tbsSigT || !issuerT || !validityT || !subjectT || !spkiT)
    throw new Error('short TBSCertificate');
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

/**
 * The certificate carries an Authority Information Access extension (where caIssuers URLs live). Lets a caller
 * skip loading the AIA fetcher and its ASN.1 libraries when no certificate could lead anywhere.
 */
export function hasAuthorityInfoAccess(cert: Cert): boolean {
  try {
    return certInfo(cert).extensions.some((e) => e.oid === '1.3.6.1.5.5.7.1.1');
  } catch {
    return false;
  }
}
