/**
 * macOS: the roots Apple ships (SystemRootCertificates.keychain) plus the certificates an admin or user marked
 * as trusted for SSL (trust settings in the admin/user domains), read with the `security` tool as mkcert's
 * truststore_darwin.go and truststore's _macos.py reason about them; the rules are trustd's (darwin-trust.ts).
 * Node's `tls.getCACertificates('system')` is not used here: on macOS it lists only the trusted certificates of
 * the keychain search list, not Apple's roots, and never applies a "Never Trust" to those
 * (https://github.com/nodejs/node/pull/60340); its rules are modelled in darwin-trust.ts `nodeLists` and compared
 * with this reader in test/stores/darwin.test.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileBounded } from '../bounded.ts';
import { type Cert, uniqueCerts } from '../core/cert.ts';
import {
  type DomainSettings,
  emptyDomain,
  osDecision,
  parseTrustDump,
  parseTrustExport,
} from './darwin-trust.ts';
import { parsePemCached } from './load.ts';
import type { StoreContext, SystemStore } from './types.ts';

/** Keychains searched (paths are macOS's own). */
const KEYCHAINS = {
  // Apple's root program: https://support.apple.com/en-us/103272
  systemRoots: '/System/Library/Keychains/SystemRootCertificates.keychain',
  // Where `security add-trusted-cert -d -k` puts admin-installed roots (mkcert truststore_darwin.go).
  system: '/Library/Keychains/System.keychain',
} as const;

/** What `security` prints when a domain has no trust settings (errSecNoTrustSettings, via cssmPerror). */
const NO_SETTINGS = 'No Trust Settings were found';

/** Trust records are small (one entry per certificate with settings); Apple's whole system domain was 96 kB. */
const MAX_EXPORT_BYTES = 4 * 1024 * 1024;

/**
 * Parse `security find-certificate -a -p <keychain>`: each certificate as keychain_find.c prints it with
 * print_buffer_pem (keychain_utilities.c): BEGIN line, base64 in 64-column lines, END line.
 */
export function parseFindCertificate(stdout: string): Cert[] {
  return parsePemCached(stdout);
}

type Domain = 'user' | 'admin';

/**
 * One domain's trust settings. `security trust-settings-export [-d] FILE` (keyed by SHA-1, so two certificates
 * with one name are told apart); when that fails for another reason than an empty domain,
 * `security dump-trust-settings [-d]` (keyed by the printed label).
 */
async function domainSettings(ctx: StoreContext, domain: Domain): Promise<DomainSettings> {
  const flag = domain === 'admin' ? ['-d'] : [];
  const run = (args: string[]) => ctx.run('security', args, { env: ctx.env, timeoutMs: 20_000 });
  const exported = await exportedSettings(flag, run);
  if (exported) return exported;
  const dumped = await run(['dump-trust-settings', ...flag]);
  return { bySha1: new Map(), byLabel: parseTrustDump(dumped.stdout) };
}

/** The export into a private temporary directory, removed after; null when it did not give a record. */
async function exportedSettings(
  flag: string[],
  run: (args: string[]) => ReturnType<StoreContext['run']>,
): Promise<DomainSettings | null> {
  let dir: string | undefined;
  try {
    dir = await mkdtemp(join(tmpdir(), 'certifix-trust-'));
    const file = join(dir, 'settings.plist');
    const exported = await run(['trust-settings-export', ...flag, file]);
    if (exported.stderr.includes(NO_SETTINGS)) return emptyDomain();
    if (exported.code !== 0) return null;
    const xml = (await readFileBounded(file, MAX_EXPORT_BYTES)).toString('utf8');
    return { bySha1: parseTrustExport(xml), byLabel: new Map() };
  } catch {
    return null; // no temporary directory, nothing written, or not a trust record: the printed form then
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Combine the keychain listings and both domains' settings: Apple's roots unless "Never Trust" (Deny) for SSL,
 * and the System and login keychains' certificates that the settings trust for SSL.
 */
export function trustedFrom(
  shipped: readonly Cert[],
  candidates: readonly Cert[],
  user: DomainSettings,
  admin: DomainSettings,
): Cert[] {
  return uniqueCerts([
    ...shipped.filter((c) => osDecision(c, user, admin) !== 'deny'),
    ...candidates.filter((c) => osDecision(c, user, admin) === 'trust'),
  ]);
}

export async function systemStore(ctx: StoreContext): Promise<SystemStore> {
  const files = [KEYCHAINS.systemRoots, KEYCHAINS.system];
  const find = (args: string[]) =>
    ctx.run('security', ['find-certificate', '-a', '-p', ...args], { env: ctx.env, timeoutMs: 20_000 });
  const [roots, system, login, user, admin] = await Promise.all([
    find([KEYCHAINS.systemRoots]),
    find([KEYCHAINS.system]),
    find([]), // the user's default search list (login keychain)
    domainSettings(ctx, 'user'),
    domainSettings(ctx, 'admin'),
  ]);
  const shipped = parseFindCertificate(roots.stdout);
  const candidates = [...parseFindCertificate(system.stdout), ...parseFindCertificate(login.stdout)];
  return { files, dirs: [], certs: trustedFrom(shipped, candidates, user, admin), shipped };
}
