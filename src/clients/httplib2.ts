/**
 * httplib2 (google-api-python-client, oauth2client, gcloud's older paths): `httplib2.certs.where()`
 * (https://github.com/httplib2/httplib2/blob/v0.22.0/httplib2/certs.py) takes HTTPLIB2_CA_CERTS when set (a
 * path that is not a file raises RuntimeError on import), else the `ca_certs_locater` plugin, else certifi's
 * `where()`, else its own cacerts.txt. Each replaces the others; `load_verify_locations(ca_certs)` only.
 * Proxies: `proxy_info_from_environment` (https_proxy, no_proxy) is the default of `Http()`.
 */
import { join } from 'node:path';
import { envPlan } from './on-path.ts';
import { certifiOf, profileFor, pythonLib } from './python-lib.ts';
import { firstSetting } from './source.ts';

export const httplib2 = pythonLib({
  id: 'httplib2',
  pkg: 'httplib2',

  async trust(py, inst, ctx) {
    const profile = profileFor(py);
    return firstSetting(ctx, profile, [{ env: 'HTTPLIB2_CA_CERTS' }], async () => {
      const certifi = await certifiOf(py);
      const own = join(inst.path, 'cacerts.txt');
      return {
        source: certifi ? 'certifi' : 'bundled',
        path: certifi ?? own,
        files: [certifi ?? own],
        dirs: [],
        profile,
        why: certifi
          ? 'httplib2 uses certifi unless HTTPLIB2_CA_CERTS is set.'
          : 'httplib2 uses its own cacerts.txt (certifi is not installed).',
      };
    });
  },

  plan: (_inst, bundlePath) =>
    envPlan(
      'httplib2',
      'HTTPLIB2_CA_CERTS',
      bundlePath,
      'Set HTTPLIB2_CA_CERTS to the merged bundle: httplib2 uses it instead of certifi.',
      ['Code that passes ca_certs= to httplib2.Http keeps its own file.'],
    ),

  probe: [
    'import sys, httplib2',
    'r, _ = httplib2.Http(timeout=20).request(sys.argv[1])',
    'print("HTTP_STATUS", r.status)',
  ].join('\n'),
});
