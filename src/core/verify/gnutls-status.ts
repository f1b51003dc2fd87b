/**
 * GnuTLS's verification vocabulary as data: the `gnutls_certificate_status_t` flags (lib/includes/gnutls/
 * gnutls.h.in, 3.7.9), the sentence `gnutls_certificate_verification_status_print` appends for each
 * (lib/cert-cred.c), and the OpenSSL code certifix reports for it; the verification profiles
 * (`%PROFILE_*`, lib/algorithms/secparams.c) and how each caller sets GnuTLS up.
 * https://gitlab.com/gnutls/gnutls/-/blob/3.7.9/lib/includes/gnutls/gnutls.h.in
 */

export type GnutlsStatus =
  | 'GNUTLS_CERT_INVALID'
  | 'GNUTLS_CERT_REVOKED'
  | 'GNUTLS_CERT_SIGNER_NOT_FOUND'
  | 'GNUTLS_CERT_SIGNER_NOT_CA'
  | 'GNUTLS_CERT_INSECURE_ALGORITHM'
  | 'GNUTLS_CERT_NOT_ACTIVATED'
  | 'GNUTLS_CERT_EXPIRED'
  | 'GNUTLS_CERT_SIGNATURE_FAILURE'
  | 'GNUTLS_CERT_UNEXPECTED_OWNER'
  | 'GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE'
  | 'GNUTLS_CERT_PURPOSE_MISMATCH'
  | 'GNUTLS_CERT_UNKNOWN_CRIT_EXTENSIONS';

/** [flag, bit, sentence of gnutls_certificate_verification_status_print, closest OpenSSL code] */
export const GNUTLS_STATUS: ReadonlyArray<readonly [GnutlsStatus, number, string, string]> = [
  ['GNUTLS_CERT_INVALID', 1 << 1, '', 'UNSPECIFIED'],
  ['GNUTLS_CERT_REVOKED', 1 << 5, 'The certificate chain is revoked. ', 'CERT_REVOKED'],
  [
    'GNUTLS_CERT_SIGNER_NOT_FOUND',
    1 << 6,
    'The certificate issuer is unknown. ',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  ],
  ['GNUTLS_CERT_SIGNER_NOT_CA', 1 << 7, 'The certificate issuer is not a CA. ', 'INVALID_CA'],
  [
    'GNUTLS_CERT_INSECURE_ALGORITHM',
    1 << 8,
    'The certificate chain uses insecure algorithm. ',
    'CA_MD_TOO_WEAK',
  ],
  [
    'GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE',
    1 << 16,
    "The certificate chain violates the signer's constraints. ",
    'PATH_LENGTH_EXCEEDED',
  ],
  [
    'GNUTLS_CERT_PURPOSE_MISMATCH',
    1 << 18,
    'The certificate chain does not match the intended purpose. ',
    'INVALID_PURPOSE',
  ],
  [
    'GNUTLS_CERT_NOT_ACTIVATED',
    1 << 9,
    'The certificate chain uses not yet valid certificate. ',
    'CERT_NOT_YET_VALID',
  ],
  ['GNUTLS_CERT_EXPIRED', 1 << 10, 'The certificate chain uses expired certificate. ', 'CERT_HAS_EXPIRED'],
  [
    'GNUTLS_CERT_SIGNATURE_FAILURE',
    1 << 11,
    'The signature in the certificate is invalid. ',
    'CERT_SIGNATURE_FAILURE',
  ],
  [
    'GNUTLS_CERT_UNEXPECTED_OWNER',
    1 << 14,
    'The name in the certificate does not match the expected. ',
    'HOSTNAME_MISMATCH',
  ],
  [
    'GNUTLS_CERT_UNKNOWN_CRIT_EXTENSIONS',
    1 << 21,
    'The certificate contains an unknown critical extension. ',
    'UNHANDLED_CRITICAL_EXTENSION',
  ],
];

export const BIT = Object.fromEntries(GNUTLS_STATUS.map(([n, b]) => [n, b])) as Record<GnutlsStatus, number>;

/** Flag names set in a status mask, in bit order. */
export function statusNames(bits: number): GnutlsStatus[] {
  return GNUTLS_STATUS.filter(([, b]) => bits & b)
    .sort((a, b) => a[1] - b[1])
    .map(([n]) => n);
}

/** `gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, ...)`, sentences in its order. */
export function statusMessage(bits: number): string {
  let s = bits === 0 ? 'The certificate is trusted. ' : 'The certificate is NOT trusted. ';
  for (const [, b, text] of GNUTLS_STATUS) if (bits & b) s += text;
  return s.trimEnd();
}

/**
 * GnuTLS verification profiles (`gnutls_certificate_verification_profiles_t`, `%PROFILE_*` in a priority
 * string): the minimum security parameter a certificate's key and signature hash must reach
 * (`is_level_acceptable` in lib/x509/verify.c; the sizes are in gnutls-certs.ts). 'unknown' checks
 * nothing.
 */
export type GnutlsProfile =
  | 'unknown'
  | 'very-weak'
  | 'low'
  | 'legacy'
  | 'medium'
  | 'high'
  | 'ultra'
  | 'future';

/**
 * Who calls GnuTLS, and with what:
 * - `curl`: libcurl-gnutls 7.88 (Debian's git, curl built with GnuTLS). `gnutls_certificate_verify_peers2`
 *   with no purpose and no host name, flags GNUTLS_VERIFY_ALLOW_X509_V1_CA_CRT (= 0), and the NORMAL
 *   priority's profile LOW (lib/priority.c `pgroups[]`); the host name is checked by curl afterwards with
 *   `gnutls_x509_crt_check_hostname`, only once the chain verified (lib/vtls/gtls.c `Curl_gtls_verifyserver`,
 *   https://github.com/curl/curl/blob/curl-7_88_1/lib/vtls/gtls.c).
 * - `certtool`: `certtool --verify` (src/certtool.c `_verify_x509_mem`): GNUTLS_VERIFY_DO_NOT_ALLOW_SAME, no
 *   profile unless --verify-profile, the host name (--verify-hostname) and purpose (--verify-purpose) handed to
 *   `gnutls_x509_trust_list_verify_crt2`, so a name mismatch is one more flag next to the chain's.
 */
type GnutlsCaller = 'curl' | 'certtool';

export interface GnutlsOptions {
  caller?: GnutlsCaller | undefined;
  /** Verification profile; default per caller (curl: 'low', certtool: 'unknown'). */
  profile?: GnutlsProfile | undefined;
  /** Key purpose OID the leaf must allow (certtool --verify-purpose); curl/git pass none. */
  purpose?: string | undefined;
  /** GNUTLS_VERIFY_ALLOW_BROKEN (certtool --verify-allow-broken): accept SHA-1/MD5 signatures. */
  allowBroken?: boolean | undefined;
}

export const GNUTLS_CALLERS: Record<GnutlsCaller, { profile: GnutlsProfile; doNotAllowSame: boolean }> = {
  curl: { profile: 'low', doNotAllowSame: false },
  certtool: { profile: 'unknown', doNotAllowSame: true },
};
