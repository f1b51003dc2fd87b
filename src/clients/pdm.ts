/**
 * pdm 2 (src/pdm/models/session.py `PDMPyPIClient._transport_for`, https://github.com/pdm-project/pdm):
 * verify = the source's `ca_certs` (`pypi.ca_certs` in the global config,
 * https://pdm-project.org/latest/reference/configuration/) › REQUESTS_CA_BUNDLE › CURL_CA_BUNDLE › a
 * truststore.SSLContext with certifi loaded on top (`_create_truststore_ssl_context`: Python >= 3.10 with
 * truststore importable) › True, i.e. httpx's default (SSL_CERT_FILE / SSL_CERT_DIR › certifi, httpx.ts).
 * Global config: ~/.config/pdm/config.toml on Linux (platformdirs user_config_dir("pdm")).
 */
import { join } from 'node:path';
import { readText } from '../host-files.ts';
import type { Context, Installation, TrustSource } from '../types.ts';
import { certifiWhere } from './certifi.ts';
import { pythonFromDetails } from './python.ts';
import { REQUESTS_VARS } from './python-requests.ts';
import { opensslDefaultTrust } from './python-ssl.ts';
import { firstSetting, merge, pathSource } from './source.ts';
import { pythonTool, toolProfile } from './tool-python.ts';

/** `ca_certs` in the `[pypi]` table of pdm's config.toml. */
export function pdmCaCerts(toml: string): string | null {
  let inPypi = false;
  let found: string | null = null;
  for (const line of toml.split(/\r?\n/)) {
    const h = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (h) inPypi = h[1]?.trim() === 'pypi';
    const kv = /^\s*(pypi\.)?ca_certs\s*=\s*"((?:[^"\\]|\\.)*)"/.exec(line);
    if (kv && (inPypi || kv[1])) found = JSON.parse(`"${kv[2]}"`);
  }
  return found;
}

const pdmConfigPath = (ctx: Pick<Context, 'env' | 'home'>): string =>
  join(ctx.env.XDG_CONFIG_HOME || join(ctx.home, '.config'), 'pdm', 'config.toml');

async function pdmTrust(inst: Installation, ctx: Context): Promise<TrustSource> {
  const py = pythonFromDetails(inst.details);
  const profile = toolProfile(inst);
  const config = async (c: Context) => {
    const file = pdmConfigPath(c);
    const value = pdmCaCerts((await readText(file)) ?? '');
    return value ? { file, key: 'ca_certs', value, via: 'pypi.ca_certs' } : null;
  };
  const requestsVars = REQUESTS_VARS.map((env) => ({ env, why: `pdm reads ${env} before its defaults.` }));
  return firstSetting(
    ctx,
    profile,
    [{ read: config, why: 'pdm: pypi.ca_certs is set.' }, ...requestsVars],
    async () => {
      const certifi = inst.details?.certifi ? await certifiWhere(inst.details.certifi) : null;
      const certifiSource = certifi
        ? await pathSource(certifi, { source: 'certifi', profile, why: 'certifi' })
        : null;
      if (inst.details?.truststore && py && (py.mm[0] > 3 || py.mm[1] >= 10)) {
        const os = await opensslDefaultTrust(ctx, profile, 'pdm (truststore)');
        return merge(
          {
            ...os,
            source: 'system+certifi',
            why: 'pdm verifies with truststore (the OS store) plus certifi.',
          },
          certifiSource,
        );
      }
      const httpxDefault = () =>
        certifiSource
          ? { ...certifiSource, why: 'pdm uses certifi (httpx default; truststore is not installed).' }
          : {
              source: 'certifi',
              path: null,
              files: [],
              dirs: [],
              profile,
              why: 'pdm needs certifi, which is missing.',
            };
      return firstSetting(
        ctx,
        profile,
        [{ env: 'SSL_CERT_FILE', why: "pdm's httpx reads SSL_CERT_FILE." }],
        httpxDefault,
      );
    },
  );
}

export const pdm = pythonTool({
  id: 'pdm',
  trust: pdmTrust,
  planWhy: 'pdm reads it before truststore and certifi (session.py).',
  probe: [
    'import sys, os, httpx',
    'from pdm.models.session import _ssl_context',
    'v = os.getenv("REQUESTS_CA_BUNDLE") or os.getenv("CURL_CA_BUNDLE") or _ssl_context or True',
    'r = httpx.Client(verify=v, trust_env=True).get(sys.argv[1], timeout=20)',
    'print("HTTP_STATUS", r.status_code)',
  ].join('\n'),
});
