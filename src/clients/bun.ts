/**
 * Bun verifies with BoringSSL against one default store (packages/bun-usockets/src/crypto/root_certs.cpp
 * `us_get_default_ca_store`, https://github.com/oven-sh/bun): `X509_STORE_set_default_paths` first —
 * SSL_CERT_FILE, else BoringSSL's OPENSSLDIR file /etc/ssl/cert.pem, and SSL_CERT_DIR, else /etc/ssl/certs
 * looked up by subject hash (OpenSSL's c_rehash layout, which Debian's /etc/ssl/certs has) — then its
 * bundled Mozilla roots, NODE_EXTRA_CA_CERTS (oven-sh/bun#13150, merged 2024-08-07; a file that cannot be
 * loaded is only a warning), and the OS store when NODE_USE_SYSTEM_CA=1 or --use-system-ca
 * (root_certs_linux.cpp `us_load_system_certificates_linux`: SSL_CERT_FILE / SSL_CERT_DIR when set, else the
 * distributions' bundle files and directories).
 * Measured with Bun 1.4.5 on Debian 12: a private root is trusted from SSL_CERT_FILE, from a hashed
 * SSL_CERT_DIR (not from a directory without hash links) and from NODE_EXTRA_CA_CERTS, with no flag.
 * fix sets NODE_EXTRA_CA_CERTS to the merged bundle, which adds to all of that (Node reads the same variable).
 */
import { join } from 'node:path';
import { atLeast } from '../core/version.ts';
import { envOf, isDir, isFile, sys } from '../host-files.ts';
import type { Context, Installation, TrustSource } from '../types.ts';
import { verdictFromOutput } from './messages.ts';
import { envPlan, inTempDir, versionedOnPath } from './on-path.ts';
import { renderOf } from './renders.ts';
import { merge, pathSource } from './source.ts';
import type { Client } from './types.ts';

const profile = 'openssl' as const;

/** Where BoringSSL's default paths lead (x509_def.c: OPENSSLDIR "/etc/ssl"), and who set them. */
async function defaultPaths(ctx: Context): Promise<Pick<TrustSource, 'files' | 'dirs'> & { via: string[] }> {
  const file = envOf(ctx, 'SSL_CERT_FILE') ?? sys(ctx, '/etc/ssl/cert.pem');
  const dir = envOf(ctx, 'SSL_CERT_DIR') ?? sys(ctx, '/etc/ssl/certs');
  const via = ['SSL_CERT_FILE', 'SSL_CERT_DIR'].filter((n) => envOf(ctx, n));
  const dirs: string[] = [];
  for (const d of dir.split(':')) if (d && (await isDir(d))) dirs.push(d);
  return { files: (await isFile(file)) ? [file] : [], dirs, via };
}

async function bunTrust(inst: Installation, ctx: Context): Promise<TrustSource> {
  const paths = await defaultPaths(ctx);
  let s: TrustSource = {
    source: paths.via.length ? 'bundled+env' : 'bundled+system',
    ...(paths.via.length ? { via: paths.via.join('+') } : {}),
    path: paths.files[0] ?? null,
    files: paths.files,
    dirs: paths.dirs,
    bundled: true,
    profile,
    why: `Bun trusts its bundled Mozilla roots plus OpenSSL's default paths (${[...paths.files, ...paths.dirs].join(', ') || 'none found'}).`,
  };
  // Debian's whole store is one bundle file, which the hashed /etc/ssl/certs already covers.
  if (envOf(ctx, 'NODE_USE_SYSTEM_CA') === '1' && !paths.via.length)
    s = merge(
      s,
      await pathSource(sys(ctx, '/etc/ssl/certs/ca-certificates.crt'), {
        source: 'system',
        profile,
        why: '',
      }),
    );
  const extra = envOf(ctx, 'NODE_EXTRA_CA_CERTS');
  // 1.1.x releases before August 2024 lack it too, which the minor version cannot tell.
  const readsExtra = inst.version === undefined || atLeast(inst.version, [1, 1]);
  if (extra && readsExtra) {
    const added = await pathSource(extra, { source: 'env', via: 'NODE_EXTRA_CA_CERTS', profile, why: '' });
    s = { ...merge(s, added), via: [s.via, 'NODE_EXTRA_CA_CERTS'].filter(Boolean).join('+') };
  }
  const ignores =
    extra && !readsExtra
      ? [
          `Bun ${inst.version ?? '(version unknown)'} ignores NODE_EXTRA_CA_CERTS (read since August 2024, oven-sh/bun#13150)`,
        ]
      : [];
  return ignores.length ? { ...s, ignores } : s;
}

export const bun: Client = {
  id: 'bun',
  detect: versionedOnPath('bun', 'bun', ['--version'], /^(\d+\.\d+\.\d+)/m),
  trust: bunTrust,
  render: renderOf('bun'),
  plan: (_inst, bundlePath) =>
    envPlan(
      'bun',
      'NODE_EXTRA_CA_CERTS',
      bundlePath,
      "Set NODE_EXTRA_CA_CERTS to the merged bundle: Bun adds it to its bundled roots and OpenSSL's default paths.",
      ['Takes effect in new shells.'],
    ),

  // The real Bun fetches the URL from an empty directory (nothing is installed or cached).
  async check(inst, url, ctx) {
    const code = `try { const r = await fetch(${JSON.stringify(url)}, { redirect: 'manual' }); console.log('HTTP_STATUS', r.status); } catch (e) { console.error(String(e)); console.error("code: '" + e?.code + "'"); process.exit(1); }`;
    return inTempDir('bun', async (dir) => {
      const env = { ...ctx.env, BUN_INSTALL_CACHE_DIR: join(dir, 'cache'), NO_COLOR: '1' };
      const r = await ctx.run(inst.path, ['-e', code], { env, cwd: dir, timeoutMs: 60_000 });
      return verdictFromOutput(`${r.stdout}\n${r.stderr}`, r.code);
    });
  },
};
