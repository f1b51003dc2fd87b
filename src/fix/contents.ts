/**
 * What the merged bundle holds. Trust only widens: a client pointed at the bundle must keep every root it
 * trusted before, so the bundle is always
 *   every Mozilla root + the chosen roots + every root the OS store holds beyond Mozilla's
 *   + the roots in the files the user's CA variables already name,
 *   + the roots in the CA files the clients' own settings name (pip.conf `cert`, .npmrc `cafile`, …),
 * whatever `fix` was asked to add. `fix URL` and `--ca` only ever add to that.
 */
import { type CaVariable, caSettingFile, caVariables, withoutCaVariables } from '../clients/ca-variables.ts';
import type { Client } from '../clients/types.ts';
import { type BundleCounts, type BundleParts, bundleCounts } from '../core/bundle.ts';
import { type Cert, uniqueCerts } from '../core/cert.ts';
import { localOf, mozillaRoots, publicRoots, systemStore } from '../stores/index.ts';
import type { Context, Installation } from '../types.ts';

/** Group names, in the order a root is attributed (and the bundle lists them). */
export const GROUPS = {
  chosen: 'chosen',
  os: 'from the OS store',
  variables: 'from CA variables',
} as const;

export interface BundleContents {
  parts: BundleParts;
  counts: BundleCounts;
  /**
   * Every certificate the OS store holds beyond Mozilla's (locally added roots, the distro's own extras, and
   * its own copies of Mozilla roots re-issued with other dates).
   */
  os: Cert[];
  /** The locally-added ones among them: what a client must trust to do what the OS store does. */
  local: Cert[];
  /** Roots from the files CA variables name, with the variable (`REQUESTS_CA_BUNDLE=/path`). */
  variables: Array<{ cert: Cert; from: string }>;
  /** CA variables whose file was not read (missing, too large, not a file). */
  warnings: string[];
}

/**
 * The OS store itself. On Linux SSL_CERT_FILE / SSL_CERT_DIR redirect OpenSSL's default paths, and after a
 * `fix` they may name our own bundle: the OS store is what the distro paths hold. A file those variables name
 * is kept anyway, as a CA variable's file.
 */
function osStoreContext<C extends Pick<Context, 'env'>>(ctx: C): C {
  const env = { ...ctx.env };
  delete env.SSL_CERT_FILE;
  delete env.SSL_CERT_DIR;
  return { ...ctx, env };
}

/** Roots the OS trusts locally: in the OS store, neither Mozilla's nor shipped by the distro. */
export async function osLocalRoots(ctx: Context): Promise<Cert[]> {
  const [store, isPublic] = await Promise.all([systemStore(osStoreContext(ctx)), publicRoots(ctx)]);
  return localOf(store, isPublic);
}

/**
 * The CA files the clients are told to use by a setting of their own (a config key or a client's variable),
 * beyond the CA variables: pointing such a client at the bundle replaces that file, so the bundle must keep
 * what it holds (a pip.conf `cert` naming certifi's roots + a CA the OS store lacks must not lose that CA).
 */
export async function clientCaFiles(
  installs: ReadonlyArray<{ client: Client; inst: Installation }>,
  bundlePath: string,
  ctx: Context,
): Promise<CaVariable[]> {
  const seen = new Set<string>([bundlePath]);
  const out: CaVariable[] = [];
  // A CA variable may hide the client's own setting in this shell (pip reads REQUESTS_CA_BUNDLE before its
  // pip.conf `cert`), not in another one: the plan rewrites that setting all the same, so it is read too.
  const bare = { ...ctx, env: withoutCaVariables(ctx.env) };
  for (const { client, inst } of installs) {
    for (const c of [ctx, bare]) {
      const source = await client.trust(inst, c).catch(() => null);
      if (!source || (source.source !== 'config' && source.source !== 'env') || !source.via) continue;
      for (const path of source.files) {
        if (seen.has(path)) continue;
        seen.add(path);
        const file = await caSettingFile(source.via, path);
        if (file) out.push(file);
      }
    }
  }
  return out;
}

export async function bundleContents(
  chosen: readonly Cert[],
  bundlePath: string,
  ctx: Context,
  settings: readonly CaVariable[] = [],
): Promise<BundleContents> {
  const [store, isPublic, named] = await Promise.all([
    systemStore(osStoreContext(ctx)),
    publicRoots(ctx),
    caVariables(ctx),
  ]);
  const vars = [...named, ...settings.filter((s) => !named.some((v) => v.path === s.path))];
  // By certificate, not by name and key: an OS copy of a Mozilla root re-issued with other dates (Debian
  // keeps Firmaprofesional's 2009 root beside Mozilla's 2014 re-issue) is the same anchor, but it is still a
  // certificate the OS trusts and Mozilla's list lacks, so it is kept, and counted as the OS store's.
  const mozilla = new Set(mozillaRoots().map((c) => c.sha256));
  const os = uniqueCerts(store.certs.filter((c) => !mozilla.has(c.sha256)));
  const local = localOf({ ...store, certs: os }, isPublic);
  const warnings: string[] = [];
  const variables: BundleContents['variables'] = [];
  for (const v of vars) {
    if (v.path === bundlePath) continue; // our own bundle, from an earlier run
    if (v.certs === null) {
      warnings.push(`${v.name}=${v.path} ${v.problem}: its roots are not in the bundle`);
      continue;
    }
    // Everything in the file: OpenSSL and Node trust every certificate in a CA file as an anchor.
    for (const cert of v.certs) variables.push({ cert, from: `${v.name}=${v.path}` });
  }
  const parts: BundleParts = {
    mozilla: mozillaRoots(),
    groups: [
      { name: GROUPS.chosen, certs: chosen },
      { name: GROUPS.os, certs: os },
      { name: GROUPS.variables, certs: variables.map((v) => v.cert) },
    ],
  };
  return { parts, counts: bundleCounts(parts), os, local, variables, warnings };
}

/** "146 Mozilla roots + 1 chosen + 3 from the OS store + 1 from CA variables" (empty groups left out). */
export function describeCounts(counts: BundleCounts): string {
  const groups = counts.groups.filter((g) => g.count > 0).map((g) => `${g.count} ${g.name}`);
  return [`${counts.mozilla} Mozilla roots`, ...groups].join(' + ');
}
