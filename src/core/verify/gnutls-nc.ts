/**
 * Name constraints as GnuTLS 3.7.9 applies them (lib/x509/name_constraints.c), which differs from OpenSSL:
 * - constraints are collected along the path (permitted subtrees intersected, excluded ones appended:
 *   `_gnutls_x509_name_constraints_merge`) and checked against the end certificate only;
 * - a constraint GnuTLS cannot represent (an otherName other than a Microsoft UPN, x400, ediParty,
 *   registeredID, an IP constraint that is not address+mask) makes the extension fail to import, which
 *   `verify_crt` reports as GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE at whatever depth it appears;
 * - DNS constraints compare bytes case-sensitively, a leading '.' is accepted as "subdomains of";
 * - directoryName and URI constraints are only enforced as exclusions (`check_unsupported_constraint`);
 * - without a dNSName SAN, the single CN of a TLS server certificate is checked as a DNS name.
 * https://gitlab.com/gnutls/gnutls/-/blob/3.7.9/lib/x509/name_constraints.c
 */
import type { CertInfo } from './cert-info.ts';
import { attrValues, OID_CN, OID_EMAIL, stringToUtf8 } from './dn.ts';
import { GEN, type GeneralName } from './general-names.ts';

const MS_UPN = '1.3.6.1.4.1.311.20.2.3';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

interface Node {
  type: number;
  name: Buffer;
}

export interface GnutlsNc {
  permitted: Node[];
  excluded: Node[];
  /** constraints were imported before (GNUTLS_EXT_FLAG_APPEND merges only into a non-empty set) */
  any: boolean;
}

export const emptyNc = (): GnutlsNc => ({ permitted: [], excluded: [], any: false });

/** `_gnutls_extract_name_constraints` + `validate_name_constraints_node`; null when GnuTLS refuses it. */
function toNodes(list: readonly { base: GeneralName }[]): Node[] | null {
  const out: Node[] = [];
  for (const { base } of list) {
    const ok =
      [GEN.DNS, GEN.EMAIL, GEN.DIRNAME, GEN.URI].includes(base.type as 1) ||
      (base.type === GEN.OTHER && base.oid === MS_UPN) ||
      (base.type === GEN.IPADD &&
        (base.value.length === 8 || base.value.length === 32) &&
        validMask(base.value));
    if (!ok) return null;
    out.push({ type: base.type === GEN.OTHER ? 100 : base.type, name: base.value });
  }
  return out;
}

function validMask(cidr: Buffer): boolean {
  const mask = cidr.subarray(cidr.length / 2);
  let zero = false;
  for (const b of mask)
    for (let bit = 7; bit >= 0; bit--) {
      if ((b >> bit) & 1) {
        if (zero) return false;
      } else zero = true;
    }
  return true;
}

/** `ends_with` / `dnsname_matches` */
function dnsMatches(name: Buffer, suffix: Buffer): boolean {
  if (name.equals(suffix)) return true;
  if (suffix.length >= name.length) return false;
  const tree = suffix[0] === 0x2e ? suffix.subarray(1) : suffix;
  return (
    name.subarray(name.length - tree.length).equals(tree) && name[name.length - tree.length - 1] === 0x2e
  );
}

/** `email_matches` */
function emailMatches(name: Buffer, suffix: Buffer): boolean {
  if (name.equals(suffix)) return true;
  if (suffix.length >= name.length) return false;
  const tail = name.subarray(name.length - suffix.length).equals(suffix);
  if (suffix.length > 1 && suffix[0] === 0x2e) return tail;
  return tail && name[name.length - suffix.length - 1] === 0x40;
}

const ipInCidr = (ip: Buffer, cidr: Buffer): boolean =>
  ip.every(
    (b, i) =>
      (b & (cidr[ip.length + i] as number)) === ((cidr[i] as number) & (cidr[ip.length + i] as number)),
  );

function intersect(a: Node, b: Node): boolean {
  if (a.type !== b.type) return false;
  if (a.type === GEN.DNS) return dnsMatches(b.name, a.name);
  if (a.type === GEN.EMAIL) return emailMatches(b.name, a.name);
  if (a.type === GEN.IPADD) {
    if (a.name.length !== b.name.length) return false;
    const n = a.name.length / 2;
    for (let i = 0; i < n; i++)
      if (
        ((a.name[i] as number) ^ (b.name[i] as number)) &
        (a.name[n + i] as number) &
        (b.name[n + i] as number)
      )
        return false;
    return true;
  }
  return false;
}

const MERGEABLE = new Set<number>([GEN.DNS, GEN.EMAIL, GEN.IPADD]);

