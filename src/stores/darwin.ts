/**
 * macOS: the roots Apple ships (SystemRootCertificates.keychain) plus certificates an admin or user marked as
 * trusted (trust settings in the admin/user domains), read with the `security` tool as mkcert's
 * truststore_darwin.go and truststore's _macos.py reason about them. Node >= 22.15 can list the same through
 * `tls.getCACertificates('system')` (https://nodejs.org/api/tls.html#tlsgetcacertificatestype); we prefer it.
 */
import * as tls from 'node:tls';
import { type Cert, uniqueCerts } from '../core/cert.ts';
import { parsePemCached } from './load.ts';
import type { StoreContext, SystemStore } from './types.ts';

/** Keychains searched (paths are macOS's own). */
export const KEYCHAINS = {
  // Apple's root program: https://support.apple.com/en-us/103272
  systemRoots: '/System/Library/Keychains/SystemRootCertificates.keychain',
  // Where `security add-trusted-cert -d -k` puts admin-installed roots (mkcert truststore_darwin.go).
  system: '/Library/Keychains/System.keychain',
} as const;

/** Parse `security find-certificate -a -p <keychain>`: concatenated PEM blocks. */
export function parseFindCertificate(stdout: string): Cert[] {
  return parsePemCached(stdout);
}

/**
 * Parse `security dump-trust-settings [-d]`: the labels of certificates with trust settings, and whether any
 * setting denies trust. Format: `Cert 0: <label>` then indented `Result Type : kSecTrustSettingsResult...`.
 */
export function parseTrustSettings(stdout: string): Map<string, 'trust' | 'deny' | 'unspecified'> {
  const out = new Map<string, 'trust' | 'deny' | 'unspecified'>();
  let label: string | undefined;
  for (const raw of stdout.split('\n')) {
    const cert = /^Cert \d+: (.*)$/.exec(raw.trim());
    if (cert) {
      label = cert[1]?.trim();
      // No "Result Type" line at all means the default, kSecTrustSettingsResultTrustRoot.
      if (label) out.set(label, 'trust');
      continue;
    }
    const result = /Result Type\s*:\s*(\S+)/.exec(raw);
    if (label && result) {
      const r = result[1];
      if (r === 'kSecTrustSettingsResultDeny') out.set(label, 'deny');
      else if (r === 'kSecTrustSettingsResultUnspecified' && out.get(label) !== 'deny')
        out.set(label, 'unspecified');
    }
  }
  return out;
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
  const get = (tls as { getCACertificates?: (t: string) => string[] }).getCACertificates;
  if (typeof get === 'function') {
    return { files, dirs: [], certs: parsePemCached(get('system').join('\n')) };
  }
  const run = (args: string[]) => ctx.run('security', args, { env: ctx.env, timeoutMs: 20_000 });
  const [roots, system, login, admin, user] = await Promise.all([
    run(['find-certificate', '-a', '-p', KEYCHAINS.systemRoots]),
    run(['find-certificate', '-a', '-p', KEYCHAINS.system]),
    run(['find-certificate', '-a', '-p']), // the user's default search list (login keychain)
    run(['dump-trust-settings', '-d']),
    run(['dump-trust-settings']),
  ]);
  const settings = new Map([...parseTrustSettings(user.stdout), ...parseTrustSettings(admin.stdout)]);
  const certs = trustedFrom(
    parseFindCertificate(roots.stdout),
    [...parseFindCertificate(system.stdout), ...parseFindCertificate(login.stdout)],
    settings,
  );
  return { files, dirs: [], certs };
}
