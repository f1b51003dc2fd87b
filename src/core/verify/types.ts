import type { Cert } from '../cert.ts';
import type { TrustLookup } from './build.ts';
import type { GnutlsOptions, GnutlsStatus } from './gnutls-status.ts';
import type { HostFlags } from './hostname.ts';

/**
 * Verification profiles: which OpenSSL flags the client's default context uses, and which error it reports.
 * - `openssl`: OpenSSL's defaults (Python <= 3.12, curl, ...): the first error stops verification.
 * - `python313`: Python >= 3.13's `ssl.create_default_context()` adds VERIFY_X509_STRICT and
 *   VERIFY_X509_PARTIAL_CHAIN (https://docs.python.org/3.13/library/ssl.html#ssl.create_default_context).
 * - `node`: OpenSSL's defaults, but Node's verify callback lets verification run on and reports the *last*
 *   error (`SSL_get_verify_result`), which is why a missing intermediate shows up in Node as
 *   UNABLE_TO_VERIFY_LEAF_SIGNATURE where Python says "unable to get local issuer certificate".
 * - `gnutls`: GnuTLS 3.7 (`gnutls_x509_trust_list_verify_crt2`), as git and curl built on libcurl-gnutls
 *   (Debian) and certtool/gnutls-cli verify: no extended key usage check for TLS servers, its own chain
 *   sorting and shortening at a trusted certificate, SHA-1/MD5 signatures refused, GnuTLS host-name rules.
 *   The result carries GnuTLS's status flags (`gnutls`) and the closest OpenSSL code (`code`).
 */
export type Profile = 'openssl' | 'python313' | 'node' | 'gnutls';

export interface VerifyInput {
  /** The end-entity certificate to verify. */
  leaf: Cert;
  /** Certificates the peer sent after the leaf (untrusted intermediates), in order. */
  untrusted: readonly Cert[];
  /** The trust anchors of the client's store: a list (a CA file's order), or a store that is asked by name. */
  trusted: readonly Cert[] | TrustLookup;
  /** DNS name or IP address to check, or undefined to skip the name check. */
  host?: string | undefined;
  /** Validation time; defaults to now. */
  at?: Date | undefined;
  profile?: Profile | undefined;
  /** X509_VERIFY_PARAM depth: how many CA certificates may follow the leaf (OpenSSL default 100). */
  maxDepth?: number | undefined;
  /**
   * OpenSSL auth level: TLS clients use the SSL security level (1 on stock OpenSSL 3.0, 2 on some distros);
   * 0 disables the key/digest strength checks, as plain `openssl verify` does.
   */
  securityLevel?: number | undefined;
  /** Host-name rules of the client (see HOST_RULES): X509_check_host flags, CN fallback, wildcards. */
  hostFlags?: HostFlags | undefined;
  /** Profile `gnutls` only: who calls GnuTLS and with which verification profile (see GNUTLS_CALLERS). */
  gnutls?: GnutlsOptions | undefined;
}

export interface VerifyError {
  code: string;
  depth: number;
}

export interface VerifyResult {
  ok: boolean;
  /** The X509_V_ERR_ suffix, as Node names it: `SELF_SIGNED_CERT_IN_CHAIN`, `HOSTNAME_MISMATCH`, ... ('OK' when ok). */
  code: string;
  /** OpenSSL's reason string: `self-signed certificate in certificate chain`. */
  message: string;
  /** Depth in the chain of the certificate the error is about (0 = leaf), as OpenSSL reports it. */
  depth: number;
  /** The path that was built, leaf first (ends in an anchor when ok). */
  chain: Cert[];
  /** Every error OpenSSL would raise if verification continued past each one, in order. */
  errors?: VerifyError[] | undefined;
  /** Profile `gnutls`: the `gnutls_certificate_status_t` flags GnuTLS sets, by name, and its own wording. */
  gnutls?: GnutlsVerdict | undefined;
}

interface GnutlsVerdict {
  /** Flag names in bit order, e.g. ['GNUTLS_CERT_INVALID', 'GNUTLS_CERT_SIGNER_NOT_FOUND']; [] when trusted. */
  status: GnutlsStatus[];
  /** The status bit mask (`unsigned int *voutput`). */
  bits: number;
  /** `gnutls_certificate_verification_status_print`: "The certificate is NOT trusted. The certificate issuer is unknown." */
  message: string;
  /** The host name failed (curl checks it only after the chain verified, GNUTLS_CERT_UNEXPECTED_OWNER in certtool). */
  hostMismatch: boolean;
  /** Why GnuTLS refuses to import one of the peer's certificates, before any verification (status is then []). */
  importError?: string | undefined;
}