/** `_gnutls_name_constraints_intersect(&nc->permitted, nc2->permitted, &nc->excluded)` */
function intersectPermitted(nc: GnutlsNc, p2: Node[]): void {
  if (nc.permitted.length === 0 || p2.length === 0) return;
  const dest: Node[] = [];
  const empty = new Set<number>();
  const keep: Node[] = [];
  for (const t of nc.permitted) {
    const clash = p2.some((n) => n.type === t.type);
    if (clash) empty.add(t.type);
    if (!clash || !MERGEABLE.has(t.type)) dest.push(t);
    else keep.push(t);
  }
  for (const n2 of p2) {
    for (const t of keep)
      if (intersect(t, n2)) {
        empty.delete(n2.type);
        dest.push(n2);
      }
    if (keep.length === 0) dest.push(n2);
  }
  nc.permitted = dest;
  for (const type of empty) {
    if (type === GEN.IPADD)
      nc.excluded.push({ type, name: Buffer.alloc(8) }, { type, name: Buffer.alloc(32) });
    else if (type === GEN.DNS || type === GEN.EMAIL) nc.excluded.push({ type, name: Buffer.alloc(0) });
  }
}

/** `gnutls_x509_crt_get_name_constraints(issuer, nc, GNUTLS_EXT_FLAG_APPEND)`: false when it fails. */
export function appendNc(nc: GnutlsNc, issuer: CertInfo): boolean {
  const ext = issuer.nc;
  if (!ext) return !issuer.extensions.some((e) => e.oid === '2.5.29.30'); // present but undecodable
  const permitted = toNodes(ext.permitted);
  const excluded = toNodes(ext.excluded);
  if (!permitted || !excluded) return false;
  if (nc.any) {
    intersectPermitted(nc, permitted);
    nc.excluded.push(...excluded);
  } else {
    nc.permitted = permitted;
    nc.excluded = excluded;
  }
  nc.any ||= permitted.length + excluded.length > 0;
  return true;
}

/** `check_dns_constraints` / `check_email_constraints` / `check_ip_constraints` / `check_unsupported_constraint` */
function allowed(nc: GnutlsNc, type: number, name: Buffer): boolean {
  const match = (r: Node) =>
    type === GEN.DNS
      ? dnsMatches(name, r.name)
      : type === GEN.EMAIL
        ? emailMatches(name, r.name)
        : ipInCidr(name, r.name);
  let found = false;
  if (type === GEN.IPADD) {
    for (const r of nc.excluded)
      if (r.type === type && name.length === r.name.length / 2 && match(r)) return false;
    for (const r of nc.permitted)
      if (r.type === type && name.length === r.name.length / 2) {
        found = true;
        if (match(r)) return true;
      }
    return !found;
  }
  for (const r of nc.excluded) if (r.type === type && (r.name.length === 0 || match(r))) return false;
  for (const r of nc.permitted)
    if (r.type === type && r.name.length > 0) {
      found = true;
      if (match(r)) return true;
    }
  return !found;
}

const hasType = (nc: GnutlsNc, type: number) =>
  [...nc.permitted, ...nc.excluded].some((r) => r.type === type);

function single(x: CertInfo, oid: string): Buffer | null | undefined {
  const v = attrValues(x.subject, oid);
  if (v.length > 1) return null; // rfc6125: a single one only
  if (v.length === 0) return undefined;
  return stringToUtf8((v[0] as (typeof v)[0]).tag, (v[0] as (typeof v)[0]).value);
}

/** `gnutls_x509_name_constraints_check_crt` for DNS, email, DN, URI and IP names: true when allowed. */
export function checkNcCrt(
  nc: GnutlsNc,
  x: CertInfo,
  serverPurpose: (x: CertInfo, oid: string) => boolean,
): boolean {
  const san = x.san ?? [];
  const of = (t: number) => san.filter((g) => g.type === t);
  for (const [type, attr] of [
    [GEN.EMAIL, OID_EMAIL],
    [GEN.DNS, OID_CN],
  ] as const) {
    if (!hasType(nc, type)) continue;
    const names = of(type);
    for (const g of names) if (!allowed(nc, type, g.value)) return false;
    if (names.length > 0) continue;
    if (type === GEN.DNS && !serverPurpose(x, SERVER_AUTH)) continue;
    const v = single(x, attr);
    if (v === null) return false;
    if (v && !allowed(nc, type, v)) return false;
  }
  if (nc.excluded.some((r) => r.type === GEN.DIRNAME)) return false;
  if (of(GEN.URI).length > 0 && nc.excluded.some((r) => r.type === GEN.URI)) return false;
  if (hasType(nc, GEN.IPADD))
    for (const g of of(GEN.IPADD)) if (!allowed(nc, GEN.IPADD, g.value)) return false;
  return true;
}
