import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../../src/commands/probe.ts';
import { runProcess } from '../../src/context.ts';
import { type Handshake, summarizeProbe } from '../../src/core/handshake-groups.ts';
import { type Issued, Pki } from '../helpers/pki.ts';
import { alternating, type Bound, pairOnOnePort } from '../helpers/probe-servers.ts';
import { startProxy } from '../net/servers.ts';

const ok = { ok: true, code: 'OK', message: 'ok' };
const noIssuer = {
  ok: false,
  code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  message: 'unable to get local issuer certificate',
};
const good = (address: string): Handshake => ({ address, chain: ['leaf', 'int'], verdict: ok });
const bad = (address: string): Handshake => ({ address, chain: ['leaf'], verdict: noIssuer });
const times = (n: number, h: Handshake) => Array.from({ length: n }, () => h);

describe('summarizeProbe', () => {
  it('is consistent when every address serves the same valid chain', () => {
    const s = summarizeProbe([...times(3, good('10.0.0.1')), ...times(3, good('10.0.0.2'))]);
    expect(s.consistent).toBe(true);
    expect(s.findings).toEqual([]);
    expect(s.endpoints).toEqual([
      { address: '10.0.0.1', handshakes: 3, chains: [{ sha256: ['leaf', 'int'], count: 3, ...ok }] },
      { address: '10.0.0.2', handshakes: 3, chains: [{ sha256: ['leaf', 'int'], count: 3, ...ok }] },
    ]);
  });

  it('names the one bad backend behind the load balancer', () => {
    const hs = ['192.0.2.1', '192.0.2.2', '192.0.2.3'].flatMap((a) => times(5, good(a)));
    const s = summarizeProbe([...hs, ...times(5, bad('192.0.2.7'))]);
    expect(s.consistent).toBe(false);
    expect(s.findings).toHaveLength(1);
    expect(s.findings[0]).toMatchObject({ id: 'inconsistent-endpoints', severity: 'error' });
    expect(s.findings[0]?.message).toBe(
      '192.0.2.7 serves a chain that fails: unable to get local issuer certificate; ' +
        'the other 3 addresses serve a valid chain: a bad backend behind the load balancer: ' +
        'requests fail only when they land there',
    );
  });

  it('names the failing addresses even when they are the majority', () => {
    const s = summarizeProbe([...times(2, good('a')), ...times(2, bad('b')), ...times(2, bad('c'))]);
    expect(s.findings[0]?.details).toMatchObject({ addresses: ['b', 'c'] });
    expect(s.findings[0]?.message).toMatch(
      /^b serves a chain that fails.*; c serves .*the other address serves a valid chain/,
    );
  });

  it('warns (not errors) when backends serve different chains that all verify', () => {
    const other: Handshake = { address: 'b', chain: ['leaf2', 'int'], verdict: ok };
    const s = summarizeProbe([...times(3, good('a')), ...times(2, other)]);
    expect(s.findings).toEqual([
      expect.objectContaining({ id: 'inconsistent-endpoints', severity: 'warning' }),
    ]);
    expect(s.findings[0]?.message).toMatch(/^b serves a valid chain; the other address serves a valid chain/);
  });

  it('detects one address serving different chains (selective interception)', () => {
    const proxied: Handshake = { ...bad('a'), chain: ['mitm'], issuer: 'CN=Corp Inspection CA' };
    const s = summarizeProbe([...times(7, good('a')), ...times(3, proxied)]);
    expect(s.consistent).toBe(false);
    expect(s.endpoints[0]?.chains.map((c) => c.count)).toEqual([7, 3]);
    expect(s.findings).toEqual([expect.objectContaining({ id: 'inconsistent-address', severity: 'error' })]);
    expect(s.findings[0]?.message).toMatch(
      /^a served 2 different chains over 10 handshakes \(7× a valid chain, 3× a chain that fails: .*issued by CN=Corp Inspection CA/,
    );
  });

  it('reports a consistent failure as not intermittent', () => {
    const s = summarizeProbe(times(4, bad('a')));
    expect(s.consistent).toBe(true);
    expect(s.findings.map((f) => f.id)).toEqual(['chain-fails']);
  });

  it('counts handshake errors per address and message', () => {
    const refused: Handshake = { address: 'b', error: 'connection refused' };
    const s = summarizeProbe([...times(2, good('a')), ...times(3, refused)]);
    expect(s.endpoints[1]).toEqual({
      address: 'b',
      handshakes: 3,
      chains: [],
      errors: [{ message: 'connection refused', count: 3 }],
    });
    expect(s.findings).toEqual([expect.objectContaining({ id: 'handshake-errors', severity: 'warning' })]);
    expect(summarizeProbe(times(2, refused)).findings[0]?.severity).toBe('error');
  });

  it('says when a proxy chose the addresses', () => {
    const s = summarizeProbe(times(2, good('proxy:3128')), 'http://proxy:3128');
    expect(s.findings.map((f) => f.id)).toEqual(['via-proxy']);
  });
});

describe('probe (real servers on 127.0.0.1 and 127.0.0.2, one name)', () => {
  let pki: Pki;
  let root: Issued;
  let pair: [Bound, Bound];
  const open: Bound[] = [];
  let ctx: Parameters<typeof probe>[2];
  const lookup = async () => ['127.0.0.1', '127.0.0.2'];

  beforeAll(async () => {
    pki = new Pki();
    root = pki.root('root', 'Probe Test Root');
    const int = pki.intermediate('int', 'Probe Test Issuing CA', root);
    const leaf = pki.leaf('leaf', 'probe.test', int, { ips: ['127.0.0.1'] });
    const rogue = pki.root('rogue', 'Unknown CA');
    const rogueLeaf = pki.leaf('rogue-leaf', 'probe.test', rogue);
    pair = await pairOnOnePort([leaf, int], [rogueLeaf]);
    open.push(...pair);
    // The OS store, as OpenSSL finds it: SSL_CERT_FILE (and an empty sysroot so the machine's files stay out).
    ctx = {
      env: { SSL_CERT_FILE: pki.bundle('trust', [root]) },
      platform: 'linux',
      run: runProcess,
      sysroot: pki.dir,
    };
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
  });

  it('spreads handshakes over both addresses with SNI = the name, and finds the bad one', async () => {
    const progress: number[] = [];
    const r = await probe(
      `https://probe.test:${pair[0].port}`,
      { count: 8, concurrency: 3, lookup, proxy: null, onProgress: (d) => progress.push(d) },
      ctx,
    );
    expect(r.addresses).toEqual(['127.0.0.1', '127.0.0.2']);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const four = Array(4).fill('probe.test');
    expect(pair.map((s) => s.servernames)).toEqual([four, four]);
    expect(r.succeeded).toBe(8);
    expect(r.consistent).toBe(false);
    expect(
      r.endpoints.map((e) => [e.address, e.handshakes, e.chains.map((c) => [c.count, c.ok, c.code])]),
    ).toEqual([
      ['127.0.0.1', 4, [[4, true, 'OK']]],
      ['127.0.0.2', 4, [[4, false, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']]],
    ]);
    expect(r.findings[0]?.message).toMatch(
      /^127\.0\.0\.2 serves a chain that fails: unable to get local issuer certificate; the other address serves a valid chain/,
    );
  });

  it('records an address that refuses connections', async () => {
    const r = await probe(
      `https://probe.test:${pair[0].port}`,
      { count: 4, lookup: async () => ['127.0.0.1', '127.0.0.3'], proxy: null },
      ctx,
    );
    expect(r.succeeded).toBe(2);
    expect(r.endpoints[1]?.errors?.[0]).toEqual({ message: expect.stringMatching(/refused/), count: 2 });
    expect(r.consistent).toBe(true);
    expect(r.findings.map((f) => f.id)).toEqual(['handshake-errors']);
  });

  it('probes an IP literal at that one address, without SNI', async () => {
    const r = await probe(`127.0.0.1:${pair[0].port}`, { count: 2, proxy: null }, ctx);
    expect(r.addresses).toEqual(['127.0.0.1']);
    expect(r.endpoints[0]?.chains[0]).toMatchObject({ count: 2, ok: true });
  });

  it('sees chains change from one connection to the next on a single address', async () => {
    const relay = await alternating('127.0.0.4', 0, [
      { host: '127.0.0.1', port: pair[0].port },
      { host: '127.0.0.1', port: pair[0].port },
      { host: '127.0.0.2', port: pair[1].port },
    ]);
    open.push(relay);
    const r = await probe(
      `https://probe.test:${relay.port}`,
      { count: 6, concurrency: 1, lookup: async () => ['127.0.0.4'], proxy: null },
      ctx,
    );
    expect(r.endpoints[0]?.chains.map((c) => [c.count, c.ok])).toEqual([
      [4, true],
      [2, false],
    ]);
    expect(r.findings[0]).toMatchObject({ id: 'inconsistent-address', severity: 'error' });
  });

  it('groups under the proxy when one is used, and says so', async () => {
    const proxy = await startProxy();
    try {
      const r = await probe(
        `https://127.0.0.1:${pair[0].port}`,
        { count: 3, proxy: `http://127.0.0.1:${proxy.port}` },
        ctx,
      );
      expect(r.addresses).toEqual([]);
      expect(r.target.proxy).toBe(`http://127.0.0.1:${proxy.port}`);
      expect(r.endpoints.map((e) => e.address)).toEqual([`127.0.0.1:${proxy.port}`]);
      expect(r.findings.map((f) => f.id)).toEqual(['via-proxy']);
      expect(proxy.connects).toHaveLength(3);
    } finally {
      await proxy.close();
    }
  });

  it('fails early when the name does not resolve', async () => {
    await expect(probe('https://nonexistent.invalid', { count: 1, proxy: null }, ctx)).rejects.toMatchObject({
      code: 'CONNECT',
    });
  });
});
