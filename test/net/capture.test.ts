import type { SecureVersion } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureChain } from '../../src/net/capture.ts';
import type { Issued } from '../helpers/pki.ts';
import { fingerprints, makePki, type NetPki } from './fixtures.ts';
import { type Running, startTls } from './servers.ts';

let p: NetPki;
const open: Running[] = [];
beforeAll(() => {
  p = makePki();
});
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
});

async function serve(key: Issued, chain: Issued[], opts: Parameters<typeof startTls>[2] = {}) {
  const s = await startTls(
    key.keyPem,
    chain.map((c) => c.pem),
    opts,
  );
  open.push(s);
  return s;
}

const versions: [SecureVersion, 'TLSv1.2' | 'TLSv1.3'][] = [
  ['TLSv1.2', 'TLSv1.2'],
  ['TLSv1.3', 'TLSv1.3'],
];

describe.each(versions)('server limited to %s', (version, expected) => {
  const only = { minVersion: version, maxVersion: version };
  const chains: [string, (p: NetPki) => Issued[]][] = [
    ['leaf + intermediate', (p) => [p.leaf, p.int]],
    ['leaf only', (p) => [p.leaf]],
    ['the root included', (p) => [p.leaf, p.int, p.root]],
    ['an unrelated extra cert', (p) => [p.leaf, p.int, p.extra]],
    ['misordered (root before intermediate)', (p) => [p.leaf, p.root, p.int]],
    ['a duplicated intermediate', (p) => [p.leaf, p.int, p.int]],
    ['an RSA leaf', (p) => [p.rsaLeaf, p.int]],
    ['a leaf larger than a record', (p) => [p.bigLeaf, p.int, p.root]],
  ];
  it.each(chains)('records exactly what is sent: %s', async (_name, pick) => {
    const chain = pick(p);
    const srv = await serve(chain[0] as Issued, chain, only);
    const got = await captureChain({ url: '', host: 'localhost', port: srv.port }, { timeoutMs: 5000 });
    expect(got.certs.map((c) => c.sha256)).toEqual(fingerprints(chain));
    expect(got).toMatchObject({ protocol: expected, faithful: true, address: `127.0.0.1:${srv.port}` });
  });

  it('sends SNI for names, none for IP literals, and honours servername', async () => {
    const srv = await serve(p.leaf, [p.leaf, p.int], only);
    await captureChain({ url: '', host: 'localhost', port: srv.port });
    await captureChain({ url: '', host: '127.0.0.1', port: srv.port });
    await captureChain(`localhost:${srv.port}`, { servername: 'other.example' });
    expect(srv.servernames).toEqual(['localhost', 'other.example']);
  });

  it('reports the ALPN protocol the server picked', async () => {
    const srv = await serve(p.leaf, [p.leaf, p.int], { ...only, ALPNProtocols: ['http/1.1'] });
    const got = await captureChain({ url: '', host: 'localhost', port: srv.port });
    expect(got.alpn).toBe('http/1.1');
    const none = await captureChain({ url: '', host: 'localhost', port: srv.port }, { alpn: [] });
    expect(none.alpn).toBeUndefined();
  });
});

describe('TLS 1.3 key exchange and suites', () => {
  const tls13 = { minVersion: 'TLSv1.3' as const };
  it.each([
    ['X25519', undefined],
    ['P-256', true],
    ['P-384', true],
  ])('ecdhCurve %s (HelloRetryRequest: %s)', async (curve, hrr) => {
    const srv = await serve(p.leaf, [p.leaf, p.int], { ...tls13, ecdhCurve: curve });
    const got = await captureChain({ url: '', host: 'localhost', port: srv.port });
    expect(got.certs.map((c) => c.sha256)).toEqual(fingerprints([p.leaf, p.int]));
    expect(got.protocol).toBe('TLSv1.3');
    expect(got.helloRetry).toBe(hrr);
  });

  it('skips the retry when the first key share already fits', async () => {
    const srv = await serve(p.leaf, [p.leaf, p.int], { ...tls13, ecdhCurve: 'P-256' });
    const got = await captureChain(
      { url: '', host: 'localhost', port: srv.port },
      { keyShares: ['x25519', 'secp256r1'] },
    );
    expect(got.helloRetry).toBeUndefined();
    expect(got.certs).toHaveLength(2);
  });

  it.each(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'])(
    'decrypts the Certificate under %s',
    async (suite) => {
      const srv = await serve(p.rsaLeaf, [p.rsaLeaf, p.int, p.root], { ...tls13, ciphers: suite });
      const got = await captureChain({ url: '', host: 'localhost', port: srv.port });
      expect(got.cipher).toBe(suite);
      expect(got.certs.map((c) => c.sha256)).toEqual(fingerprints([p.rsaLeaf, p.int, p.root]));
    },
  );

  it('follows a HelloRetryRequest under SHA-384 with a large certificate', async () => {
    const srv = await serve(p.bigLeaf, [p.bigLeaf, p.int], {
      ...tls13,
      ecdhCurve: 'P-384',
      ciphers: 'TLS_AES_256_GCM_SHA384',
    });
    const got = await captureChain({ url: '', host: 'localhost', port: srv.port });
    expect(got).toMatchObject({ helloRetry: true, cipher: 'TLS_AES_256_GCM_SHA384' });
    expect(got.certs.map((c) => c.sha256)).toEqual(fingerprints([p.bigLeaf, p.int]));
  });
});
