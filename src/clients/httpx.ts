/**
 * httpx 0.28 (`httpx/_config.py` create_ssl_context, https://github.com/encode/httpx/blob/0.28.1/httpx/_config.py):
 * with the default `verify=True, trust_env=True`, a non-empty SSL_CERT_FILE is the CA file, else a non-empty
 * SSL_CERT_DIR is the CA directory, else certifi's `where()`. Each replaces the others (no OS store).
 * Proxies come from HTTPS_PROXY/ALL_PROXY when trust_env is on (https://www.python-httpx.org/environment_variables/).
 */
import { sslCertFilePlan } from './on-path.ts';
import { certifiOf, profileFor, pythonLib } from './python-lib.ts';
import { firstSetting } from './source.ts';

export const httpx = pythonLib({
  id: 'httpx',
  pkg: 'httpx',

  async trust(py, _inst, ctx) {
    const profile = profileFor(py);
    const settings = [
      { env: 'SSL_CERT_FILE', why: 'httpx reads SSL_CERT_FILE (trust_env).' },
      { env: 'SSL_CERT_DIR', dirAs: 'capath' as const, why: 'httpx reads SSL_CERT_DIR (trust_env).' },
    ];
    return firstSetting(ctx, profile, settings, async () => {
      const certifi = await certifiOf(py);
      return {
        source: 'certifi',
        path: certifi,
        files: certifi ? [certifi] : [],
        dirs: [],
        profile,
        why: certifi
          ? 'httpx uses certifi unless SSL_CERT_FILE or SSL_CERT_DIR is set.'
          : 'httpx needs certifi, which is missing.',
      };
    });
  },

  plan: (_inst, bundlePath) =>
    sslCertFilePlan(
      'httpx',
      bundlePath,
      'Set SSL_CERT_FILE to the merged bundle: httpx uses it instead of certifi (trust_env).',
      ['Clients created with trust_env=False or verify=<context> keep their own CAs.'],
    ),

  probe: [
    'import sys, httpx',
    'r = httpx.get(sys.argv[1], timeout=20)',
    'print("HTTP_STATUS", r.status_code)',
  ].join('\n'),
});
