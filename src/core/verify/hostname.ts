/**
 * Host and IP checks with OpenSSL 3.0's `X509_check_host` / `X509_check_ip` semantics
 * (crypto/x509/v3_utl.c `do_x509_check`):
 * - DNS: SAN dNSNames only; the subject CN is consulted only when the certificate has no dNSName at all.
 * - a wildcard is valid only in the leftmost label, not in an IDNA (xn--) label, with at least two dots
 *   after it; `f*o.example.com` partial wildcards match unless X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS (Python sets it).
 * - IP: SAN iPAddress octets only, never the CN.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { CertInfo } from './cert-info.ts';
import { attrValues, OID_CN, stringToUtf8 } from './dn.ts';
import { GEN } from './general-names.ts';

/**
 * When the subject CN stands in for a DNS name:
 * - `no-dns-san`: only when the certificate has no dNSName SAN (OpenSSL's X509_check_host default).
 * - `no-san`: only when it has neither a dNSName nor an iPAddress SAN, a single CN, and the leaf is fit for
 *   TLS server use (GnuTLS `gnutls_x509_crt_check_hostname2`, lib/x509/hostname-verify.c).
 * - `never`: X509_CHECK_FLAG_NEVER_CHECK_SUBJECT (`hostname_checks_common_name = False`, as urllib3 2 sets it).
 */
type CnFallback = 'no-dns-san' | 'no-san' | 'never';

/**
 * Wildcard dialect: `openssl` (`valid_star`/`wildcard_match` in crypto/x509/v3_utl.c: leftmost label only,
 * partial `f*o` allowed unless noPartialWildcards, never in an xn-- label), `gnutls` (`_gnutls_hostname_compare`
 * in lib/str.c: only a leading '*', matching within one label, so `*o.example.com` but not `f*o`), `none`.
 */
type WildcardRule = 'openssl' | 'gnutls' | 'none';

export interface HostFlags {
  /** X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS: only `*.example.com`, not `f*.example.com`. */
  noPartialWildcards?: boolean | undefined;
  /** Subject CN fallback; default `no-dns-san`. */
  commonName?: CnFallback | undefined;
  /** Default `openssl`. */
  wildcards?: WildcardRule | undefined;
}

const lower = (c: number) => (c >= 0x41 && c <= 0x5a ? c + 0x20 : c);
const isAlnum = (c: number) =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

function equalNocase(p: Buffer, s: Buffer, dotSub: boolean): boolean {
  let pat = p;
  if (dotSub) {
    // `skip_prefix`: a subject like ".example.com" matches any pattern ending in it
    let k = 0;
    while (pat.length - k > s.length && pat[k] !== 0) k++;
    if (pat.length - k === s.length) pat = pat.subarray(k);
  }
  if (pat.length !== s.length) return false;
  for (let i = 0; i < pat.length; i++) {
    const l = pat[i] as number;
    if (l === 0) return false;
    if (lower(l) !== lower(s[i] as number)) return false;
  }
  return true;
}

/** `valid_star`: index of the one acceptable '*' in the pattern, or -1. */
function validStar(p: Buffer, flags: HostFlags): number {
  if (flags.wildcards === 'none') return -1;
  let star = -1;
  let atStart = true;
  let idna = false;
  let hyphen = false;
  let dots = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as number;
    if (c === 0x2a) {
      const atEnd = i === p.length - 1 || p[i + 1] === 0x2e;
      if (star >= 0 || idna || dots) return -1;
      if (flags.noPartialWildcards && (!atStart || !atEnd)) return -1;
      if (!atStart && !atEnd) return -1;
      star = i;
      atStart = false;
    } else if (isAlnum(c)) {
      if (
        atStart &&
        p.length - i >= 4 &&
        p
          .subarray(i, i + 4)
          .toString('latin1')
          .toLowerCase() === 'xn--'
      )
        idna = true;
      atStart = false;
      hyphen = false;
    } else if (c === 0x2e) {
      if (hyphen || atStart) return -1;
      atStart = true;
      idna = false;
      hyphen = false;
      dots++;
    } else if (c === 0x2d) {
      if (atStart) return -1;
      hyphen = true;
    } else return -1;
  }
  if (atStart || hyphen || dots < 2) return -1;
  return star;
}

function wildcardMatch(prefix: Buffer, suffix: Buffer, subject: Buffer): boolean {
  if (subject.length < prefix.length + suffix.length) return false;
  if (!equalNocase(prefix, subject.subarray(0, prefix.length), false)) return false;
  const wEnd = subject.length - suffix.length;
  if (!equalNocase(subject.subarray(wEnd), suffix, false)) return false;
  let allowIdna = false;
  if (prefix.length === 0 && suffix[0] === 0x2e) {
    if (wEnd === prefix.length) return false;
    allowIdna = true;
  }
  if (!allowIdna && subject.length >= 4 && subject.subarray(0, 4).toString('latin1').toLowerCase() === 'xn--')
    return false;
  if (wEnd === prefix.length + 1 && subject[prefix.length] === 0x2a) return true;
  for (let i = prefix.length; i < wEnd; i++) {
    const c = subject[i] as number;
    if (!(isAlnum(c) || c === 0x2d)) return false;
  }
  return true;
}

function equalWildcard(pattern: Buffer, subject: Buffer, flags: HostFlags, dotSub: boolean): boolean {
  const star = subject.length > 1 && subject[0] === 0x2e ? -1 : validStar(pattern, flags);
  if (star < 0) return equalNocase(pattern, subject, dotSub);
  return wildcardMatch(pattern.subarray(0, star), pattern.subarray(star + 1), subject);
}

/** X509_check_host(x, host) > 0 */
export function checkHost(info: CertInfo, host: string, flags: HostFlags = {}): boolean {
  const chk = Buffer.from(host, 'utf8');
  const dotSub = chk.length > 1 && chk[0] === 0x2e;
  const dns = (info.san ?? []).filter((g) => g.type === GEN.DNS);
  for (const g of dns) if (g.value.length > 0 && equalWildcard(g.value, chk, flags, dotSub)) return true;
  if (dns.length > 0 || flags.commonName === 'never') return false;
  for (const cn of attrValues(info.subject, OID_CN)) {
    if (cn.value.length === 0) continue;
    const u = stringToUtf8(cn.tag, cn.value);
    if (!u) return false;
    if (equalWildcard(u, chk, flags, dotSub)) return true;
  }
  return false;
}

/**
 * Octets of an IPv4/IPv6 literal, or null when `host` is not an IP address. A name without ':' is never an
 * IPv6 literal: asking net.isIPv6 about it would compile Node's large IPv6 regular expression (several ms of
 * each run, once to bytecode and again to machine code on its second use) for nothing.
 */
export function ipBytes(host: string): Buffer | null {
  if (isIPv4(host)) return Buffer.from(host.split('.').map(Number));
  if (!host.includes(':') || !isIPv6(host)) return null;
  let h = host;
  let tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  if (v4?.[1]) {
    tail = v4[1].split('.').map(Number);
    h = `${h.slice(0, -v4[1].length)}0:0`;
  }
  const [l, r] = h.split('::') as [string, string | undefined];
  const left = l ? l.split(':') : [];
  const right = r ? r.split(':') : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => {
    out.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  });
  if (tail.length) Buffer.from(tail).copy(out, 12);
  return out;
}

/** X509_check_ip(x, ip) > 0 */
export function checkIp(info: CertInfo, ip: Buffer): boolean {
  return (info.san ?? []).some((g) => g.type === GEN.IPADD && g.value.length > 0 && g.value.equals(ip));
}
