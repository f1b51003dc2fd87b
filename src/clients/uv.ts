/**
 * uv verifies with rustls (https://docs.astral.sh/uv/concepts/authentication/certificates/): by default
 * against its bundled Mozilla roots (webpki-roots), not the OS store; `--system-certs` / UV_SYSTEM_CERTS /
 * `system-certs = true` in uv.toml (older uv: `--native-tls` / UV_NATIVE_TLS / `native-tls = true`,
 * https://docs.astral.sh/uv/reference/settings/#native-tls) use the platform's store instead; SSL_CERT_FILE
 * (or SSL_CERT_DIR) names custom CAs, and takes precedence over the native switch
 * (https://github.com/astral-sh/uv/issues/12982: "Currently SSL_CERT_FILE takes preference").
 * uv.toml is read from the project (./uv.toml), the user (~/.config/uv/uv.toml, $XDG_CONFIG_HOME/uv) and the
 * system (/etc/uv/uv.toml) (https://docs.astral.sh/uv/concepts/configuration-files/).
 * fix sets SSL_CERT_FILE to the merged bundle: it works on every uv version and keeps chosen roots the OS
 * store lacks.
 */
import { join } from 'node:path';
import { readText, sys } from '../host-files.ts';
import type { Context, TrustSource } from '../types.ts';
import { onPath, runVerdict, sslCertFilePlan } from './on-path.ts';
import { opensslDefaultTrust } from './python-ssl.ts';
import { rustlsVerdict } from './rustls.ts';
import { firstSetting } from './source.ts';
import { renderAs } from './stacks.ts';
import type { Client } from './types.ts';

const TRUTHY = /^(?:1|true|yes|on)$/i;

/** `native-tls = true` / `system-certs = true` at the top of a uv.toml (or under `[tool.uv]`). */
export function uvNativeSwitch(toml: string): string | null {
  let table: string | null = null;
  for (const line of toml.split(/\r?\n/)) {
    const h = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (h) table = h[1]?.trim() ?? null;
    const kv = /^\s*(native-tls|system-certs)\s*=\s*true\s*(?:#.*)?$/.exec(line);
    if (kv && (table === null || table === 'tool.uv')) return kv[1] as string;
  }
  return null;
}

function uvConfigFiles(ctx: Pick<Context, 'env' | 'home' | 'cwd' | 'sysroot'>): string[] {
  const user = join(ctx.env.XDG_CONFIG_HOME || join(ctx.home, '.config'), 'uv', 'uv.toml');
  return [sys(ctx, '/etc/uv/uv.toml'), user, join(ctx.cwd, 'uv.toml')];
}

/** SSL_CERT_FILE, else SSL_CERT_DIR (they win over the native switch, uv#12982), else uv's default store. */
function uvTrust(ctx: Context): Promise<TrustSource> {
  return firstSetting(
    ctx,
    'openssl',
    [
      { env: 'SSL_CERT_FILE', why: 'uv loads SSL_CERT_FILE.' },
      { env: 'SSL_CERT_DIR', dirAs: 'capath', why: 'uv loads SSL_CERT_DIR.' },
    ],
    () => uvDefault(ctx),
  );
}

/** uv's store without SSL_CERT_FILE / SSL_CERT_DIR: the platform's with a native switch, else webpki-roots. */
async function uvDefault(ctx: Context): Promise<TrustSource> {
  let via: string | undefined;
  for (const name of ['UV_SYSTEM_CERTS', 'UV_NATIVE_TLS']) if (TRUTHY.test(ctx.env[name] ?? '')) via ??= name;
  for (const f of uvConfigFiles(ctx)) {
    const key = uvNativeSwitch((await readText(f)) ?? '');
    if (key) via ??= `${key} (${f})`;
  }
  if (via) {
    const os = await opensslDefaultTrust(ctx, 'openssl', 'uv');
    return { ...os, source: 'system', via, why: `${via}: uv verifies with the platform's store.` };
  }
  return {
    source: 'bundled',
    path: null,
    files: [],
    dirs: [],
    bundled: true,
    profile: 'openssl',
    why: 'uv verifies with its bundled Mozilla roots (webpki-roots), not the OS store.',
  };
}

/**
 * What certifix sets for other clients that uv does not read: "uv does not read configuration files or
 * environment variables that are specific to pip, like pip.conf" (https://docs.astral.sh/uv/pip/compatibility/),
 * and its HTTP client is not requests. Only SSL_CERT_FILE / SSL_CERT_DIR and its own switches count.
 */
const UV_IGNORES = [
  "uv ignores pip's cert (pip.conf, PIP_CERT) and REQUESTS_CA_BUNDLE: only SSL_CERT_FILE, SSL_CERT_DIR and uv's system-certs switch count",
];

export const uv: Client = {
  id: 'uv',
  detect: onPath('uv', 'uv'),
  trust: async (_inst, ctx) => ({ ...(await uvTrust(ctx)), ignores: UV_IGNORES }),
  render: renderAs('uv'),
  plan: (_inst, bundlePath) =>
    sslCertFilePlan(
      'uv',
      bundlePath,
      'Set SSL_CERT_FILE to the merged bundle: uv loads it instead of its bundled roots.',
    ),
  // The real uv resolving one name against the URL as its index (uv pip compile reads requirements from stdin).
  async check(inst, url, ctx) {
    return runVerdict(
      ctx,
      inst.path,
      ['pip', 'compile', '--no-cache', '--index-url', url, '-'],
      { input: 'certifix-probe\n' },
      rustlsVerdict,
    );
  },
};
