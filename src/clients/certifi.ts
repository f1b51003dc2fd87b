/** Where a certifi copy points: its cacert.pem, or the file a distro patched `where()` to return. */
import { join } from 'node:path';
import { readText } from '../host-files.ts';

/**
 * Debian and Fedora patch certifi's core.py to return the system bundle
 * (https://salsa.debian.org/python-team/packages/python-certifi/-/blob/master/debian/patches/0001-Use-Debian-provided-etc-ssl-certs-ca-certificates.crt.patch);
 * otherwise `where()` is the cacert.pem next to core.py (https://github.com/certifi/python-certifi/blob/master/certifi/core.py).
 */
export async function certifiWhere(certifiDir: string): Promise<string> {
  const core = await readText(join(certifiDir, 'core.py'));
  const patched = core ? /return\s+["'](\/[^"']+\.(?:pem|crt))["']/.exec(core)?.[1] : undefined;
  return patched ?? (core ? redefined(core) : undefined) ?? join(certifiDir, 'cacert.pem');
}

/**
 * Debian's pip (bookworm, python3-pip 23.0.1) ends its vendored certifi/core.py with a top-level
 * `def where() -> str: return DEBIAN_CA_CERTS_PATH` after `DEBIAN_CA_CERTS_PATH = '/etc/ssl/certs/ca-certificates.crt'`
 * (https://sources.debian.org/src/python-pip/23.0.1%2Bdfsg-1/src/pip/_vendor/certifi/core.py/): the last
 * top-level definition wins.
 */
function redefined(core: string): string | undefined {
  const name = [...core.matchAll(/^def where\(\)[^:\n]*:\s*\n\s+return\s+([A-Za-z_]\w*)\s*$/gm)].at(-1)?.[1];
  if (!name) return undefined;
  return new RegExp(`^${name}\\s*=\\s*["'](/[^"']+)["']`, 'm').exec(core)?.[1];
}
