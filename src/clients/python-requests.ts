/**
 * requests: REQUESTS_CA_BUNDLE, then CURL_CA_BUNDLE, then certifi (Session.merge_environment_settings,
 * https://github.com/psf/requests/blob/main/src/requests/sessions.py; tests/test_requests.py
 * test_env_cert_bundles). A directory goes to capath (adapters.py `_urllib3_request_context`: isdir →
 * ca_cert_dir); a missing path raises `OSError: Could not find a suitable TLS CA certificate bundle, invalid
 * path` (adapters.py cert_verify; fixture python-requests-missing-bundle.txt).
 */

import { envOf } from '../host-files.ts';
import type { Context, Installation, TrustSource } from '../types.ts';
import { certifiWhere } from './certifi.ts';
import { runVerdict } from './on-path.ts';
import { findPackage, profileOf, pythonDetails, pythonFromDetails, withPartial } from './python.ts';
import { findPythonEnvs } from './python-envs.ts';
import { pathSource } from './source.ts';
import { renderAs } from './stacks.ts';
import type { Client } from './types.ts';

/** The variables requests reads, strongest first. */
export const REQUESTS_VARS = ['REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'] as const;

export const pythonRequests: Client = {
  id: 'python-requests',

  async detect(ctx) {
    const out: Installation[] = [];
    for (const py of await findPythonEnvs(ctx)) {
      const pkg = await findPackage(py, 'requests');
      if (!pkg) continue;
      const [certifi, urllib3] = await Promise.all([findPackage(py, 'certifi'), findPackage(py, 'urllib3')]);
      out.push({
        client: 'python-requests',
        path: pkg.dir,
        version: pkg.version,
        details: {
          ...pythonDetails(py),
          ...(certifi ? { certifi: certifi.dir } : {}),
          // urllib3 1.26 and 2 check host names differently (stack-table.ts)
          ...(urllib3?.version ? { urllib3: urllib3.version } : {}),
        },
      });
    }
    return out;
  },

  async trust(inst, ctx) {
    const py = pythonFromDetails(inst.details);
    const profile = py ? profileOf(py) : 'openssl';
    return withPartial(inst, await requestsTrust(ctx, profile, inst.details?.certifi, 'requests'));
  },

  render: renderAs('python-requests'),

  plan(_inst, bundlePath) {
    return {
      owner: 'python-requests',
      summary:
        'Point requests at the merged bundle with REQUESTS_CA_BUNDLE (it replaces certifi for every Session).',
      changes: [{ kind: 'env', name: 'REQUESTS_CA_BUNDLE', value: bundlePath }],
      // REQUESTS_CA_BUNDLE is the documented switch: https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification
      notes: ['Takes effect in new shells. Code that passes verify=<path> explicitly keeps its own file.'],
    };
  },

  async check(inst, url, ctx) {
    const py = inst.details?.python ?? 'python3';
    const code =
      'import sys, requests\nr = requests.get(sys.argv[1], timeout=20, allow_redirects=False)\nprint("HTTP_STATUS", r.status_code)';
    return runVerdict(ctx, py, ['-c', code, url]);
  },
};

/** Shared with pip (its vendored requests reads the same variables). */
export async function requestsTrust(
  ctx: Context,
  profile: TrustSource['profile'],
  certifiDir: string | undefined,
  who: string,
): Promise<TrustSource> {
  for (const name of REQUESTS_VARS) {
    const v = envOf(ctx, name);
    if (!v) continue;
    return pathSource(
      v,
      { source: 'env', via: name, profile, why: `${name} is set, so ${who} uses it instead of certifi.` },
      'capath',
      `${who} fails with "OSError: Could not find a suitable TLS CA certificate bundle"`,
    );
  }
  if (!certifiDir) {
    return {
      source: 'certifi',
      path: null,
      files: [],
      dirs: [],
      profile,
      why: `${who} uses certifi, which is not installed.`,
      warnings: ['certifi is missing'],
    };
  }
  const where = await certifiWhere(certifiDir);
  return pathSource(where, {
    source: 'certifi',
    profile,
    why: `${who} uses certifi's bundle (${where}); no CA variable is set.`,
  });
}
