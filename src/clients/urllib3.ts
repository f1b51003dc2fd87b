/**
 * urllib3 2.x used directly: with no `ca_certs`, `ssl_wrap_socket` calls `context.load_default_certs()`
 * (https://github.com/urllib3/urllib3/blob/2.8.0/src/urllib3/util/ssl_.py), i.e. OpenSSL's default paths:
 * SSL_CERT_FILE / SSL_CERT_DIR, else the OS store. (requests passes certifi as `ca_certs`: a different client.)
 * urllib3 reads no proxy variables itself; the probe builds a ProxyManager from them as applications do.
 * Debian's python3-urllib3 (bookworm, 1.26.12) gives HTTPSConnectionPool the default
 * `ca_certs='/etc/ssl/certs/ca-certificates.crt'` ("On Debian, SSL certificate validation is required by
 * default", connectionpool.py; https://sources.debian.org/src/python-urllib3/1.26.12-1/debian/patches/):
 * that file is loaded instead of the default paths, so SSL_CERT_FILE is not read; only the OS store reaches it.
 */
import { join } from 'node:path';
import { readText } from '../host-files.ts';

import { sslCertFilePlan } from './on-path.ts';
import { profileFor, pythonLib } from './python-lib.ts';
import { opensslDefaultTrust } from './python-ssl.ts';
import { pathSource } from './source.ts';

export const urllib3 = pythonLib({
  id: 'urllib3',
  pkg: 'urllib3',

  async trust(py, inst, ctx) {
    const who = `urllib3 ${inst.version ?? ''}`.trim();
    const pool = (await readText(join(inst.path, 'connectionpool.py'))) ?? '';
    const patched = /^\s+ca_certs='(\/[^']+)',$/m.exec(pool)?.[1];
    if (!patched) return opensslDefaultTrust(ctx, profileFor(py), who);
    return {
      ...(await pathSource(patched, {
        source: 'system',
        profile: profileFor(py),
        why: `${who} is Debian's: its pools load ${patched} unless the program passes ca_certs.`,
      })),
      ignores: [
        `Debian's urllib3 loads ${patched} by default: SSL_CERT_FILE is not read, only the OS store counts`,
      ],
      onlyOsStore: `add the root to the OS store (as a .crt file: sudo cp ROOT.crt /usr/local/share/ca-certificates/ && sudo update-ca-certificates); Debian's urllib3 loads ${patched} and reads no variable`,
    };
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
