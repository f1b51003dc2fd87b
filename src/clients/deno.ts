/**
 * Deno verifies with rustls. Its root store is built from DENO_TLS_CA_STORE, "Comma-separated list of order
 * dependent certificate stores. Possible values: `system`, `mozilla`. Defaults to `mozilla`", plus DENO_CERT,
 * "Load certificate authority from PEM encoded file" (https://docs.deno.com/runtime/reference/env_variables/;
 * cli/args/mod.rs `get_root_cert_store`, https://github.com/denoland/deno: `mozilla` = webpki-roots, `system`
 * = rustls-native-certs, then DENO_CERT's certificates are added, and a DENO_CERT that cannot be opened is an
 * error, "Failed opening CA file", for every connection). So the OS store, and SSL_CERT_FILE with it, are
 * read only when DENO_TLS_CA_STORE names `system` (rustls-native-certs reads SSL_CERT_FILE instead of the
 * platform's store: https://github.com/rustls/rustls-native-certs). Deno 2.8 adds NODE_EXTRA_CA_CERTS to
 * the root store as Node does (https://github.com/denoland/docs/pull/3081, denoland/deno#33148).
 * Measured with Deno 2.9.6 on Debian 12: a private root in SSL_CERT_FILE is ignored by default and trusted
 * with DENO_TLS_CA_STORE=system; DENO_CERT and NODE_EXTRA_CA_CERTS each add it.
 * fix sets DENO_CERT to the merged bundle: it adds to whatever store DENO_TLS_CA_STORE chose, on every Deno.
 */
import { atLeast } from '../core/version.ts';
import { envOf } from '../host-files.ts';
import type { Context, Installation, TrustSource } from '../types.ts';
import { envPlan, inTempDir, versionedOnPath } from './on-path.ts';
import { opensslDefaultTrust } from './python-ssl.ts';
import { renderOf } from './renders.ts';
import { rustlsVerdict } from './rustls.ts';
import { merge, pathSource } from './source.ts';
import type { Client } from './types.ts';

const profile = 'openssl' as const;

/** The stores DENO_TLS_CA_STORE names, as Deno splits it (trimmed, empty parts dropped). */
export function denoStores(ctx: Pick<Context, 'env'>): string[] {
  const v = ctx.env.DENO_TLS_CA_STORE;
  return v === undefined
    ? ['mozilla']
    : v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
}

async function denoTrust(inst: Installation, ctx: Context): Promise<TrustSource> {
  const stores = denoStores(ctx);
  const unknown = stores.filter((s) => s !== 'mozilla' && s !== 'system');
  const via = ctx.env.DENO_TLS_CA_STORE === undefined ? undefined : 'DENO_TLS_CA_STORE';
  let s: TrustSource = {
    source: stores.includes('mozilla') ? 'bundled' : 'system',
    ...(via ? { via } : {}),
    path: null,
    files: [],
    dirs: [],
    bundled: stores.includes('mozilla'),
    profile,
    why: `Deno's root store is ${stores.join(' + ') || 'empty'}${via ? ' (DENO_TLS_CA_STORE)' : ' (its default: Mozilla roots, not the OS store)'}.`,
  };
  if (stores.includes('system')) {
    const os = await opensslDefaultTrust(ctx, profile, 'Deno');
    s = merge({ ...s, path: os.path }, os);
  }
  const cert = envOf(ctx, 'DENO_CERT');
  if (cert) {
    const added = await pathSource(cert, { source: 'env', via: 'DENO_CERT', profile, why: '' });
    // Deno refuses every connection when DENO_CERT cannot be opened.
    if (!added.files.length)
      return {
        ...added,
        bundled: false,
        why: 'DENO_CERT names a file Deno cannot open: every TLS connection fails.',
      };
    s = {
      ...merge(s, added),
      source: `${s.source}+DENO_CERT`,
      path: cert,
      why: `${s.why} DENO_CERT adds ${cert}.`,
    };
  }
  const extra = envOf(ctx, 'NODE_EXTRA_CA_CERTS');
  const readsExtra = atLeast(inst.version, [2, 8]);
  if (extra && readsExtra)
    s = merge(s, await pathSource(extra, { source: 'env', via: 'NODE_EXTRA_CA_CERTS', profile, why: '' }));
  const ignores = [
    ...(stores.includes('system')
      ? []
      : ['Deno reads neither the OS store nor SSL_CERT_FILE unless DENO_TLS_CA_STORE names system']),
    ...(extra && !readsExtra
      ? [`Deno ${inst.version ?? '(version unknown)'} ignores NODE_EXTRA_CA_CERTS (read from 2.8)`]
      : []),
  ];
  const warnings = unknown.map(
    (u) => `DENO_TLS_CA_STORE names an unknown store "${u}": Deno refuses to start TLS`,
  );
  return {
    ...s,
    ...(ignores.length ? { ignores } : {}),
    ...(warnings.length ? { warnings: [...(s.warnings ?? []), ...warnings] } : {}),
  };
}

export const deno: Client = {
  id: 'deno',
  // `deno --version` prints "deno 2.9.6 (stable, release, x86_64-unknown-linux-gnu)".
  detect: versionedOnPath('deno', 'deno', ['--version'], /^deno (\d+\.\d+\.\d+)/m),
  trust: denoTrust,
  render: renderOf('deno'),
  plan: (_inst, bundlePath) =>
    envPlan(
      'deno',
      'DENO_CERT',
      bundlePath,
      'Set DENO_CERT to the merged bundle: Deno adds its roots to the store DENO_TLS_CA_STORE chose.',
      ['Takes effect in new shells.'],
    ),

  // The real Deno fetches the URL, with a throwaway DENO_DIR so nothing is cached in the user's.
  async check(inst, url, ctx) {
    const code = `try { const r = await fetch(${JSON.stringify(url)}, { redirect: 'manual' }); console.log('HTTP_STATUS', r.status); } catch (e) { console.error(String(e), String(e?.cause ?? '')); Deno.exit(1); }`;
    return inTempDir('deno', async (dir) => {
      const env = { ...ctx.env, DENO_DIR: dir, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };
      const r = await ctx.run(inst.path, ['eval', '--no-config', code], { env, cwd: dir, timeoutMs: 60_000 });
      return rustlsVerdict(`${r.stdout}\n${r.stderr}`, r.code);
    });
  },
};
