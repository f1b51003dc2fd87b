/**
 * macOS trust settings: reading the two forms `security` prints them in, and deciding what they mean for TLS
 * server trust, the way trustd does (for the OS store) and the way Node's `--use-system-ca` /
 * `tls.getCACertificates('system')` does (so tests can say where the two agree).
 * Apple's sources: https://github.com/apple-oss-distributions/Security (SecurityTool/macOS/trusted_cert_dump.c,
 * trust_settings_impexp.c, trusted_cert_utils.c; OSX/libsecurity_keychain/lib/TrustSettingsSchema.h;
 * trust/trustd/SecCertificateSource.c). Node's: src/crypto/crypto_context.cc, IsTrustSettingsTrustedForPolicy,
 * IsCertificateTrustedForPolicy and ReadMacOSKeychainCertificates (added by
 * https://github.com/nodejs/node/pull/56599, revised by https://github.com/nodejs/node/pull/62576).
 */
import { createHash } from 'node:crypto';
import type { Cert } from '../core/cert.ts';
import { type PlistValue, parsePlist } from '../formats/plist.ts';

/** One usage-constraints dictionary (SecTrustSettings.h): every key optional. */
interface TrustSetting {
  /** `SSL`, `EAP`, `Apple X509 Basic`... as dump-trust-settings names it, or the dotted OID from a plist. */
  policy?: string;
  /** A host name for SSL, an address for S/MIME: the setting applies to that one use only. */
  policyString?: string;
  application?: string;
  /** kSecTrustSettingsResult* by name; absent means kSecTrustSettingsResultTrustRoot (SecTrustSettings.h). */
  result?: string;
}

/** One domain's settings: by SHA-1 (trust-settings-export) or by label (dump-trust-settings). */
export interface DomainSettings {
  bySha1: Map<string, TrustSetting[]>;
  byLabel: Map<string, TrustSetting[]>;
}

export const emptyDomain = (): DomainSettings => ({ bySha1: new Map(), byLabel: new Map() });

/** kSecPolicyAppleSSL, 1.2.840.113635.100.1.3, printed as `SSL` by trusted_cert_utils.c's oidToOidString. */
const SSL_POLICY = new Set(['SSL', '1.2.840.113635.100.1.3']);

/** SecTrustSettingsResult values (SecTrustSettings.h) by the names trusted_cert_utils.c's printResultType uses. */
const RESULTS = [
  'kSecTrustSettingsResultInvalid',
  'kSecTrustSettingsResultTrustRoot',
  'kSecTrustSettingsResultTrustAsRoot',
  'kSecTrustSettingsResultDeny',
  'kSecTrustSettingsResultUnspecified',
] as const;

const DUMP_KEYS: Record<string, keyof TrustSetting> = {
  'Policy OID': 'policy',
  'Policy String': 'policyString',
  Application: 'application',
  'Result Type': 'result',
};

/**
 * Parse `security dump-trust-settings [-d|-s]` (trusted_cert_dump.c): `Cert <n>: <label>`, `Number of trust
 * settings : <n>`, then per setting optional `Policy OID`, `Application`, `Policy String`, `Allowed Error`,
 * `Result Type`, `Key Usage` lines. The label is SecCertificateCopySubjectSummary's: usually the common name.
 */
export function parseTrustDump(stdout: string): Map<string, TrustSetting[]> {
  const out = new Map<string, TrustSetting[]>();
  let settings: TrustSetting[] | undefined;
  let cur: TrustSetting | undefined;
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.trim();
    const cert = /^Cert \d+: (.*)$/.exec(line);
    if (cert) {
      settings = [];
      cur = undefined;
      out.set(cert[1]?.trim() ?? '', settings);
      continue;
    }
    if (!settings) continue;
    if (/^Trust Setting \d+:$/.test(line)) {
      cur = {};
      settings.push(cur);
      continue;
    }
    const kv = /^([A-Za-z ]+?)\s*:\s*(.*)$/.exec(line);
    const key = kv && DUMP_KEYS[kv[1] as string];
    if (key && cur) cur[key] = kv[2]?.trim() ?? '';
  }
  return out;
}

/** DER OID content bytes (as a plist's kSecTrustSettingsPolicy holds them) to dotted form. */
function oidString(der: Buffer): string {
  const first = der[0] ?? 0;
  const parts = [Math.min(2, Math.floor(first / 40)), first - 40 * Math.min(2, Math.floor(first / 40))];
  let n = 0;
  for (const b of der.subarray(1)) {
    n = n * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(n);
      n = 0;
    }
  }
  return parts.join('.');
}

const isDict = (v: PlistValue | undefined): v is { [key: string]: PlistValue } =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !Buffer.isBuffer(v);

/**
 * Parse what `security trust-settings-export [-d|-s] FILE` writes (trust_settings_impexp.c): the domain's trust
 * record as an XML plist (TrustSettingsSchema.h): `trustList` maps each certificate's SHA-1 (upper-case hex) to
 * `issuerName`, `serialNumber`, `modDate` and an optional `trustSettings` array — absent for a certificate with no
 * usage constraints, i.e. "wide open", kSecTrustSettingsResultTrustRoot (TrustSettingsSchema.h) — whose
 * dictionaries hold kSecTrustSettingsPolicy (OID bytes), kSecTrustSettingsPolicyString,
 * kSecTrustSettingsApplication, kSecTrustSettingsAllowedError and kSecTrustSettingsResult (a number).
 */
