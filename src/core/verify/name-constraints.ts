/**
 * Name constraints as OpenSSL 3.0 applies them (crypto/x509/v3_ncons.c `NAME_CONSTRAINTS_check`,
 * `NAME_CONSTRAINTS_check_CN`): the subject DN and SAN entries of each certificate are matched against the
 * permitted/excluded subtrees of every certificate above it; the leaf's CN is checked as a DNS name when the
 * leaf has no dNSName SAN. Returns an error code name, or null when the names are acceptable.
 */
import type { CertInfo } from './cert-info.ts';
import { TAG } from './der.ts';
import { attrValues, OID_CN, OID_EMAIL, stringToUtf8 } from './dn.ts';
import { GEN, type GeneralName, type NameConstraints } from './general-names.ts';

const NAME_CHECK_MAX = 1 << 20;
const OID_SMTP_UTF8 = '1.3.6.1.5.5.7.8.9';

type Rv = 'OK' | 'PERMITTED_VIOLATION' | string;

const lowerEq = (a: Buffer, b: Buffer) =>
  a.length === b.length && a.toString('latin1').toLowerCase() === b.toString('latin1').toLowerCase();

function ncDns(dns: Buffer, base: Buffer): Rv {
  if (base.length === 0) return 'OK';
  if (dns.length < base.length) return 'PERMITTED_VIOLATION';
  let tail = dns;
  if (dns.length > base.length) {
    tail = dns.subarray(dns.length - base.length);
    if (base[0] !== 0x2e && dns[dns.length - base.length - 1] !== 0x2e) return 'PERMITTED_VIOLATION';
  }
  return lowerEq(base, tail) ? 'OK' : 'PERMITTED_VIOLATION';
}

function ncEmail(eml: Buffer, base: Buffer): Rv {
  const baseAt = base.lastIndexOf(0x40);
  const emlAt = eml.lastIndexOf(0x40);
  if (emlAt < 0) return 'UNSUPPORTED_NAME_SYNTAX';
  if (baseAt < 0 && base.length > 0 && base[0] === 0x2e) {
    if (eml.length > base.length && lowerEq(base, eml.subarray(eml.length - base.length))) return 'OK';
    return 'PERMITTED_VIOLATION';
  }
  let baseHost = base;
  if (baseAt >= 0) {
    if (baseAt !== 0) {
      if (baseAt !== emlAt) return 'PERMITTED_VIOLATION';
      if (base.subarray(0, baseAt).includes(0) || eml.subarray(0, emlAt).includes(0))
        return 'UNSUPPORTED_NAME_SYNTAX';
      if (!base.subarray(0, baseAt).equals(eml.subarray(0, emlAt))) return 'PERMITTED_VIOLATION';
    }
    baseHost = base.subarray(baseAt + 1);
  }
  return lowerEq(baseHost, eml.subarray(emlAt + 1)) ? 'OK' : 'PERMITTED_VIOLATION';
}

function ncUri(uri: Buffer, base: Buffer): Rv {
  const colon = uri.indexOf(0x3a);
  if (colon < 0 || uri.length - colon < 3 || uri[colon + 1] !== 0x2f || uri[colon + 2] !== 0x2f)
    return 'UNSUPPORTED_NAME_SYNTAX';
  const hostStart = colon + 3;
  let end = uri.indexOf(0x3a, hostStart);
  if (end < 0) end = uri.indexOf(0x2f, hostStart);
  const host = uri.subarray(hostStart, end < 0 ? uri.length : end);
  if (host.length === 0) return 'UNSUPPORTED_NAME_SYNTAX';
  if (base.length > 0 && base[0] === 0x2e) {
    if (host.length > base.length && lowerEq(host.subarray(host.length - base.length), base)) return 'OK';
    return 'PERMITTED_VIOLATION';
  }
  return lowerEq(host, base) ? 'OK' : 'PERMITTED_VIOLATION';
}

function ncIp(ip: Buffer, base: Buffer): Rv {
  if (ip.length !== 4 && ip.length !== 16) return 'UNSUPPORTED_NAME_SYNTAX';
  if (base.length !== 8 && base.length !== 32) return 'UNSUPPORTED_NAME_SYNTAX';
  if (ip.length * 2 !== base.length) return 'PERMITTED_VIOLATION';
  for (let i = 0; i < ip.length; i++) {
    const m = base[ip.length + i] as number;
    if (((ip[i] as number) & m) !== ((base[i] as number) & m)) return 'PERMITTED_VIOLATION';
  }
  return 'OK';
}

