import { describe, expect, it } from 'vitest';
import { ipBytes, matchesNoProxy } from '../../src/net/no-proxy.ts';
import { type Env, parseProxyUrl, resolveProxy } from '../../src/net/proxy.ts';

const T = { host: 'pypi.org', port: 443 };

describe('resolveProxy', () => {
  // [case, env, explicit, expected proxy url (or null), expected source]
  const cases: [string, Env, string | null | undefined, string | null, string?][] = [
    ['nothing set', {}, undefined, null],
    ['HTTPS_PROXY', { HTTPS_PROXY: 'http://p:3128' }, undefined, 'http://p:3128', 'HTTPS_PROXY'],
    ['https_proxy', { https_proxy: 'http://p:3128' }, undefined, 'http://p:3128', 'https_proxy'],
    [
      'lowercase wins',
      { https_proxy: 'http://low:1', HTTPS_PROXY: 'http://up:2' },
      undefined,
      'http://low:1',
    ],
    ['empty lowercase hides uppercase', { https_proxy: '', HTTPS_PROXY: 'http://up:2' }, undefined, null],
    [
      'empty lowercase hides uppercase, ALL_PROXY still used (requests)',
      { https_proxy: '', HTTPS_PROXY: 'http://up:2', ALL_PROXY: 'http://all:3' },
      undefined,
      'http://all:3',
      'ALL_PROXY',
    ],
    [
      'HTTPS_PROXY before ALL_PROXY',
      { ALL_PROXY: 'http://all:3', HTTPS_PROXY: 'http://up:2' },
      undefined,
      'http://up:2',
    ],
    [
      'all_proxy before ALL_PROXY',
      { ALL_PROXY: 'http://A:3', all_proxy: 'http://a:4' },
      undefined,
      'http://a:4',
    ],
    ['http_proxy is not for https', { http_proxy: 'http://p:1', HTTP_PROXY: 'http://p:1' }, undefined, null],
    ['no scheme means http', { HTTPS_PROXY: 'proxy.corp:8080' }, undefined, 'http://proxy.corp:8080'],
    ['default port 80', { HTTPS_PROXY: 'http://proxy.corp' }, undefined, 'http://proxy.corp:80'],
    ['credentials stay out of url', { HTTPS_PROXY: 'http://u:p@proxy:1' }, undefined, 'http://proxy:1'],
    ['explicit wins over env', { HTTPS_PROXY: 'http://env:1' }, 'http://cli:2', 'http://cli:2', 'explicit'],
    ['explicit wins over NO_PROXY', { NO_PROXY: '*' }, 'http://cli:2', 'http://cli:2', 'explicit'],
    ['explicit empty forces direct', { HTTPS_PROXY: 'http://env:1' }, '', null],
    ['null explicit = env', { HTTPS_PROXY: 'http://env:1' }, null, 'http://env:1'],
    ['NO_PROXY exact', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'pypi.org' }, undefined, null],
    ['no_proxy lowercase', { HTTPS_PROXY: 'http://p:1', no_proxy: 'pypi.org' }, undefined, null],
    [
      'no_proxy before NO_PROXY',
      { HTTPS_PROXY: 'http://p:1', no_proxy: 'x.org', NO_PROXY: 'pypi.org' },
      undefined,
      'http://p:1',
    ],
    [
      'empty no_proxy falls to NO_PROXY',
      { HTTPS_PROXY: 'http://p:1', no_proxy: '', NO_PROXY: 'pypi.org' },
      undefined,
      null,
    ],
    ['NO_PROXY other host', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'example.com' }, undefined, 'http://p:1'],
    ['IPv6 proxy', { HTTPS_PROXY: 'http://[fd00::1]:3128' }, undefined, 'http://[fd00::1]:3128'],
  ];
  it.each(cases)('%s', (_name, env, explicit, url, source) => {
    const got = resolveProxy(T, env, explicit);
    expect(got?.url ?? null).toBe(url);
    if (source) expect(got?.source).toBe(source);
  });

  it('keeps decoded credentials apart', () => {
    expect(resolveProxy(T, { HTTPS_PROXY: 'http://dom%5Cuser:p%40ss@proxy:8080' })).toEqual({
      url: 'http://proxy:8080',
      host: 'proxy',
      port: 8080,
      auth: { username: 'dom\\user', password: 'p@ss' },
      source: 'HTTPS_PROXY',
    });
  });

  it.each([
    ['socks5://p:1080', /SOCKS proxy/],
    ['socks5h://p:1080', /SOCKS proxy/],
    ['socks4://p:1080', /SOCKS proxy/],
    ['https://p:443', /only http:\/\/ \(CONNECT\) proxies/],
    ['http://', /not a proxy URL|no host/],
  ])('rejects %s with PROXY', (value, message) => {
    expect(() => parseProxyUrl(value, 'HTTPS_PROXY')).toThrow(message);
    try {
      resolveProxy(T, { HTTPS_PROXY: value });
    } catch (e) {
      expect(e).toMatchObject({ code: 'PROXY' });
    }
  });
});

