/**
 * Host-name rules as data, one row per TLS stack, and the one entry point that applies them. Each row cites the
 * code that decides; adapters pick the row of the stack their client runs on.
 */
import type { CertInfo } from './cert-info.ts';
import { attrValues, OID_CN, stringToUtf8 } from './dn.ts';
import { GEN } from './general-names.ts';
import { checkHost, checkIp, type HostFlags, ipBytes } from './hostname.ts';

export const HOST_RULES = {
  /** OpenSSL `X509_check_host(x, name, len, 0, NULL)`: curl (OpenSSL), `openssl s_client -verify_hostname`. */
  openssl: {},
  /**
   * CPython >= 3.7 `ssl` (urllib.request, http.client, pip's truststore path): the context sets
   * `hostflags = X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS`, and `hostname_checks_common_name` defaults to True, so
   * the CN still counts without a dNSName SAN (Modules/_ssl.c `_ssl__SSLContext_impl`,
   * https://github.com/python/cpython/blob/3.12/Modules/_ssl.c; checked: `ssl.create_default_context()
   * .hostname_checks_common_name` is True on CPython 3.11.7).
   */
  python: { noPartialWildcards: true },
  /**
   * urllib3 2 (requests): `create_urllib3_context` sets `context.hostname_checks_common_name = False`
   * (X509_CHECK_FLAG_NEVER_CHECK_SUBJECT): a certificate without a SAN never matches
   * (https://github.com/urllib3/urllib3/blob/2.2.3/src/urllib3/util/ssl_.py).
   */
  urllib3v2: { noPartialWildcards: true, commonName: 'never' },
  /** GnuTLS `gnutls_x509_crt_check_hostname2` (git and curl on libcurl-gnutls, gnutls-cli). */
  gnutls: { commonName: 'no-san', wildcards: 'gnutls' },
} as const satisfies Record<string, HostFlags>;

export type HostRuleSet = keyof typeof HOST_RULES;

const isPrint = (b: Buffer) => b.every((c) => c >= 0x20 && c <= 0x7e);

/** `hostname_compare_ascii`: case-insensitive, the whole certificate name against the whole host. */
function compareAscii(cert: string, host: string): boolean {
  return cert.toLowerCase() === host.toLowerCase();
}

/** `_gnutls_hostname_compare` (lib/str.c, 3.7.9). */
function gnutlsHostnameCompare(name: Buffer, host: string, noWildcards = false): boolean {
  if (!isPrint(name)) return name.equals(Buffer.from(host, 'utf8')); // hostname_compare_raw
  const cert = name.toString('latin1');
  if (cert.startsWith('*') && !noWildcards) {
    // at least two domain components after the wildcard
    const last = cert.lastIndexOf('.');
    if (last < 0 || cert.indexOf('.') === last || last === cert.length - 1) return false;
    const rest = cert.slice(1);
    for (let h = 0; ; h++) {
      if (compareAscii(rest, host.slice(h))) return true;
      // a wildcard matches within a single label
      if (h >= host.length || host[h] === '.') return false;
    }
  }
  return compareAscii(cert, host);
}

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const ANY_EKU = '2.5.29.37.0';
const NS_SGC = '2.16.840.1.113730.4.1';
const VS_SGC = '2.16.840.1.113733.1.8.1';

/** `_gnutls_check_key_purpose(cert, purpose, noAny)` (lib/x509/verify.c). */
export function gnutlsKeyPurpose(x: CertInfo, purpose: string, noAny: boolean): boolean {
  if (x.eku === undefined || x.eku.length === 0) return true; // no key purpose: any
  const obsolete = purpose === SERVER_AUTH && x.bcPresent && x.ca;
  return x.eku.some(
    (o) => (obsolete && (o === NS_SGC || o === VS_SGC)) || o === purpose || (!noAny && o === ANY_EKU),
  );
}

/** `gnutls_x509_crt_check_hostname2(cert, host, flags)` for a DNS name (lib/x509/hostname-verify.c). */
function gnutlsCheckDns(x: CertInfo, host: string, flags: HostFlags): boolean {
  const noWild = flags.wildcards === 'none';
  let foundDns = false;
  let other = false;
  for (const g of x.san ?? []) {
    if (g.type === GEN.DNS) {
      foundDns = true;
      if (g.value.includes(0) || !isPrint(g.value)) continue;
      if (gnutlsHostnameCompare(g.value, host, noWild)) return true;
    } else if (g.type === GEN.IPADD) other = true;
  }
  if (other || foundDns || flags.commonName === 'never' || !gnutlsKeyPurpose(x, SERVER_AUTH, false))
    return false;
  const cns = attrValues(x.subject, OID_CN);
  if (cns.length !== 1) return false; // RFC 6125 1.8: a single CN only
  const cn = stringToUtf8((cns[0] as (typeof cns)[0]).tag, (cns[0] as (typeof cns)[0]).value);
  if (!cn || cn.includes(0) || !isPrint(cn)) return false;
  return gnutlsHostnameCompare(cn, host, noWild);
}

/** Does the leaf match `host` (a DNS name or an IP literal) under these rules? */
export function nameMatches(x: CertInfo, host: string, flags: HostFlags = {}): boolean {
  const ip = ipBytes(host);
  if (ip) return checkIp(x, ip); // both stacks: iPAddress SANs only, never a DNS SAN or the CN
  if (flags.wildcards === 'gnutls') return gnutlsCheckDns(x, host, flags);
  return checkHost(x, host, flags);
}

/** Whether `host` is an IP literal (the mismatch is then IP_ADDRESS_MISMATCH). */
export const isIpHost = (host: string): boolean => ipBytes(host) !== null;
