/**
 * The one table from what clients print to a Verdict code. Codes are OpenSSL's X509_V_ERR_* suffixes (as Node
 * names them) plus a few certifix codes for failures that are not a verification result.
 * Reason strings: OpenSSL 3 `X509_verify_cert_error_string` (crypto/x509/x509_txt.c,
 * https://github.com/openssl/openssl/blob/openssl-3.0/crypto/x509/x509_txt.c); OpenSSL 1.1 spelled
 * "self signed" without the hyphen. Every client pattern below was provoked for real: test/clients/fixtures.
 */
import type { Verdict } from '../types.ts';

/** code → OpenSSL's reason string (what Python, curl, Node and npm print after their prefix). */
export const REASONS: Record<string, string> = {
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in certificate chain',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to get local issuer certificate',
  UNABLE_TO_GET_ISSUER_CERT: 'unable to get issuer certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to verify the first certificate',
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  CERT_REVOKED: 'certificate revoked',
  CERT_SIGNATURE_FAILURE: 'certificate signature failure',
  INVALID_CA: 'invalid CA certificate',
  PATH_LENGTH_EXCEEDED: 'path length constraint exceeded',
  // OpenSSL 3.0 says "unsuitable"; 1.1 said "unsupported" (both recognised, see reasonCode)
  INVALID_PURPOSE: 'unsuitable certificate purpose',
  CERT_CHAIN_TOO_LONG: 'certificate chain too long',
  UNHANDLED_CRITICAL_EXTENSION: 'unhandled critical extension',
  PERMITTED_VIOLATION: 'permitted subtree violation',
  EXCLUDED_VIOLATION: 'excluded subtree violation',
  KEYUSAGE_NO_CERTSIGN: 'key usage does not include certificate signing',
  CERT_UNTRUSTED: 'certificate not trusted',
  CERT_REJECTED: 'certificate rejected',
  CA_KEY_TOO_SMALL: 'CA certificate key too weak',
  EE_KEY_TOO_SMALL: 'EE certificate key too weak',
  CA_MD_TOO_WEAK: 'CA signature digest algorithm too weak',
  // Python >= 3.13 sets VERIFY_X509_STRICT: these come from OpenSSL's RFC 5280 checks.
  CA_BCONS_NOT_CRITICAL: 'Basic Constraints of CA cert not marked critical',
  MISSING_AUTHORITY_KEY_IDENTIFIER: 'Missing Authority Key Identifier',
  MISSING_SUBJECT_KEY_IDENTIFIER: 'Missing Subject Key Identifier',
  HOSTNAME_MISMATCH: 'Hostname mismatch',
  IP_ADDRESS_MISMATCH: 'IP address mismatch',
};

/** Certifix codes that are not X509 results. */
export const NOT_VERIFIED = {
  /** The client's CA file does not exist or cannot be read (requests raises OSError, curl exits 77). */
  CA_FILE: 'CA_FILE_UNREADABLE',
  /** The client says verification failed without a reason (GnuTLS in git). */
  UNSPECIFIED: 'VERIFY_FAILED',
  CONNECT: 'CONNECT',
  UNKNOWN: 'UNKNOWN',
  /** certifix stopped the client at its time limit before it said anything it recognises. */
  TIMEOUT: 'TIMEOUT',
} as const;

