/**
 * Cargo: `http.cainfo` (env CARGO_HTTP_CAINFO, or `[http] cainfo` in $CARGO_HOME/config.toml) is the CA file
 * its libcurl verifies with; unset, "Cargo attempts to use the system certificates"
 * (https://doc.rust-lang.org/cargo/reference/config.html#httpcainfo). The file replaces curl's default.
 * Proxy: http.proxy, else HTTPS_PROXY / https_proxy / http_proxy (same page, #httpproxy).
 * The check is cargo's own client: `cargo search` against a sparse registry at the URL. Its libcurl is
 * OpenSSL in rustup's builds and GnuTLS in Debian's (`server certificate verification failed. CAfile: none`).
 */
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { envOf, expand, readText } from '../host-files.ts';
import type { Context, Verdict } from '../types.ts';
import { NOT_VERIFIED, verdictFromOutput } from './messages.ts';
import { envPlan, inTempDir, onPath } from './on-path.ts';
import { opensslDefaultTrust } from './python-ssl.ts';
import { renderOf } from './renders.ts';
import { firstSetting } from './source.ts';
import type { Client } from './types.ts';

function cargoHome(ctx: Pick<Context, 'env' | 'home'>): string {
  return envOf(ctx, 'CARGO_HOME') ?? join(ctx.home, '.cargo');
}

/** `http.cainfo` from a config.toml: `[http]` + `cainfo = "x"`, or a top-level `http.cainfo = "x"`. */
function tomlCainfo(text: string): string | undefined {
  let table = '';
  let found: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+#.*$/, '').trim();
    const t = /^\[([^\]]+)\]$/.exec(line);
    if (t?.[1]) {
      table = t[1].trim();
      continue;
    }
    const m = /^([A-Za-z0-9_.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')/.exec(line);
    if (!m?.[1]) continue;
    const key = table ? `${table}.${m[1]}` : m[1];
    if (key === 'http.cainfo') found = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
  }
  return found;
}

/** Cargo prints curl's error inside its own; an error about the index's content means TLS was fine. */
function cargoVerdict(output: string, code: number | null): Verdict {
  if (/SSL certificate problem|SSL peer certificate|\[60\]|\[77\]/.test(output)) {
    const v = verdictFromOutput(output, code);
    return v.code === NOT_VERIFIED.UNKNOWN ? { ...v, code: NOT_VERIFIED.UNSPECIFIED } : v;
  }
  if (
    code === 0 ||
    /expected value at line|got \d{3}|not found in registry|invalid type|missing field|failed to parse/.test(
      output,
    )
  )
    return { ok: true, code: 'OK', message: 'ok' };
  return verdictFromOutput(output, code);
}

export const cargo: Client = {
  id: 'cargo',

  detect: onPath('cargo', 'cargo'),

  trust(_inst, ctx) {
    const config = async (c: Context) => {
      const file = join(cargoHome(c), 'config.toml');
      const v = tomlCainfo((await readText(file)) ?? (await readText(join(cargoHome(c), 'config'))) ?? '');
      return v ? { file, key: 'http.cainfo', value: expand(v, c) } : null;
    };
    return firstSetting(ctx, 'openssl', [{ env: 'CARGO_HTTP_CAINFO' }, { read: config }], () =>
      opensslDefaultTrust(ctx, 'openssl', 'Cargo'),
    );
  },

  render: renderOf('cargo'),

  plan: (_inst, bundlePath) =>
    envPlan(
      'cargo',
      'CARGO_HTTP_CAINFO',
      bundlePath,
      'Set CARGO_HTTP_CAINFO to the merged bundle (http.cainfo): Cargo verifies registries with it.',
      ["An http.cainfo in a project's .cargo/config.toml is overridden by the variable."],
    ),

  async check(inst, url, ctx) {
    // The index cache goes to a throwaway CARGO_HOME holding a copy of the user's config (cainfo, proxy).
    return inTempDir('cargo', async (dir) => {
      for (const name of ['config.toml', 'config'])
        await copyFile(join(cargoHome(ctx), name), join(dir, name)).catch(() => {});
      const index = `sparse+${url.endsWith('/') ? url : `${url}/`}`;
      const env = {
        ...ctx.env,
        CARGO_HOME: dir,
        RUSTUP_HOME: ctx.env.RUSTUP_HOME || join(ctx.home, '.rustup'),
        CARGO_NET_RETRY: '0',
      };
      const search = ['search', '--limit', '1', '--index', index, 'certifix-probe'];
      const opts = { env, cwd: dir, timeoutMs: 60_000 };
      let r = await ctx.run(inst.path, search, opts);
      // Sparse registries are stable from Cargo 1.68 (https://blog.rust-lang.org/2023/03/09/Rust-1.68.0/);
      // older ones (Debian bookworm: 1.65) take them behind -Z, which RUSTC_BOOTSTRAP unlocks.
      if (/requires `-Z sparse-registry`/.test(r.stderr))
        r = await ctx.run(inst.path, ['-Z', 'sparse-registry', ...search], {
          ...opts,
          env: { ...env, RUSTC_BOOTSTRAP: '1' },
        });
      return cargoVerdict(`${r.stdout}\n${r.stderr}`, r.code);
    });
  },
};
