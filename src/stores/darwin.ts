/**
 * macOS: the roots Apple ships (SystemRootCertificates.keychain) plus certificates an admin or user marked as
 * trusted (trust settings in the admin/user domains), read with the `security` tool as mkcert's
 * truststore_darwin.go and truststore's _macos.py reason about them. Node >= 22.15 can list the same through
 * `tls.getCACertificates('system')` (https://nodejs.org/api/tls.html#tlsgetcacertificatestype); we prefer it.
 */
import { type Cert, uniqueCerts } from '../core/cert.ts';
import { parsePemCached } from './load.ts';
import { nativeSystemPems } from './native.ts';
import type { StoreContext, SystemStore } from './types.ts';

/** Keychains searched (paths are macOS's own). */
const KEYCHAINS = {
  // Apple's root program: https://support.apple.com/en-us/103272
  systemRoots: '/System/Library/Keychains/SystemRootCertificates.keychain',
  // Where `security add-trusted-cert -d -k` puts admin-installed roots (mkcert truststore_darwin.go).
  system: '/Library/Keychains/System.keychain',
} as const;

/** Parse `security find-certificate -a -p <keychain>`: concatenated PEM blocks. */
export function parseFindCertificate(stdout: string): Cert[] {
  return parsePemCached(stdout);
}

/** One usage-constraints dictionary as `security dump-trust-settings` prints it. */
interface TrustSetting {
  policy?: string;
  policyString?: string;
  application?: string;
  result?: string;
}

/**
 * Parse `security dump-trust-settings [-d|-s]`: per certificate label, its trust settings. The format is
 * Apple's security_tool trusted_cert_dump.c: `Cert <n>: <label>`, `Number of trust settings : <n>`, then per
 * setting optional `Policy OID`, `Application`, `Policy String`, `Allowed Error`, `Result Type`, `Key Usage`
 * lines (https://github.com/apple-oss-distributions/Security, SecurityTool: trusted_cert_dump.c).
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
    const kv = /^(Policy OID|Policy String|Application|Result Type)\s*:\s*(.*)$/.exec(line);
    if (!kv || !cur) continue;
    const key = {
      'Policy OID': 'policy',
      'Policy String': 'policyString',
      Application: 'application',
      'Result Type': 'result',
    }[kv[1] as 'Policy OID'] as keyof TrustSetting;
    cur[key] = kv[2]?.trim() ?? '';
  }
  return out;
}

/**
 * What a certificate's settings say for TLS server trust, the way Chromium reads them for locally trusted
 * roots (net/cert/internal/trust_store_mac.cc) and Node documents for --use-system-ca on macOS ("Always Trust"
 * for "When using this certificate" or for "Secure Sockets Layer (SSL)"; "Never Trust" distrusts:
 * https://nodejs.org/api/cli.html#--use-system-ca): the first setting that applies to SSL decides, a setting
 * applying when it names no policy or the SSL policy, and is not narrowed to one application or one host
 * (Policy String). A missing Result Type means kSecTrustSettingsResultTrustRoot, and an empty list means
 * "always trust" (SecTrustSettings.h; SecTrustSettingsCopyTrustSettings documentation).
 */
export function sslDecision(settings: readonly TrustSetting[]): 'trust' | 'deny' | 'unspecified' {
  if (settings.length === 0) return 'trust';
  for (const s of settings) {
    if (s.application !== undefined || s.policyString !== undefined) continue;
    if (s.policy !== undefined && s.policy !== 'SSL') continue;
    const r = s.result ?? 'kSecTrustSettingsResultTrustRoot';
    if (r === 'kSecTrustSettingsResultTrustRoot' || r === 'kSecTrustSettingsResultTrustAsRoot')
      return 'trust';
    if (r === 'kSecTrustSettingsResultDeny') return 'deny';
  }
  return 'unspecified';
}

/** Per label, the SSL decision of `security dump-trust-settings` output. */
export function parseTrustSettings(stdout: string): Map<string, 'trust' | 'deny' | 'unspecified'> {
  return new Map([...parseTrustDump(stdout)].map(([k, v]) => [k, sslDecision(v)]));
}

function label(cert: Cert): string {
  const cn = /(?:^|, )CN=([^,]+)/.exec(cert.subject)?.[1];
  return cn ?? cert.subject;
}

/** Combine the keychain listings and trust settings into the trusted roots. */
export function trustedFrom(systemRoots: Cert[], candidates: Cert[], settings: Map<string, string>): Cert[] {
  const added = candidates.filter((c) => settings.get(label(c)) === 'trust');
  const denied = new Set([...settings].filter(([, v]) => v === 'deny').map(([k]) => k));
  return uniqueCerts([...systemRoots, ...added]).filter((c) => !denied.has(label(c)));
}

export async function systemStore(ctx: StoreContext): Promise<SystemStore> {
  const files = [KEYCHAINS.systemRoots, KEYCHAINS.system];
  const native = nativeSystemPems(ctx);
  if (native) return { files, dirs: [], certs: parsePemCached(native.join('\n')) };
  const run = (args: string[]) => ctx.run('security', args, { env: ctx.env, timeoutMs: 20_000 });
  const [roots, system, login, admin, user] = await Promise.all([
    run(['find-certificate', '-a', '-p', KEYCHAINS.systemRoots]),
    run(['find-certificate', '-a', '-p', KEYCHAINS.system]),
    run(['find-certificate', '-a', '-p']), // the user's default search list (login keychain)
    run(['dump-trust-settings', '-d']),
    run(['dump-trust-settings']),
  ]);
  // Admin settings overrule the user's, as trustd applies them ("admin trust settings overrule user trust
  // settings (rdar://37052515)": Apple's Security, trust/trustd/SecCertificateSource.c).
  const settings = new Map([...parseTrustSettings(user.stdout), ...parseTrustSettings(admin.stdout)]);
  const certs = trustedFrom(
    parseFindCertificate(roots.stdout),
    [...parseFindCertificate(system.stdout), ...parseFindCertificate(login.stdout)],
    settings,
  );
  return { files, dirs: [], certs };
}
