/**
 * Signature and key algorithms as OpenSSL 3.0 classifies them: which key type signs with which signature OID
 * (`check_sig_alg_match` in crypto/x509/v3_purp.c), and the security bits of a signature for the auth level
 * (`x509_sig_info_init` in crypto/x509/x509_set.c: SHA-1 is 63, MD5 is 39 so neither passes level 1).
 */

export type KeyType = 'rsa' | 'rsa-pss' | 'ec' | 'dsa' | 'ed25519' | 'ed448' | 'unknown';

/** SubjectPublicKeyInfo algorithm OID -> key type */
export const KEY_OIDS: Record<string, KeyType> = {
  '1.2.840.113549.1.1.1': 'rsa',
  '1.2.840.113549.1.1.10': 'rsa-pss',
  '1.2.840.10045.2.1': 'ec',
  '1.2.840.10040.4.1': 'dsa',
  '1.3.101.112': 'ed25519',
  '1.3.101.113': 'ed448',
};

/** signature OID -> [key type that signs it, security bits of the signature] */
export const SIG_OIDS: Record<string, [KeyType, number]> = {
  '1.2.840.113549.1.1.2': ['rsa', 64], // md2
  '1.2.840.113549.1.1.3': ['rsa', 64], // md4
  '1.2.840.113549.1.1.4': ['rsa', 39], // md5
  '1.2.840.113549.1.1.5': ['rsa', 63], // sha1
  '1.3.14.3.2.29': ['rsa', 63], // sha1 (OIW)
  '1.2.840.113549.1.1.14': ['rsa', 112],
  '1.2.840.113549.1.1.11': ['rsa', 128],
  '1.2.840.113549.1.1.12': ['rsa', 192],
  '1.2.840.113549.1.1.13': ['rsa', 256],
  '1.2.840.113549.1.1.15': ['rsa', 112],
  '1.2.840.113549.1.1.16': ['rsa', 128],
  '2.16.840.1.101.3.4.3.13': ['rsa', 112],
  '2.16.840.1.101.3.4.3.14': ['rsa', 128],
  '2.16.840.1.101.3.4.3.15': ['rsa', 192],
  '2.16.840.1.101.3.4.3.16': ['rsa', 256],
  '1.2.840.113549.1.1.10': ['rsa-pss', 128], // refined from the parameters by pssSecBits
  '1.2.840.10045.4.1': ['ec', 63],
  '1.2.840.10045.4.3.1': ['ec', 112],
  '1.2.840.10045.4.3.2': ['ec', 128],
  '1.2.840.10045.4.3.3': ['ec', 192],
  '1.2.840.10045.4.3.4': ['ec', 256],
  '2.16.840.1.101.3.4.3.9': ['ec', 112],
  '2.16.840.1.101.3.4.3.10': ['ec', 128],
  '2.16.840.1.101.3.4.3.11': ['ec', 192],
  '2.16.840.1.101.3.4.3.12': ['ec', 256],
  '1.2.840.10040.4.3': ['dsa', 63],
  '2.16.840.1.101.3.4.3.1': ['dsa', 112],
  '2.16.840.1.101.3.4.3.2': ['dsa', 128],
  '1.3.101.112': ['ed25519', 128],
  '1.3.101.113': ['ed448', 224],
};

/** Hash OIDs inside RSASSA-PSS parameters -> security bits (`rsa_sig_info_set`). */
export const PSS_HASH_BITS: Record<string, number> = {
  '1.3.14.3.2.26': 64,
  '2.16.840.1.101.3.4.2.4': 112,
  '2.16.840.1.101.3.4.2.1': 128,
  '2.16.840.1.101.3.4.2.2': 192,
  '2.16.840.1.101.3.4.2.3': 256,
};

/** Named curves -> security bits (half the order size). */
export const CURVE_BITS: Record<string, number> = {
  '1.2.840.10045.3.1.1': 96, // P-192
  '1.3.132.0.33': 112, // P-224
  '1.2.840.10045.3.1.7': 128, // P-256
  '1.3.132.0.34': 192, // P-384
  '1.3.132.0.35': 260, // P-521
  '1.3.132.0.10': 128, // secp256k1
};

/**
 * RSA/DSA modulus size -> security bits: the canonical values of `ossl_ifc_ffc_compute_security_bits`,
 * and its NIST SP 800-56B formula in between (exact at the thresholds that matter: 1024 -> 80).
 */
export function ifcSecurityBits(n: number): number {
  const table: Record<number, number> = { 2048: 112, 3072: 128, 4096: 152, 6144: 176, 7680: 192, 8192: 200 };
  const hit = table[n];
  if (hit !== undefined) return hit;
  if (n < 8) return 0;
  const x = n * Math.LN2;
  const y = (1.923 * Math.cbrt(x * Math.log(x) ** 2) - 4.69) / Math.LN2;
  return Math.min((Math.floor(y) + 4) & ~7, n >= 15360 ? 256 : 1200);
}

/** `check_sig_alg_match`: may a key of `issuerKey` type have produced signature `sigOid`? */
export function sigAlgMatches(issuerKey: KeyType, sigOid: string): boolean {
  const sig = SIG_OIDS[sigOid];
  if (!sig || issuerKey === 'unknown') return false;
  return sig[0] === issuerKey || (issuerKey === 'rsa' && sig[0] === 'rsa-pss');
}
