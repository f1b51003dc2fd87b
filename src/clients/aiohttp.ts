/**
 * aiohttp 3.x: a verified connection uses `ssl.create_default_context()` (connector.py `_make_ssl_context`,
 * https://github.com/aio-libs/aiohttp/blob/v3.14.3/aiohttp/connector.py), i.e. OpenSSL's default paths:
 * SSL_CERT_FILE / SSL_CERT_DIR, else the OS store. Proxies from the environment only with
 * `ClientSession(trust_env=True)` (https://docs.aiohttp.org/en/stable/client_advanced.html#proxy-support).
 */

import { sslCertFilePlan } from './on-path.ts';
import { profileFor, pythonLib } from './python-lib.ts';
import { opensslDefaultTrust } from './python-ssl.ts';

export const aiohttp = pythonLib({
  id: 'aiohttp',
  pkg: 'aiohttp',

  trust(py, inst, ctx) {
    return opensslDefaultTrust(ctx, profileFor(py), `aiohttp ${inst.version ?? ''}`.trim());
  },

  plan: (_inst, bundlePath) =>
    sslCertFilePlan(
      'aiohttp',
      bundlePath,
      "Set SSL_CERT_FILE to the merged bundle: aiohttp's default SSL context loads it through OpenSSL.",
    ),

  probe: [
    'import sys, asyncio, aiohttp',
    'async def main():',
    '    async with aiohttp.ClientSession(trust_env=True) as s:',
    '        async with s.get(sys.argv[1], timeout=aiohttp.ClientTimeout(total=20)) as r:',
    '            print("HTTP_STATUS", r.status)',
    'asyncio.run(main())',
  ].join('\n'),
});