export function parseTrustExport(xml: string): Map<string, TrustSetting[]> {
  const root = parsePlist(xml);
  const list = isDict(root) ? root.trustList : undefined;
  if (!isDict(list)) throw new Error('no trustList in the trust settings');
  const out = new Map<string, TrustSetting[]>();
  for (const [sha1, entry] of Object.entries(list)) {
    if (!/^[0-9A-F]{40}$/i.test(sha1) || !isDict(entry)) continue; // e.g. kSecTrustRecordDefaultRootCert
    const raw = Array.isArray(entry.trustSettings) ? entry.trustSettings : [];
    out.set(
      sha1.toUpperCase(),
      raw.filter(isDict).map((d) => {
        const s: TrustSetting = {};
        const policy = d.kSecTrustSettingsPolicy;
        if (Buffer.isBuffer(policy)) s.policy = oidString(policy);
        else if (typeof policy === 'string') s.policy = policy;
        if (typeof d.kSecTrustSettingsPolicyString === 'string')
          s.policyString = d.kSecTrustSettingsPolicyString;
        if (d.kSecTrustSettingsApplication !== undefined) s.application = 'application';
        if (typeof d.kSecTrustSettingsResult === 'number')
          s.result =
            RESULTS[d.kSecTrustSettingsResult] ??
            `Unknown SecTrustSettingsResult (${d.kSecTrustSettingsResult})`;
        return s;
      }),
    );
  }
  return out;
}

/** The label dump-trust-settings prints for a certificate (SecCertificateCopySubjectSummary): its CN. */
function label(cert: Cert): string {
  return /(?:^|, )CN=([^,]+)/.exec(cert.subject)?.[1] ?? cert.subject;
}

const sha1 = (cert: Cert): string => createHash('sha1').update(cert.der).digest('hex').toUpperCase();

/** A certificate's settings in one domain, or undefined when the domain has none for it. */
function settingsFor(domain: DomainSettings, cert: Cert): TrustSetting[] | undefined {
  return domain.bySha1.get(sha1(cert)) ?? domain.byLabel.get(label(cert));
}

/** Subject and issuer names equal (Node's isSelfIssued, X509_NAME_cmp): a root, whatever its signature. */
const selfIssued = (cert: Cert): boolean => cert.x509.subject === cert.x509.issuer;

type Decision = 'trust' | 'deny' | 'unspecified';

/**
 * What a certificate's settings say for TLS server trust. The first setting that applies to SSL decides: one
 * naming no policy or the SSL policy, not narrowed to one application or one host (Policy String). Deny
 * distrusts; TrustAsRoot trusts; TrustRoot (also what a setting without a Result means, SecTrustSettings.h), and
 * an empty list ("always trust", SecTrustSettingsCopyTrustSettings documentation), trust a self-issued
 * certificate only, as TrustRoot is defined for roots alone: Chromium's trust_store_mac.cc, which Node's
 * IsTrustDictionaryTrustedForPolicy follows (Node before nodejs/node#62576 took a setting without a Result as
 * no answer).
 */
export function sslDecision(settings: readonly TrustSetting[], isSelfIssued: boolean): Decision {
  if (settings.length === 0) return isSelfIssued ? 'trust' : 'unspecified';
  for (const s of settings) {
    if (s.application !== undefined || s.policyString !== undefined) continue;
    if (s.policy !== undefined && !SSL_POLICY.has(s.policy)) continue;
    const r = s.result ?? 'kSecTrustSettingsResultTrustRoot';
    if (r === 'kSecTrustSettingsResultDeny') return 'deny';
    if (r === 'kSecTrustSettingsResultTrustAsRoot') return 'trust';
    if (r === 'kSecTrustSettingsResultTrustRoot' && isSelfIssued) return 'trust';
  }
  return 'unspecified';
}

/**
 * The OS's decision, as trustd takes it: the admin domain's settings, when it has any for the certificate,
 * overrule the user's ("admin trust settings overrule user trust settings (rdar://37052515)",
 * SecLegacyAnchorSourceCopyUsageConstraints in trust/trustd/SecCertificateSource.c).
 */
export function osDecision(cert: Cert, user: DomainSettings, admin: DomainSettings): Decision {
  const settings = settingsFor(admin, cert) ?? settingsFor(user, cert);
  return settings ? sslDecision(settings, selfIssued(cert)) : 'unspecified';
}

/**
 * Whether Node (>= 22.15, `--use-system-ca` / `tls.getCACertificates('system')`) lists a keychain certificate:
 * IsCertificateTrustedForPolicy in src/crypto/crypto_context.cc. The user domain first, then admin ("User
 * settings can override admin"); the first trusted or distrusted answer decides; a domain with no settings for
 * the certificate sends it, once, through SecTrustEvaluateWithError with the SSL policy (`chainsToTrusted`).
 * Expired certificates are left out (ReadMacOSKeychainCertificates, since nodejs/node#62576).
 * Node reads only the keychain search list (SecItemCopyMatching, kSecClassCertificate; "Default and System
 * Keychains" in its --use-system-ca documentation): Apple's SystemRootCertificates are not in it, Node's bundled
 * roots stand in for them, and a "Never Trust" on one of those does not reach Node
 * (https://github.com/nodejs/node/pull/60340).
 */
export function nodeLists(
  cert: Cert,
  user: DomainSettings,
  admin: DomainSettings,
  chainsToTrusted: () => boolean,
  now = new Date(),
): boolean {
  if (cert.notAfter < now) return false;
  let evaluated = false;
  for (const domain of [user, admin]) {
    const settings = settingsFor(domain, cert);
    if (settings) {
      const d = sslDecision(settings, selfIssued(cert));
      if (d !== 'unspecified') return d === 'trust';
    } else if (!evaluated) {
      if (chainsToTrusted()) return true;
      evaluated = true;
    }
  }
  return false;
}
