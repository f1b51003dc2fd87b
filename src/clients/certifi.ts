/** Where a certifi copy points: its cacert.pem, or the file a distro patched `where()` to return. */
import { join } from 'node:path';
import { readText } from './fsx.ts';

/**
 * Debian and Fedora patch certifi's core.py to return the system bundle
 * (https://salsa.debian.org/python-team/packages/python-certifi/-/blob/master/debian/patches/0001-Use-Debian-provided-etc-ssl-certs-ca-certificates.crt.patch);
 * otherwise `where()` is the cacert.pem next to core.py (https://github.com/certifi/python-certifi/blob/master/certifi/core.py).
 */
export async function certifiWhere(certifiDir: string): Promise<string> {
  const core = await readText(join(certifiDir, 'core.py'));
  const patched = core ? /return\s+["'](\/[^"']+\.(?:pem|crt))["']/.exec(core)?.[1] : undefined;
  return patched ?? join(certifiDir, 'cacert.pem');
}
