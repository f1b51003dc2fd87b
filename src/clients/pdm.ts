/**
 * pdm 2 (src/pdm/models/session.py `PDMPyPIClient._transport_for`, https://github.com/pdm-project/pdm):
 * verify = the source's `ca_certs` (`pypi.ca_certs` in the global config,
 * https://pdm-project.org/latest/reference/configuration/) › REQUESTS_CA_BUNDLE › CURL_CA_BUNDLE › a
 * truststore.SSLContext with certifi loaded on top (`_create_truststore_ssl_context`: Python >= 3.10 with
 * truststore importable) › True, i.e. httpx's default (SSL_CERT_FILE / SSL_CERT_DIR › certifi, httpx.ts).
 * Global config: ~/.config/pdm/config.toml on Linux (platformdirs user_config_dir("pdm")).
 */
import { join } from 'node:path';
import { envOf, readText } from '../host-files.ts';
import type { Context, Installation, TrustSource } from '../types.ts';
import { certifiWhere } from './certifi.ts';
import { profileOf, pythonFromDetails } from './python.ts';
import { REQUESTS_VARS } from './python-requests.ts';
import { opensslDefaultTrust } from './python-ssl.ts';
import { merge, pathSource } from './source.ts';
import { renderFor } from './stacks.ts';
import { detectTool, requestsBundlePlan, runInTool } from './tool-python.ts';
import type { Client } from './types.ts';

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
  const profile = py ? profileOf(py) : 'openssl';
  const config = pdmCaCerts((await readText(pdmConfigPath(ctx))) ?? '');
  if (config)
    return pathSource(config, {
      source: 'config',
      via: 'pypi.ca_certs',
      profile,
      why: 'pdm: pypi.ca_certs is set.',
    });
  for (const name of REQUESTS_VARS) {
    const v = envOf(ctx, name);
    if (v)
      return pathSource(v, {
        source: 'env',
        via: name,
        profile,
        why: `pdm reads ${name} before its defaults.`,
      });
  }
  const certifi = inst.details?.certifi ? await certifiWhere(inst.details.certifi) : null;
  const certifiSource = certifi
    ? await pathSource(certifi, { source: 'certifi', profile, why: 'certifi' })
    : null;
  if (inst.details?.truststore && py && (py.mm[0] > 3 || py.mm[1] >= 10)) {
    const os = await opensslDefaultTrust(ctx, profile, 'pdm (truststore)');
    return merge(
      { ...os, source: 'system+certifi', why: 'pdm verifies with truststore (the OS store) plus certifi.' },
      certifiSource,
    );
  }
  const file = envOf(ctx, 'SSL_CERT_FILE');
  if (file)
    return pathSource(file, {
      source: 'env',
      via: 'SSL_CERT_FILE',
      profile,
      why: "pdm's httpx reads SSL_CERT_FILE.",
    });
  return certifiSource
    ? { ...certifiSource, why: 'pdm uses certifi (httpx default; truststore is not installed).' }
    : {
        source: 'certifi',
        path: null,
        files: [],
        dirs: [],
        profile,
        why: 'pdm needs certifi, which is missing.',
      };
}

export const pdm: Client = {
  id: 'pdm',
  detect: (ctx) => detectTool('pdm', 'pdm', ctx),
  trust: pdmTrust,
  render: (v, host, port, inst, detail) => renderFor('pdm', v, host, port, inst, detail),
  plan: (_inst, bundlePath) =>
    requestsBundlePlan('pdm', bundlePath, 'pdm reads it before truststore and certifi (session.py).'),
  check: (inst, url, ctx) =>
    runInTool(
      inst,
      [
        'import sys, os, httpx',
        'from pdm.models.session import _ssl_context',
        'v = os.getenv("REQUESTS_CA_BUNDLE") or os.getenv("CURL_CA_BUNDLE") or _ssl_context or True',
        'r = httpx.Client(verify=v, trust_env=True).get(sys.argv[1], timeout=20)',
        'print("HTTP_STATUS", r.status_code)',
      ].join('\n'),
      url,
      ctx,
    ),
};
