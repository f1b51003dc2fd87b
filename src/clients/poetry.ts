/**
 * Poetry: its HTTP goes through requests (src/poetry/utils/authenticator.py: `Authenticator.request` sends
 * with `verify = certs.cert or certs.verify` from `get_certs_for_url` into `merge_environment_settings`,
 * lines 214-225 at python-poetry/poetry@f467023 (2.5.0.dev0), lines 232-243 in Debian bookworm's 1.3.2,
 * /usr/lib/python3/dist-packages/poetry/utils/authenticator.py), so an index without its own certificate
 * uses REQUESTS_CA_BUNDLE › CURL_CA_BUNDLE › certifi of Poetry's interpreter (requests
 * Session.merge_environment_settings replaces only a `True` verify). Debian's poetry runs on /usr/bin/python3,
 * whose python3-certifi is patched to the OS bundle (certifi.ts): there it trusts the OS store.
 * `certificates.<source>.cert` in config.toml, or
 * POETRY_CERTIFICATES_<SOURCE>_CERT, applies to that named source only
 * (https://python-poetry.org/docs/repositories/#certificates); Poetry has no OS-store switch
 * (https://github.com/python-poetry/poetry/issues/9249; a plugin, poetry-plugin-truststore, adds one).
 * Config: $POETRY_CONFIG_DIR, else ~/.config/pypoetry/config.toml on Linux
 * (https://python-poetry.org/docs/configuration/#config-directory).
 */
import { join } from 'node:path';
import { readText } from '../host-files.ts';
import type { Context } from '../types.ts';
import { pythonTool, toolRequestsTrust } from './tool-python.ts';

/** `certificates.<source>.cert` entries of a config.toml (`[certificates.corp]` then `cert = "…"`). */
export function poetryCertificates(toml: string): Record<string, string> {
  const out: Record<string, string> = {};
  let section: string | null = null;
  for (const line of toml.split(/\r?\n/)) {
    const h = /^\s*\[\s*certificates\.("?)([^"\]]+)\1\s*\]\s*$/.exec(line);
    if (h) section = h[2] ?? null;
    else if (/^\s*\[/.test(line)) section = null;
    const kv = /^\s*cert\s*=\s*"((?:[^"\\]|\\.)*)"\s*(?:#.*)?$/.exec(line);
    if (section && kv) out[section] = JSON.parse(`"${kv[1]}"`);
  }
  return out;
}

function poetryConfigPath(ctx: Pick<Context, 'env' | 'home'>): string {
  const dir =
    ctx.env.POETRY_CONFIG_DIR || join(ctx.env.XDG_CONFIG_HOME || join(ctx.home, '.config'), 'pypoetry');
  return join(dir, 'config.toml');
}

export const poetry = pythonTool({
  id: 'poetry',
  async trust(inst, ctx) {
    const s = await toolRequestsTrust(inst, ctx);
    const certs = poetryCertificates((await readText(poetryConfigPath(ctx))) ?? '');
    const named = Object.entries(certs).map(
      ([src, file]) => `certificates.${src}.cert = ${file} (source ${src} only)`,
    );
    return named.length ? { ...s, warnings: [...(s.warnings ?? []), ...named] } : s;
  },
  planWhy: 'Poetry sends through requests, which reads it for every index.',
  // Poetry's own Authenticator, as its repositories fetch index pages (user config and per-source
  // certificates included). Its request() retries a failed connection five times with growing sleeps
  // (authenticator.py, `delay = 0.5 * attempt`): the sleeps are skipped, the attempts are not.
  probe: [
    'import sys',
    'import poetry.utils.authenticator as a',
    'a.time.sleep = lambda s: None',
    'r = a.Authenticator(disable_cache=True).request("get", sys.argv[1], raise_for_status=False, allow_redirects=False, timeout=20)',
    'print("HTTP_STATUS", r.status_code)',
  ].join('\n'),
});
