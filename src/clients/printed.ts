/**
 * What each client prints for a failed verification, character for character, as templates keyed by the
 * print style of its stack (stack-table.ts). Every template was checked against the real client's output by the
 * fidelity matrix (test/e2e/fidelity.test.ts); the source that produces each line is cited next to it.
 */
import type { Cert } from '../core/cert.ts';
import { REASONS } from './messages.ts';
import { authority } from './source.ts';

export type PrintStyle =
  | 'python-ssl'
  | 'requests'
  | 'pip-urllib3-1'
  | 'pip-truststore'
  | 'pip-python-line'
  | 'curl'
  | 'git-gnutls'
  | 'git-openssl'
  | 'node'
  | 'npm';

interface Failure {
  code: string;
  message: string;
  host: string;
  port?: number | undefined;
  /** The URL as the user gave it (git quotes it). */
  url?: string | undefined;
  /** The server's certificate (host-name messages quote its names). */
  leaf?: Cert | undefined;
  /** `3.11.7`: the `_ssl.c` line in Python's message depends on it. */
  pythonVersion?: string | undefined;
  /** The CA file the client handed its TLS library (libcurl-gnutls prints it), or null. */
  caFile?: string | null | undefined;
}

/** The project pip's probe asks for (pip.check and `certifix check` download it): pip prints its URL. */
export const PIP_PROBE_PROJECT = 'certifix-probe';

const MISMATCH = new Set(['HOSTNAME_MISMATCH', 'IP_ADDRESS_MISMATCH']);

/** Python's `repr()` of a str: single quotes unless the text has one and no double quote (Objects/unicodeobject.c unicode_repr). */
export function pyRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === q || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${q}${out}${q}`;
}

/** `_ssl.c:<line>` of the `ERR_raise` in the Python version's `_ssl.c` (seen: 3.11 → 1006, 3.13 → 1020). */
const SSL_C_LINE: Record<string, number> = { '3.11': 1006, '3.13': 1020 };

/**
 * CPython's message: `fill_and_set_sslerror` in Modules/_ssl.c words the two name errors itself and takes the
 * rest from `X509_verify_cert_error_string` (https://github.com/python/cpython/blob/3.11/Modules/_ssl.c).
 */
function pythonLine(f: Failure): string {
  const mm = /^\d+\.\d+/.exec(f.pythonVersion ?? '')?.[0] ?? '3.11';
  const reason =
    f.code === 'HOSTNAME_MISMATCH'
      ? `Hostname mismatch, certificate is not valid for '${f.host}'.`
      : f.code === 'IP_ADDRESS_MISMATCH'
        ? `IP address mismatch, certificate is not valid for '${f.host}'.`
        : (REASONS[f.code] ?? f.message);
  return `[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ${reason} (_ssl.c:${SSL_C_LINE[mm] ?? 1006})`;
}

/** The leaf's SAN entries as Node formats them (`DNS:a, IP Address:127.0.0.1`), split. */
function sans(leaf: Cert | undefined): { text: string; dns: string[]; ips: string[] } {
  const text = leaf?.x509.subjectAltName ?? '';
  const all = text ? text.split(', ') : [];
  return {
    text,
    dns: all.filter((n) => n.startsWith('DNS:')).map((n) => n.slice(4)),
    ips: all.filter((n) => n.startsWith('IP Address:')).map((n) => n.slice(11)),
  };
}

/** The subject's CN values, in order. */
function commonNames(leaf: Cert | undefined): string[] {
  return (leaf?.x509.subject ?? '')
    .split('\n')
    .filter((l) => l.startsWith('CN='))
    .map((l) => l.slice(3));
}

/**
 * urllib3 1.26's `match_hostname` message (urllib3/util/ssl_match_hostname.py, vendored in pip < 24.2:
 * https://github.com/urllib3/urllib3/blob/1.26.x/src/urllib3/util/ssl_match_hostname.py): every DNS and IP
 * SAN value, or the CNs when there is none.
 */
function matchHostnameMessage(f: Failure): string {
  const s = sans(f.leaf);
  const names = s.dns.length + s.ips.length ? [...s.dns, ...s.ips] : commonNames(f.leaf);
  if (names.length > 1)
    return `hostname ${pyRepr(f.host)} doesn't match either of ${names.map(pyRepr).join(', ')}`;
  if (names.length === 1) return `hostname ${pyRepr(f.host)} doesn't match ${pyRepr(names[0] as string)}`;
  return 'no appropriate commonName or subjectAltName fields were found';
}

/** urllib3's MaxRetryError text: `HTTPSConnectionPool(host=…, port=…): Max retries exceeded with url: … (Caused by …)`. */
function pool(f: Failure, path: string, cause: string): string {
  return `HTTPSConnectionPool(host=${pyRepr(f.host)}, port=${f.port ?? 443}): Max retries exceeded with url: ${path} (Caused by ${cause})`;
}

const sslCause = (f: Failure) => `SSLError(SSLCertVerificationError(1, ${pyRepr(pythonLine(f))}))`;

/**
 * Node's `code` for an X509 error: `X509ErrorCode` in src/crypto/crypto_common.cc names these, every other
 * X509_V_ERR becomes 'UNSPECIFIED' (https://github.com/nodejs/node/blob/v20.x/src/crypto/crypto_common.cc).
 */