/** Patterns that carry no OpenSSL reason string but name the failure; first match wins. */
const PATTERNS: { re: RegExp; code: string }[] = [
  // Node: `code: 'ERR_TLS_CERT_ALTNAME_INVALID'`, npm: `npm error code ERR_TLS_CERT_ALTNAME_INVALID`
  {
    re: /ERR_TLS_CERT_ALTNAME_INVALID|Hostname\/IP does not match certificate's altnames/,
    code: 'HOSTNAME_MISMATCH',
  },
  // curl (OpenSSL): `curl: (60) SSL: no alternative certificate subject name matches target host name 'x'`
  { re: /no alternative certificate subject name matches/, code: 'HOSTNAME_MISMATCH' },
  // git with libcurl-gnutls: `SSL: certificate subject name (x) does not match target host name 'x'`
  { re: /does not match target host name/, code: 'HOSTNAME_MISMATCH' },
  // pip/urllib3 1.x: `CertificateError("hostname 'localhost' doesn't match 'other.example'")`
  { re: /CertificateError\("hostname '[^']*' doesn't match/, code: 'HOSTNAME_MISMATCH' },
  // Python: `Hostname mismatch, certificate is not valid for 'x'.`, `IP address mismatch, certificate is ...`
  { re: /Hostname mismatch, certificate is not valid for/, code: 'HOSTNAME_MISMATCH' },
  { re: /IP address mismatch, certificate is not valid for/, code: 'IP_ADDRESS_MISMATCH' },
  // requests/pip: `OSError: Could not find a suitable TLS CA certificate bundle, invalid path: /x`
  { re: /Could not find a suitable TLS CA certificate bundle/, code: NOT_VERIFIED.CA_FILE },
  // curl: `curl: (77) error setting certificate file: /x`; git (GnuTLS): `Problem with the SSL CA cert (path? access rights?)`
  {
    re: /curl: \(77\)|Problem with the SSL CA cert|error setting certificate (file|verify locations)/,
    code: NOT_VERIFIED.CA_FILE,
  },
  // git with libcurl-gnutls: `server certificate verification failed. CAfile: none CRLfile: none`
  { re: /server certificate verification failed\. CAfile:/, code: NOT_VERIFIED.UNSPECIFIED },
];

const IP = String.raw`(?:\d{1,3}(?:\.\d{1,3}){3}|\[?[0-9A-Fa-f]*:[0-9A-Fa-f:.]*\]?)`;
/** A name mismatch about an IP target: Node's `altnames: IP: x`, curl/git's `target host name 'x'`, urllib3 1.26's `hostname 'x'`. */
const IP_TARGET = new RegExp(`altnames: IP: |target host name '${IP}'|CertificateError\\("hostname '${IP}'`);

/** Things that happen only after a successful handshake: TLS was fine. */
const AFTER_HANDSHAKE: RegExp[] = [
  /HTTP Error \d{3}/, // urllib
  /\b[45]\d\d (Client|Server) Error\b/, // requests raise_for_status
  /npm error code E\d{3}\b/, // npm: `npm error code E404`
  /repository '[^']*' not found/, // git
  // git against a site that is not a repository (an HTML page at info/refs): "%s not valid: is this a git
  // repository?" in remote-curl.c, https://github.com/git/git/blob/master/remote-curl.c
  /info\/refs not valid: is this a git repository\?/,
  // git asked for credentials (HTTP 401) with prompts off: http.c, https://github.com/git/git/blob/master/credential.c
  /could not read Username for '[^']*': terminal prompts disabled/,
  /The requested URL returned error: \d{3}/, // curl -f, git smart HTTP
  /No matching distribution found|from versions: none/, // pip after fetching the index page
  // pdm lock after fetching the index page (observed: Debian's pdm 2.2.1; an SSL error is printed as [SSLError])
  /\[CandidateNotFound\]: Unable to find candidates for/,
  /^HTTP_STATUS [1-5]\d\d$/m, // our own probes print this (curl prints 000 when nothing came back)
];

const CONNECT: RegExp[] = [
  /ECONNREFUSED|Connection refused|Failed to connect|ENOTFOUND|Name or service not known|getaddrinfo|Could not resolve host|Temporary failure in name resolution/,
];

/** Node codes as printed by Node and npm (`code: 'SELF_SIGNED_CERT_IN_CHAIN'`, `npm error code X`). */
function nodeCode(text: string): string | undefined {
  const m = /(?:code:? '?|npm error code )([A-Z_]{8,})\b/.exec(text);
  const c = m?.[1];
  return c && c in REASONS ? c : undefined;
}

function reasonCode(text: string): string | undefined {
  let best: { code: string; at: number; len: number } | undefined;
  for (const [code, reason] of Object.entries(REASONS)) {
    const variants = [
      reason,
      reason.replace('self-signed', 'self signed'),
      reason.replace('unsuitable', 'unsupported'),
    ];
    for (const v of variants) {
      const at = text.indexOf(v);
      // Longest match wins: "self-signed certificate in certificate chain" over "self-signed certificate".
      if (at >= 0 && (!best || v.length > best.len)) best = { code, at, len: v.length };
    }
  }
  return best?.code;
}

/** Map a client's output (stdout + stderr) and exit code to a Verdict. */
export function verdictFromOutput(output: string, exitCode: number | null): Verdict {
  const line = (re: RegExp) =>
    output
      .split('\n')
      .find((l) => re.test(l))
      ?.trim();
  for (const p of PATTERNS) {
    if (p.re.test(output)) {
      // Only Python words an IP mismatch apart; the others name the IP they were asked for.
      const code = p.code === 'HOSTNAME_MISMATCH' && IP_TARGET.test(output) ? 'IP_ADDRESS_MISMATCH' : p.code;
      return { ok: false, code, message: REASONS[code] ?? code, printed: line(p.re) };
    }
  }
  const code = nodeCode(output) ?? reasonCode(output);
  if (code) {
    const reason = REASONS[code] ?? code;
    return {
      ok: false,
      code,
      message: reason,
      printed: line(new RegExp(reEscape(reason.replace('self-signed', 'self.signed')))),
    };
  }
  if (exitCode === 0 || AFTER_HANDSHAKE.some((re) => re.test(output)))
    return { ok: true, code: 'OK', message: 'ok' };
  if (CONNECT.some((re) => re.test(output))) {
    return { ok: false, code: NOT_VERIFIED.CONNECT, message: 'could not connect', printed: lastLine(output) };
  }
  return {
    ok: false,
    code: NOT_VERIFIED.UNKNOWN,
    message: 'the client failed for a reason certifix does not recognise',
    printed: lastLine(output),
  };
}

function reEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, (c) => (c === '.' ? '.' : `\\${c}`));
}

function lastLine(text: string): string | undefined {
  return text.trim().split('\n').filter(Boolean).at(-1)?.trim();
}
