/**
 * Which clients skip the proxy for a target, by the rule each one applies (src/clients/loopback.ts), and the
 * Ruby rule against real Ruby: its own `URI#find_proxy` answers for the same hosts.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { bypassesProxy, directClients, isLoopbackIp } from '../../src/clients/loopback.ts';
import type { ClientId } from '../../src/types.ts';
import { lacks, missing } from '../helpers/has.ts';

/** host, the resolver's first address, Go goes direct?, Ruby goes direct? */
const CASES: Array<[string, string | null, boolean, boolean]> = [
  ['localhost', '127.0.0.1', true, true],
  ['localhost', '::1', true, true],
  ['127.0.0.1', '127.0.0.1', true, true],
  ['127.1.2.3', '127.1.2.3', true, true],
  ['::1', '::1', true, true],
  // IPv4-mapped: Go's IsLoopback looks at the IPv4 inside; Ruby's regex sees `::ffff:…`.
  ['::ffff:127.0.0.1', '::ffff:127.0.0.1', true, false],
  ['::ffff:7f00:1', '::ffff:7f00:1', true, false],
  // A name /etc/hosts maps to loopback (Debian's `127.0.1.1 <hostname>`): only Ruby resolves it.
  ['devbox', '127.0.1.1', false, true],
  ['origin.lab.test', '127.0.0.1', false, true],
  // A name only the proxy resolves: both go through the proxy.
  ['origin.lab.test', null, false, false],
  ['foo.localhost', null, false, false],
  ['pypi.org', '151.101.0.223', false, false],
  ['10.0.0.1', '10.0.0.1', false, false],
  ['::2', '::2', false, false],
];

describe('loopback rules', () => {
  it.each(CASES)('%s (resolves to %s): go direct %s, ruby direct %s', (host, address, go, ruby) => {
    expect(bypassesProxy('literal', host, address)).toBe(go);
    expect(bypassesProxy('resolved', host, address)).toBe(ruby);
  });

  it('isLoopbackIp is net.IP.IsLoopback: 127/8, ::1 and IPv4-mapped 127/8, never a name', () => {
    expect(['127.0.0.1', '127.255.255.254', '::1', '::ffff:127.9.9.9'].map(isLoopbackIp)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['128.0.0.1', '::', '::2', 'localhost', '', '0.0.0.0'].map(isLoopbackIp)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('directClients: only Go and Ruby are ruled, and the resolver is asked only for Ruby', async () => {
    const asked: string[] = [];
    const lookup = async (h: string) => {
      asked.push(h);
      return '127.0.1.1';
    };
    const all: ClientId[] = ['go', 'ruby', 'curl', 'python-requests', 'java'];
    expect(await directClients(all, 'devbox', lookup)).toEqual(new Set(['ruby']));
    expect(await directClients(all, 'localhost', lookup)).toEqual(new Set(['go', 'ruby']));
    expect(asked).toEqual(['devbox', 'localhost']);
    expect(await directClients(['go', 'curl'], 'devbox', lookup)).toEqual(new Set());
    expect(asked).toHaveLength(2);
    const none = async () => null;
    expect(await directClients(all, 'origin.lab.test', none)).toEqual(new Set());
  });

  it('the real resolver: localhost is loopback for Ruby (/etc/hosts)', async () => {
    expect(await directClients(['ruby'], 'localhost')).toEqual(new Set(['ruby']));
  });
});

describe.skipIf(lacks('ruby'))(`Ruby's own find_proxy agrees ${missing('ruby')}`, () => {
  it('for literals, localhost, and a name that does not resolve', async () => {
    // `.invalid` never resolves (RFC 2606), so Ruby's getaddress raises and it keeps the proxy.
    const hosts = ['localhost', '127.0.0.2', '[::1]', '[::ffff:127.0.0.1]', 'origin.certifix.invalid'];
    const script = 'ARGV.each { |u| puts(URI(u).find_proxy ? "proxy" : "direct") }';
    const { stdout } = await promisify(execFile)(
      'ruby',
      ['-ruri', '-e', script, ...hosts.map((h) => `https://${h}/`)],
      { env: { PATH: process.env.PATH, https_proxy: 'http://127.0.0.1:9' }, timeout: 20_000 },
    );
    const predicted = await Promise.all(
      hosts.map(async (h) => {
        const bare = h.replace(/^\[|\]$/g, '');
        return (await directClients(['ruby'], bare)).has('ruby') ? 'direct' : 'proxy';
      }),
    );
    expect(stdout.trim().split('\n')).toEqual(predicted);
    expect(predicted).toEqual(['direct', 'direct', 'direct', 'proxy', 'proxy']);
  });
});
