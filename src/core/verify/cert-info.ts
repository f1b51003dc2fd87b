/**
 * The shape of a parsed certificate's details (`certInfo()` in core/extensions.ts fills it; the extension
 * decoders and the verifiers read it), after OpenSSL's cached extension flags.
 */
import type { KeyType } from './algorithms.ts';
import type { Tlv } from './der.ts';
import type { NameInfo } from './dn.ts';
import type { GeneralName, NameConstraints } from './general-names.ts';

export interface Extension {
  oid: string;
  critical: boolean;
  value: Buffer;
}

export interface CertInfo {
  /** 0 = v1, 2 = v3 */
  version: number;
  serial: Buffer;
  /** Raw AlgorithmIdentifier inside TBSCertificate and outside it (`X509_ALGOR_cmp`). */
  tbsSigAlg: Buffer;
  sigAlg: Buffer;
  sigOid: string;
  /** The signature OID inside TBSCertificate (what `check_sig_alg_match` looks at). */
  tbsSigOid: string;
  sigParams: Tlv | undefined;
  issuer: NameInfo;
  subject: NameInfo;
  /** Seconds since the epoch, or null when not in RFC 5280 form (OpenSSL reports a format error). */
  notBefore: number | null;
  notAfter: number | null;
  keyType: KeyType;
  /** EC key given with explicit curve parameters instead of a named curve. */
  ecExplicit: boolean;
  ecCurve: string | undefined;
  extensions: Extension[];
  /** EXFLAG_INVALID: an extension OpenSSL parses failed to decode or is duplicated. */
  invalid: boolean;
  /** EXFLAG_CRITICAL: a critical extension OpenSSL does not support. */
  unhandledCritical: boolean;
  bcPresent: boolean;
  bcCritical: boolean;
  ca: boolean;
  /** -1 when absent */
  pathLen: number;
  /** keyUsage bits (OpenSSL's ex_kusage), undefined when the extension is absent */
  keyUsage: number | undefined;
  /** EKU OIDs, undefined when absent */
  eku: string[] | undefined;
  nsCertType: number | undefined;
  skid: Buffer | undefined;
  skidCritical: boolean;
  akid: { keyid?: Buffer; issuer?: NameInfo; issuerPresent: boolean; serial?: Buffer } | undefined;
  akidCritical: boolean;
  san: GeneralName[] | undefined;
  sanCritical: boolean;
  nc: NameConstraints | undefined;
  proxy: boolean;
  /** EXFLAG_SI: subject == issuer */
  selfIssued: boolean;
  /** EXFLAG_SS: self-issued, AKID matches own SKID, signature algorithm fits own key (no signature check). */
  selfSigned: boolean;
}
