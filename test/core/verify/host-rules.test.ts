/**
 * Host-name rules per TLS stack (HOST_RULES), table-driven on certificates made with the openssl CLI, and the
 * effective OpenSSL security level read from a sysroot.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Cert, parseCerts } from '../../../src/core/cert.ts';
import { certInfo } from '../../../src/core/extensions.ts';
import {
  HOST_RULES,
  type HostRuleSet,
  nameMatches,
  opensslSecurityLevel,
} from '../../../src/core/verify/index.ts';
import { type Issued, Pki } from '../../helpers/pki.ts';
import { hasOpenssl } from './oracle.ts';

const P: Record<string, Issued> = {};
const info = (n: string) => certInfo(parseCerts((P[n] as Issued).pem).certs[0] as Cert);

// [certificate, host, openssl, python, urllib3v2, gnutls]
const TABLE: Array<[string, string, boolean, boolean, boolean, boolean]> = [
  ['cnOnly', 'cn.corp.test', true, true, false, true], // CN fallback: all but urllib3 2
  ['sanAndCn', 'cn-only-name.corp.test', false, false, false, false], // a DNS SAN disables the CN
  ['wild', 'a.apps.corp.test', true, true, true, true],
  ['wild', 'a.b.apps.corp.test', false, false, false, false], // one label only
  ['partial', 'foo1.corp.test', true, false, false, false], // f*: OpenSSL without NO_PARTIAL_WILDCARDS
  ['leadingPartial', 'xfoo.corp.test', true, false, false, true], // *foo: a partial wildcard both allow
  ['ipSan', '10.1.2.3', true, true, true, true],
  ['ipCn', '10.9.9.9', false, false, false, false], // an IP is matched against iPAddress SANs only
  ['ipCnWithDnsSan', 'x.corp.test', true, true, true, true],
  ['ipSanOnly', 'ipsan.corp.test', true, true, false, false], // GnuTLS: an IP SAN disables the CN too
];

describe.skipIf(!hasOpenssl())('HOST_RULES', () => {
  beforeAll(() => {
    const pki = new Pki();
    const ca = pki.root('root', 'Rules Root');
    P.cnOnly = pki.leaf('cnOnly', 'cn.corp.test', ca, { dns: [] });
    P.sanAndCn = pki.leaf('sanAndCn', 'cn-only-name.corp.test', ca, { dns: ['other.corp.test'] });
    P.wild = pki.leaf('wild', 'apps.corp.test', ca, { dns: ['*.apps.corp.test'] });
    P.partial = pki.leaf('partial', 'p.corp.test', ca, { dns: ['f*.corp.test'] });
    P.leadingPartial = pki.leaf('leadingPartial', 'lp.corp.test', ca, { dns: ['*foo.corp.test'] });
    P.ipSan = pki.leaf('ipSan', 'ip.corp.test', ca, { dns: [], ips: ['10.1.2.3'] });
    P.ipCn = pki.leaf('ipCn', '10.9.9.9', ca, { dns: [] });
    P.ipCnWithDnsSan = pki.leaf('ipCnWithDnsSan', '10.9.9.9', ca, { dns: ['x.corp.test'] });
    P.ipSanOnly = pki.leaf('ipSanOnly', 'ipsan.corp.test', ca, { dns: [], ips: ['10.1.2.4'] });
  }, 60_000);

  const sets: HostRuleSet[] = ['openssl', 'python', 'urllib3v2', 'gnutls'];
  for (const [name, host, ...want] of TABLE)
    it(`${name} vs ${host}`, () => {
      const got = sets.map((s) => nameMatches(info(name), host, HOST_RULES[s]));
      expect(Object.fromEntries(sets.map((s, i) => [s, got[i]]))).toEqual(
        Object.fromEntries(sets.map((s, i) => [s, want[i]])),
      );
    });
});

describe('opensslSecurityLevel', () => {
  const root = mkdtempSync(join(tmpdir(), 'certifix-seclevel-'));
  const put = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n';

  it('Debian without a CipherString: the compiled default, 2', async () => {
    put('/etc/os-release', DEBIAN);
    put(
      '/usr/lib/ssl/openssl.cnf',
      'openssl_conf = openssl_init\n[openssl_init]\n# providers = provider_sect\n',
    );
    expect(await opensslSecurityLevel({ env: {}, sysroot: root })).toMatchObject({
      level: 2,
      from: 'compiled',
    });
  });

  it('a system_default CipherString @SECLEVEL, through an .include', async () => {
    const r2 = mkdtempSync(join(tmpdir(), 'certifix-seclevel-'));
    mkdirSync(join(r2, 'etc'), { recursive: true });
    mkdirSync(join(r2, 'usr/lib/ssl'), { recursive: true });
    writeFileSync(join(r2, 'etc/os-release'), 'ID=ubuntu\nID_LIKE=debian\n');
    writeFileSync(join(r2, 'usr/lib/ssl/openssl.cnf'), 'openssl_conf = init\n.include sys.cnf\n');
    writeFileSync(
      join(r2, 'usr/lib/ssl/sys.cnf'),
      '[init]\nssl_conf = ssl_sect\n[ssl_sect]\nsystem_default = sd\n[sd]\nMinProtocol = TLSv1.2\nCipherString = DEFAULT:@SECLEVEL=1\n',
    );
    expect(await opensslSecurityLevel({ env: {}, sysroot: r2 })).toMatchObject({ level: 1, from: 'config' });
  });

  it('OPENSSL_CONF wins over the default file', async () => {
    put('/etc/os-release', DEBIAN);
    put(
      '/custom.cnf',
      'openssl_conf = a\n[a]\nssl_conf = b\n[b]\nsystem_default = c\n[c]\nCipherString = DEFAULT@SECLEVEL=3\n',
    );
    const r = await opensslSecurityLevel({ env: { OPENSSL_CONF: join(root, 'custom.cnf') }, sysroot: root });
    expect(r).toMatchObject({ level: 3, from: 'config' });
  });

  it('an unknown distro without a config: upstream OpenSSL 3.0, level 1', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'certifix-seclevel-'));
    expect(await opensslSecurityLevel({ env: {}, sysroot: empty })).toMatchObject({
      level: 1,
      from: 'compiled',
    });
  });
});
