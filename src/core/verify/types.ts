import type { Cert } from '../cert.ts';

/**
 * Verification profiles: which OpenSSL flags the client's default context uses.
 * - `openssl`: OpenSSL's defaults (Python <= 3.12, curl, Node, ...).
 * - `python313`: Python >= 3.13's `ssl.create_default_context()` adds VERIFY_X509_STRICT and
 *   VERIFY_X509_PARTIAL_CHAIN (https://docs.python.org/3.13/library/ssl.html#ssl.create_default_context).
 */
export type Profile = 'openssl' | 'python313';

export interface VerifyInput {
  /** The end-entity certificate to verify. */
  leaf: Cert;
  /** Certificates the peer sent after the leaf (untrusted intermediates), in order. */
  untrusted: readonly Cert[];
  /** The trust anchors of the client's store. */
  trusted: readonly Cert[];
  /** DNS name or IP address to check, or undefined to skip the name check. */
  host?: string | undefined;
  /** Validation time; defaults to now. */
  at?: Date | undefined;
  profile?: Profile | undefined;
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
}