const NODE_X509_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CRL_NOT_YET_VALID',
  'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD',
  'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
  'OUT_OF_MEM',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
]);

export function nodeCode(code: string): string {
  if (MISMATCH.has(code)) return 'ERR_TLS_CERT_ALTNAME_INVALID';
  return NODE_X509_CODES.has(code) ? code : 'UNSPECIFIED';
}

/** `tls.checkServerIdentity`'s reason (lib/tls.js, https://github.com/nodejs/node/blob/v20.x/lib/tls.js). */
function nodeAltnameReason(f: Failure): string {
  const s = sans(f.leaf);
  if (f.code === 'IP_ADDRESS_MISMATCH') return `IP: ${f.host} is not in the cert's list: ${s.ips.join(', ')}`;
  if (s.dns.length) return `Host: ${f.host}. is not in the cert's altnames: ${s.text}`;
  const cn = commonNames(f.leaf);
  if (cn.length) return `Host: ${f.host}. is not cert's CN: ${cn.join(',')}`;
  return 'Cert does not contain a DNS name';
}

/** Node's reason for the error (the `Error:` line, npm's `reason:`). */
function nodeReason(f: Failure): string {
  if (MISMATCH.has(f.code))
    return `Hostname/IP does not match certificate's altnames: ${nodeAltnameReason(f)}`;
  return REASONS[f.code] ?? f.message;
}

/**
 * curl's own host check after the handshake (lib/vtls/openssl.c `Curl_ossl_verifyhost`, curl 7.88): any DNS or
 * IP SAN → "no alternative certificate subject name matches"; no SAN → the CN is compared, or missing.
 * https://github.com/curl/curl/blob/curl-7_88_1/lib/vtls/openssl.c
 */
function curlHostLine(f: Failure): string {
  const s = sans(f.leaf);
  if (!f.leaf || s.dns.length || s.ips.length)
    return `SSL: no alternative certificate subject name matches target host name '${f.host}'`;
  const cn = commonNames(f.leaf).at(-1);
  return cn
    ? `SSL: certificate subject name '${cn}' does not match target host name '${f.host}'`
    : 'SSL: unable to obtain common name from peer certificate';
}

/** The line `style` prints for failure `f`. */
export function printLine(style: PrintStyle, f: Failure): string {
  const auth = authority(f.host, f.port);
  const mismatch = MISMATCH.has(f.code);
  const reason = REASONS[f.code] ?? f.message;
  switch (style) {
    case 'python-ssl':
      return pythonLine(f);
    case 'requests': {
      // requests re-raises urllib3's MaxRetryError as requests.exceptions.SSLError (requests/adapters.py send)
      const path = f.url ? new URL(f.url).pathname : '/';
      return `requests.exceptions.SSLError: ${pool(f, path, sslCause(f))}`;
    }
    case 'pip-urllib3-1':
    case 'pip-truststore': {
      // pip/_internal/index/collector.py `_handle_get_simple_fail`: "Could not fetch URL %s: %s - skipping";
      // the reason comes from pip's session (network/session.py), the text from urllib3's MaxRetryError.
      const path = `/simple/${PIP_PROBE_PROJECT}/`;
      const cause =
        style === 'pip-urllib3-1' && mismatch
          ? `SSLError(CertificateError(${pyRepr(matchHostnameMessage(f))}))`
          : sslCause(f);
      return `Could not fetch URL https://${auth}${path}: There was a problem confirming the ssl certificate: ${pool(f, path, cause)} - skipping`;
    }
    case 'pip-python-line':
      return `Could not fetch URL https://${auth}/simple/${PIP_PROBE_PROJECT}/: There was a problem confirming the ssl certificate: ${pythonLine(f)} - skipping`;
    case 'curl':
      // CURLE_PEER_FAILED_VERIFICATION (60); the chain error is "SSL certificate problem: <reason>".
      return `curl: (60) ${mismatch ? curlHostLine(f) : `SSL certificate problem: ${reason}`}`;
    case 'git-gnutls': {
      // git's http.c prints curl's error buffer; libcurl-gnutls (lib/vtls/gtls.c, 7.88) fills it.
      const url = f.url ?? `https://${auth}/`;
      if (!mismatch)
        return `fatal: unable to access '${url}': server certificate verification failed. CAfile: ${f.caFile ?? 'none'} CRLfile: none`;
      const cn = commonNames(f.leaf)[0] ?? '';
      return `fatal: unable to access '${url}': SSL: certificate subject name (${cn}) does not match target host name '${f.host}'`;
    }
    case 'git-openssl': {
      const url = f.url ?? `https://${auth}/`;
      return `fatal: unable to access '${url}': ${mismatch ? curlHostLine(f) : `SSL certificate problem: ${reason}`}`;
    }
    case 'node': {
      // An unhandled 'error' event: Node prints the error's message line, then its properties (`code: '…'`).
      const head = mismatch ? `Error [ERR_TLS_CERT_ALTNAME_INVALID]: ${nodeReason(f)}` : `Error: ${reason}`;
      return `${head}\ncode: '${nodeCode(f.code)}'`;
    }
    case 'npm':
      // npm-registry-fetch: "request to <url> failed, reason: <err.message>", with err.code as `code`.
      return `npm error code ${nodeCode(f.code)}\nnpm error request to https://${auth}/-/ping failed, reason: ${nodeReason(f)}`;
  }
}
