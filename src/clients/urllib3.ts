/**
 * urllib3 2.x used directly: with no `ca_certs`, `ssl_wrap_socket` calls `context.load_default_certs()`
 * (https://github.com/urllib3/urllib3/blob/2.8.0/src/urllib3/util/ssl_.py), i.e. OpenSSL's default paths:
 * SSL_CERT_FILE / SSL_CERT_DIR, else the OS store. (requests passes certifi as `ca_certs`: a different client.)
 * urllib3 reads no proxy variables itself; the probe builds a ProxyManager from them as applications do.
 */

import { sslCertFilePlan } from './on-path.ts';
import { profileFor, pythonLib } from './python-lib.ts';
import { opensslDefaultTrust } from './python-ssl.ts';

export const urllib3 = pythonLib({
  id: 'urllib3',
  pkg: 'urllib3',

  trust(py, inst, ctx) {
    return opensslDefaultTrust(ctx, profileFor(py), `urllib3 ${inst.version ?? ''}`.trim());
  },

  plan: (_inst, bundlePath) =>
    sslCertFilePlan(
      'urllib3',
      bundlePath,
      "Set SSL_CERT_FILE to the merged bundle: urllib3 without ca_certs loads OpenSSL's default paths.",
    ),

  probe: [
    'import sys, urllib.request, urllib3',
    'proxy = urllib.request.getproxies().get("https")',
    'pm = urllib3.ProxyManager(proxy) if proxy and not urllib.request.proxy_bypass(urllib3.util.parse_url(sys.argv[1]).host) else urllib3.PoolManager()',
    'r = pm.request("GET", sys.argv[1], timeout=20, retries=False)',
    'print("HTTP_STATUS", r.status)',
  ].join('\n'),
});
