/**
 * Why verification failed, as the OpenSSL X509_V_ERR name Node prints (`err.code`) and OpenSSL's reason
 * string (`X509_verify_cert_error_string`). Python, curl, git-with-OpenSSL, npm and Node all print the reason
 * string, so one table serves them; stacks that word it differently (Java, GnuTLS, rustls) add their own rows
 * in recognisers.ts.
 */

/** Node's spelling of the verify error, plus two certifix codes for stacks that do not say which. */
export type VerifyCode =
  | 'SELF_SIGNED_CERT_IN_CHAIN' // 19: the server sent a root nobody here trusts
  | 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' // 20: no trusted issuer for the top of what the server sent
  | 'UNABLE_TO_GET_ISSUER_CERT' // 2
  | 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' // 21: leaf alone, its issuer neither sent nor trusted
  | 'DEPTH_ZERO_SELF_SIGNED_CERT' // 18: the server's own certificate is self-signed
  | 'CERT_HAS_EXPIRED' // 10
  | 'CERT_NOT_YET_VALID' // 9
  | 'HOSTNAME_MISMATCH' // 62 (Node: ERR_TLS_CERT_ALTNAME_INVALID)
  | 'CERT_REVOKED' // 23
  | 'INVALID_CA' // 24
  | 'PATH_LENGTH_EXCEEDED' // 25
  | 'INVALID_PURPOSE' // 26
  | 'CERT_SIGNATURE_FAILURE' // 7
  | 'CA_MD_TOO_WEAK' // 68
  | 'EE_KEY_TOO_SMALL' // 66
  // certifix's own: the client only said "verification failed" (GnuTLS in Debian's git, bare Python
  // "certificate verify failed" from OpenSSL 1.0). OpenSSL's generic SSL-layer reason string.
  | 'CERT_VERIFY_FAILED';

export interface Reason {
  re: RegExp;
  code: VerifyCode;
  /** OpenSSL's reason string (OpenSSL 3 spelling: "self-signed"). */
  message: string;
}

const r = (re: RegExp, code: VerifyCode, message: string): Reason => ({ re, code, message });

/**
 * Order matters: the first row that matches anywhere in the text wins, so specific rows come before the
 * ones they contain ("self-signed certificate in certificate chain" before "self-signed certificate"), and
 * the generic "certificate verify failed" is last. OpenSSL 1.1 wrote "self signed", 3.0 "self-signed".
 */
// biome-ignore format: one row per line reads as a table
export const REASONS: readonly Reason[] = [
  r(/self[- ]signed certificate in certificate chain|SELF_SIGNED_CERT_IN_CHAIN/i, 'SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'),
  r(/unable to get local issuer certificate|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/i, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'unable to get local issuer certificate'),
  r(/unable to verify the first certificate|UNABLE_TO_VERIFY_LEAF_SIGNATURE/i, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'),
  r(/unable to get issuer certificate|\bUNABLE_TO_GET_ISSUER_CERT\b/i, 'UNABLE_TO_GET_ISSUER_CERT', 'unable to get issuer certificate'),
  r(/self[- ]signed certificate|DEPTH_ZERO_SELF_SIGNED_CERT/i, 'DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'),
  r(/certificate has expired|CERT_HAS_EXPIRED/i, 'CERT_HAS_EXPIRED', 'certificate has expired'),
  r(/certificate is not yet valid|CERT_NOT_YET_VALID/i, 'CERT_NOT_YET_VALID', 'certificate is not yet valid'),
  // Python ssl ("Hostname mismatch, certificate is not valid for 'x'"), urllib3 1.x / Python < 3.7
  // ("hostname 'x' doesn't match 'y'"), curl/git-OpenSSL ("no alternative certificate subject name matches"),
  // git-GnuTLS ("certificate subject name (y) does not match target host name"), Node (altnames).
  r(
    /Hostname mismatch|hostname '[^']*' doesn't match|no alternative certificate subject name matches|does not match target host ?name|Hostname\/IP does not match certificate's altnames|ERR_TLS_CERT_ALTNAME_INVALID/i,
    'HOSTNAME_MISMATCH',
    'hostname mismatch',
  ),
  r(/certificate revoked|CERT_REVOKED/i, 'CERT_REVOKED', 'certificate revoked'),
  r(/invalid CA certificate|\bINVALID_CA\b/i, 'INVALID_CA', 'invalid CA certificate'),
  r(/path length constraint exceeded|PATH_LENGTH_EXCEEDED/i, 'PATH_LENGTH_EXCEEDED', 'path length constraint exceeded'),
  r(/unsupported certificate purpose|\bINVALID_PURPOSE\b/i, 'INVALID_PURPOSE', 'unsupported certificate purpose'),
  r(/certificate signature failure|CERT_SIGNATURE_FAILURE/i, 'CERT_SIGNATURE_FAILURE', 'certificate signature failure'),
  r(/CA signature digest algorithm too weak|ca md too weak|CA_MD_TOO_WEAK/i, 'CA_MD_TOO_WEAK', 'CA signature digest algorithm too weak'),
  r(/EE certificate key too weak|ee key too small|EE_KEY_TOO_SMALL/i, 'EE_KEY_TOO_SMALL', 'EE certificate key too weak'),
  r(/certificate verify failed|CERTIFICATE_VERIFY_FAILED/i, 'CERT_VERIFY_FAILED', 'certificate verify failed'),
];