describe('matchesNoProxy', () => {
  // [no_proxy, host, port, bypass?]
  const cases: [string, string, number, boolean][] = [
    ['*', 'anything.example', 443, true],
    ['example.com', 'example.com', 443, true],
    ['example.com', 'www.example.com', 443, true],
    ['example.com', 'badexample.com', 443, false],
    ['.example.com', 'www.example.com', 443, true],
    ['.example.com', 'example.com', 443, true],
    ['*.example.com', 'a.b.example.com', 443, true],
    ['Example.COM', 'www.example.com', 443, true],
    ['example.com.', 'www.example.com', 443, true],
    [' foo.org , example.com ', 'example.com', 443, true],
    ['foo.org,,bar.org', 'example.com', 443, false],
    ['example.com:8443', 'example.com', 8443, true],
    ['example.com:8443', 'example.com', 443, false],
    ['10.1.2.3', '10.1.2.3', 443, true],
    ['10.1.2.3', '10.1.2.30', 443, false],
    ['10.0.0.0/8', '10.200.3.4', 443, true],
    ['10.0.0.0/8', '11.0.0.1', 443, false],
    ['192.168.1.0/24', '192.168.1.77', 443, true],
    ['192.168.1.0/24', '192.168.2.1', 443, false],
    ['172.16.0.0/12', '172.31.255.255', 443, true],
    ['172.16.0.0/12', '172.32.0.1', 443, false],
    ['0.0.0.0/0', '8.8.8.8', 443, true],
    ['10.0.0.0/8', 'ten.example', 443, false],
    ['::1', '::1', 443, true],
    ['[::1]', '::1', 443, true],
    ['[::1]:8443', '::1', 8443, true],
    ['[::1]:8443', '::1', 443, false],
    ['fd00::/8', 'fd12:3456::1', 443, true],
    ['fd00::/8', 'fe80::1', 443, false],
    ['2001:db8::/32', '2001:db8:ffff::1', 443, true],
    ['127.0.0.1', '::ffff:127.0.0.1', 443, true],
    ['localhost', 'localhost', 443, true],
    ['localhost', '127.0.0.1', 443, false],
  ];
  it.each(cases)('%j vs %s:%d -> %s', (list, host, port, expected) => {
    expect(matchesNoProxy(list, host, port)).toBe(expected);
  });

  it('expands IPv6 forms', () => {
    expect(ipBytes('::')?.toString('hex')).toBe('0'.repeat(32));
    expect(ipBytes('2001:db8::1')?.toString('hex')).toBe('20010db8000000000000000000000001');
    expect(ipBytes('::ffff:10.1.2.3')?.toString('hex')).toBe('0a010203');
    expect(ipBytes('64:ff9b::10.1.2.3')?.toString('hex')).toBe('0064ff9b00000000000000000a010203');
    expect(ipBytes('not-an-ip')).toBeNull();
  });
});
