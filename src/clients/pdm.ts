/**
 * pdm, in three eras (CHANGELOG.md of https://github.com/pdm-project/pdm):
 * - ≥ 2.13 ("Switch to `httpx.Client`", #2709): src/pdm/models/session.py `PDMPyPIClient._transport_for`
 *   (lines 154-167 at pdm-project/pdm@a7e9d00): verify = the source's `ca_certs` (`pypi.ca_certs` in the
 *   global config, https://pdm-project.org/latest/reference/configuration/) › REQUESTS_CA_BUNDLE ›
 *   CURL_CA_BUNDLE › a truststore.SSLContext with certifi loaded on top (`_create_truststore_ssl_context`:
 *   Python ≥ 3.10 with truststore importable) › True, i.e. httpx's default (SSL_CERT_FILE › certifi, httpx.ts).
 * - < 2.13: requests through unearth's PyPISession, whose `verify` is `pypi.ca_certs`
 *   (unearth/session.py `set_ca_certificates`). requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE replace a
 *   session's verify (merge_environment_settings, https://github.com/psf/requests/issues/3829), so the
 *   order is REQUESTS_CA_BUNDLE › CURL_CA_BUNDLE › pypi.ca_certs › certifi: observed with Debian bookworm's
 *   pdm 2.2.1 (python3-pdm), where REQUESTS_CA_BUNDLE wins over a `pypi.ca_certs` naming another bundle.
 *   Debian's runs on /usr/bin/python3, whose certifi is patched to the OS bundle (certifi.ts).
 * - 2.9 to 2.12 ("Switch to truststore by default", #2195): the same, but the adapter's pool uses a
 *   truststore.SSLContext on Python ≥ 3.10 when truststore is importable, and requests loads the verify path
 *   into it: the OS store plus that file (session.py `CacheControlAdapter.init_poolmanager` at tag 2.12.0).
 * Global config: ~/.config/pdm/config.toml on Linux (platformdirs user_config_dir("pdm")).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { atLeast } from '../core/version.ts';
import { envOf, readText } from '../host-files.ts';
import type { Context, Installation, TrustSource, Verdict } from '../types.ts';
import { certifiWhere } from './certifi.ts';
import { inTempDir, runVerdict } from './on-path.ts';
import { pythonFromDetails } from './python.ts';
import { REQUESTS_VARS } from './python-requests.ts';
import { opensslDefaultTrust } from './python-ssl.ts';
import { merge, pathSource } from './source.ts';
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
  const httpx = atLeast(inst.version, [2, 13]);
  const config = pdmCaCerts((await readText(pdmConfigPath(ctx))) ?? '');
  const configSource = config
    ? await pathSource(config, {
        source: 'config',
        via: 'pypi.ca_certs',
        profile,
        why: 'pdm: pypi.ca_certs is set.',
      })
    : null;
  let verify: TrustSource | null = httpx ? configSource : null;
  for (const name of REQUESTS_VARS) {
    const v = envOf(ctx, name);
    if (verify || !v) continue;
    const why = httpx
      ? `pdm reads ${name} before its defaults.`
      : `${name} replaces pdm's requests session verify.`;
    verify = await pathSource(v, { source: 'env', via: name, profile, why });
  }
  verify ??= configSource;
  const certifi = inst.details?.certifi ? await certifiWhere(inst.details.certifi) : null;
  const certifiSource = certifi
    ? await pathSource(certifi, { source: 'certifi', profile, why: 'certifi' })
    : null;
  const truststore =
    atLeast(inst.version, [2, 9]) && !!inst.details?.truststore && !!py && atLeast(py.version, [3, 10]);
  if (httpx && verify) return verify;
  if (truststore) {
    const os = await opensslDefaultTrust(ctx, profile, 'pdm (truststore)');
    const extra = verify ?? certifiSource;
    const label = httpx ? 'certifi' : (verify?.via ?? 'certifi');
    return merge(
      {
        ...os,
        source: `system+${extra?.source ?? 'certifi'}`,
        why: `pdm ${inst.version ?? ''} verifies with truststore (the OS store) plus ${label}.`,
      },
      extra,
    );
  }
  if (verify) return verify;
  const file = httpx ? envOf(ctx, 'SSL_CERT_FILE') : undefined;
  if (file)
    return pathSource(file, {
      source: 'env',
      via: 'SSL_CERT_FILE',
      profile,
      why: "pdm's httpx reads SSL_CERT_FILE.",
    });
  return certifiSource
    ? {
        ...certifiSource,
        why: `pdm ${inst.version ?? ''} uses certifi (${httpx ? "httpx's" : "requests'"} default).`,
      }
    : {
        source: 'certifi',
        path: null,
        files: [],
        dirs: [],
        profile,
        why: 'pdm needs certifi, which is missing.',
      };
}

export const pdm = pythonTool({
  id: 'pdm',
  trust: pdmTrust,
  planWhy: 'pdm reads it before truststore and certifi (session.py), and before pypi.ca_certs below 2.13.',
  check: (inst, url, ctx) => pdmLock(inst, url, ctx),
});

/**
 * The real `pdm lock` (pdm.core.main) in a throw-away project whose only source is the URL's `simple/` index:
 * pdm builds its session from the user's config as it always does. Its retries back off with sleeps
 * (urllib3 Retry before 2.13, httpx's transport retries after), which are skipped; no virtualenv is made
 * (PDM_USE_VENV), no update check goes out (PDM_CHECK_UPDATE), its cache and logs stay in the directory.
 */
async function pdmLock(inst: Installation, url: string, ctx: Context): Promise<Verdict> {
  const python = inst.details?.python;
  if (!python)
    return { ok: false, code: 'UNKNOWN', message: `pdm: the interpreter of ${inst.path} was not found` };
  const index = new URL('simple/', url.endsWith('/') ? url : `${url}/`).href;
  return inTempDir('pdm', async (dir) => {
    await writeFile(
      join(dir, 'pyproject.toml'),
      [
        '[project]',
        'name = "certifix-check"',
        'version = "0"',
        'requires-python = ">=3"',
        'dependencies = ["certifix-probe"]',
        '',
        '[[tool.pdm.source]]',
        'name = "pypi"',
        `url = ${JSON.stringify(index)}`,
        'verify_ssl = true',
        '',
      ].join('\n'),
    );
    const code = 'import sys, time\ntime.sleep = lambda s: None\nfrom pdm.core import main\nmain(["lock"])';
    const env = {
      ...ctx.env,
      PDM_USE_VENV: 'false',
      PDM_CHECK_UPDATE: 'false',
      XDG_CACHE_HOME: join(dir, 'cache'),
      TMPDIR: dir,
    };
    return runVerdict(ctx, python, ['-c', code], { env, cwd: dir, timeoutMs: 90_000 });
  });
}