function matchSingle(type: number, gen: GeneralName, base: GeneralName): Rv {
  switch (gen.type) {
    case GEN.OTHER:
      return type === GEN.EMAIL ? ncEmail(gen.value, base.value) : 'UNSUPPORTED_CONSTRAINT_TYPE';
    case GEN.DIRNAME: {
      const nm = gen.name?.canon ?? Buffer.alloc(0);
      const b = base.name?.canon ?? Buffer.alloc(0);
      return b.length <= nm.length && nm.subarray(0, b.length).equals(b) ? 'OK' : 'PERMITTED_VIOLATION';
    }
    case GEN.DNS:
      return ncDns(gen.value, base.value);
    case GEN.EMAIL:
      return ncEmail(gen.value, base.value);
    case GEN.URI:
      return ncUri(gen.value, base.value);
    case GEN.IPADD:
      return ncIp(gen.value, base.value);
    default:
      return 'UNSUPPORTED_CONSTRAINT_TYPE';
  }
}

function ncMatch(gen: GeneralName, nc: NameConstraints): Rv {
  const type = gen.type === GEN.OTHER && gen.oid === OID_SMTP_UTF8 ? GEN.EMAIL : gen.type;
  const applies = (b: GeneralName) => type === b.type && !(type === GEN.OTHER && gen.oid !== b.oid);
  let match = 0;
  for (const sub of nc.permitted) {
    if (!applies(sub.base)) continue;
    if (!sub.minmaxValid) return 'SUBTREE_MINMAX';
    if (match === 2) continue;
    match = 1;
    const r = matchSingle(type, gen, sub.base);
    if (r === 'OK') match = 2;
    else if (r !== 'PERMITTED_VIOLATION') return r;
  }
  if (match === 1) return 'PERMITTED_VIOLATION';
  for (const sub of nc.excluded) {
    if (!applies(sub.base)) continue;
    if (!sub.minmaxValid) return 'SUBTREE_MINMAX';
    const r = matchSingle(type, gen, sub.base);
    if (r === 'OK') return 'EXCLUDED_VIOLATION';
    if (r !== 'PERMITTED_VIOLATION') return r;
  }
  return 'OK';
}

/** NAME_CONSTRAINTS_check */
export function checkNameConstraints(x: CertInfo, nc: NameConstraints): Rv {
  const names = x.subject.entries + (x.san?.length ?? 0);
  const constraints = nc.permitted.length + nc.excluded.length;
  if (names > 0 && constraints > NAME_CHECK_MAX / names) return 'UNSPECIFIED';
  if (x.subject.entries > 0) {
    const r = ncMatch({ type: GEN.DIRNAME, value: x.subject.canon, name: x.subject }, nc);
    if (r !== 'OK') return r;
    for (const e of attrValues(x.subject, OID_EMAIL)) {
      if (e.tag !== TAG.IA5) return 'UNSUPPORTED_NAME_SYNTAX';
      const r2 = ncMatch({ type: GEN.EMAIL, value: e.value }, nc);
      if (r2 !== 'OK') return r2;
    }
  }
  for (const g of x.san ?? []) {
    const r = ncMatch(g, nc);
    if (r !== 'OK') return r;
  }
  return 'OK';
}

/** `cn2dnsid`: the CN as a DNS name when it looks like one (two or more labels), else null. */
function cnToDnsId(tag: number, v: Buffer): Buffer | null | 'bad' {
  let u = stringToUtf8(tag, v);
  if (!u) return 'bad';
  let n = u.length;
  while (n > 0 && u[n - 1] === 0) n--;
  u = u.subarray(0, n);
  if (u.includes(0)) return 'bad';
  let isDns = false;
  for (let i = 0; i < u.length; i++) {
    const c = u[i] as number;
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f)
      continue;
    if (i > 0 && i < u.length - 1) {
      if (c === 0x2d) continue;
      const next = u[i + 1] as number;
      if (c === 0x2e && next !== 0x2e && u[i - 1] !== 0x2d && next !== 0x2d) {
        isDns = true;
        continue;
      }
    }
    isDns = false;
    break;
  }
  return isDns ? u : null;
}

/** NAME_CONSTRAINTS_check_CN */
export function checkNameConstraintsCn(x: CertInfo, nc: NameConstraints): Rv {
  for (const cn of attrValues(x.subject, OID_CN)) {
    const id = cnToDnsId(cn.tag, cn.value);
    if (id === 'bad') return 'UNSUPPORTED_NAME_SYNTAX';
    if (!id || id.length === 0) continue;
    const r = ncMatch({ type: GEN.DNS, value: id }, nc);
    if (r !== 'OK') return r;
  }
  return 'OK';
}
