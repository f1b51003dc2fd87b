import { execFileSync } from 'node:child_process';
import { createServer, get, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cert, certFromDer, parseCerts } from '../../src/core/cert.ts';
import { verifyChain } from '../../src/core/verify/index.ts';
import { aiaUrls, fetchMissingIssuers, parseIssuerResponse } from '../../src/net/aia.ts';
import { captureChain } from '../../src/net/capture.ts';
import { isPrivateAddress } from '../../src/net/http-get.ts';
import { parseProxyUrl } from '../../src/net/proxy.ts';
import { type Issued, Pki } from '../helpers/pki.ts';
import { type Running, startTls } from './servers.ts';

const cert = (i: Issued): Cert => parseCerts(i.pem).certs[0] as Cert;
const der = (i: Issued) => cert(i).der;

let http: Server;
let base: string;
let pki: Pki;
let root: Issued;
let int: Issued;
let other: Issued;
const leaves: Record<string, Cert> = {};
const open: Running[] = [];
const proxied: string[] = [];
let proxy: Server;

/** Routes of the fake CA web server: path → [content-type, body] or a behaviour. */
const routes: Record<string, (res: ServerResponse) => void> = {};

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

beforeAll(async () => {
  http = createServer((req, res) => {
    const route = routes[req.url ?? ''];
    if (route) route(res);
    else res.writeHead(404).end();
  });
  base = `http://127.0.0.1:${await listen(http)}`;
  pki = new Pki();
  root = pki.root('root', 'AIA Test Root');
  int = pki.intermediate('int', 'AIA Test Issuing CA', root, { caIssuers: `${base}/root.der` });
  other = pki.root('other', 'Some Other CA');
  const p7 = execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', int.certPath, '-outform', 'DER']);
  const p7pem = execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', int.certPath]);
  const serve = (type: string, body: Buffer | string) => (res: ServerResponse) =>
    res.writeHead(200, { 'content-type': type }).end(body);
  const table: typeof routes = {
    '/root.der': serve('application/pkix-cert', der(root)),
    '/int.der': serve('application/octet-stream', der(int)),
    '/int.pem': serve('text/plain', int.pem),
    '/int.p7c': serve('application/pkcs7-mime', p7),
    '/int.p7pem': serve('text/plain', p7pem),
    '/wrong.der': serve('application/pkix-cert', der(other)),
    '/garbage': serve('text/html', '<html>not here</html>'),
    '/big': serve('application/pkix-cert', Buffer.alloc(2 * 1024 * 1024, 0x30)),
    '/slow': () => {}, // never answers
    '/r1': (res) => res.writeHead(302, { location: '/r2' }).end(),
    '/r2': (res) => res.writeHead(301, { location: `${base}/r3` }).end(),
    '/r3': (res) => res.writeHead(307, { location: '/int.der' }).end(),
    '/r0': (res) => res.writeHead(302, { location: '/r1' }).end(),
    '/to-https': (res) => res.writeHead(302, { location: 'https://127.0.0.1/int.der' }).end(),
  };
  Object.assign(routes, table);
  const paths = ['int.der', 'int.pem', 'int.p7c', 'int.p7pem', 'wrong.der', 'garbage', 'big', 'slow', 'r1'];
  for (const p of [...paths, 'r0', 'to-https', 'missing']) {
    leaves[p] = cert(pki.leaf(`leaf-${p}`, 'aia.test', int, { caIssuers: `${base}/${p}` }));
  }
  leaves.https = cert(pki.leaf('leaf-https', 'aia.test', int, { caIssuers: 'https://127.0.0.1/int.der' }));
  // A forward proxy answering absolute-form GETs, as corporate proxies do for plain http.
  proxy = createServer((req, res) => {
    proxied.push(req.url ?? '');
    get(req.url ?? '', (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    }).on('error', () => res.writeHead(502).end());
  });
  await listen(proxy);
});

afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
  http.closeAllConnections();
  proxy.closeAllConnections();
  await Promise.all([http, proxy].map((s) => new Promise((r) => s.close(r))));
});

const local = { allowPrivate: true };

describe('aiaUrls', () => {
  it('reads the caIssuers URI, and nothing from a certificate without AIA', () => {
    expect(aiaUrls(leaves['int.der'] as Cert)).toEqual([`${base}/int.der`]);
    expect(aiaUrls(cert(root))).toEqual([]);
  });
});

describe('fetchMissingIssuers', () => {
  it.each(['int.der', 'int.pem', 'int.p7c', 'int.p7pem'])(
    'fetches and verifies the issuer from %s, then its root',
    async (p) => {
      const got = await fetchMissingIssuers([leaves[p] as Cert], local);
      expect(got.errors).toEqual([]);
      expect(got.fetched.map((f) => f.url)).toEqual([`${base}/${p}`, `${base}/root.der`]);
      expect(got.fetched.map((f) => f.cert.sha256)).toEqual([cert(int).sha256, cert(root).sha256]);
    },
  );

  it('stops at an anchor and at maxDepth', async () => {
    const intSha = cert(int).sha256;
    const anchored = await fetchMissingIssuers([leaves['int.der'] as Cert], {
      ...local,
      isAnchored: (c) => c.sha256 === intSha,
    });
    expect(anchored.fetched.map((f) => f.cert.sha256)).toEqual([intSha]);
    const shallow = await fetchMissingIssuers([leaves['int.der'] as Cert], { ...local, maxDepth: 1 });
    expect(shallow.fetched).toHaveLength(1);
  });

  it('does nothing when the served chain already reaches a self-signed root', async () => {
    const got = await fetchMissingIssuers([leaves['int.der'] as Cert, cert(root), cert(int)], local);
    expect(got).toEqual({ fetched: [], errors: [] });
  });

  it('completes a leaf-only chain captured from a real TLS server so that it verifies', async () => {
    const leaf = pki.leaf('served', 'localhost', int, { caIssuers: `${base}/int.der`, ips: ['127.0.0.1'] });
    const srv = await startTls(leaf.keyPem, [leaf.pem]);
    open.push(srv);
    const captured = await captureChain(`localhost:${srv.port}`, { timeoutMs: 5000 });
    expect(captured.certs).toHaveLength(1);
    const trusted = [cert(root)];
    const input = {
      leaf: captured.certs[0] as Cert,
      trusted,
      host: 'localhost',
      profile: 'openssl' as const,
    };
    expect(verifyChain({ ...input, untrusted: [] }).code).toBe('UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    const rootSha = cert(root).sha256;
    const got = await fetchMissingIssuers(captured.certs, {
      ...local,
      isAnchored: (c) => c.issuer === cert(root).subject || c.sha256 === rootSha,
    });
    expect(got.fetched.map((f) => f.cert.sha256)).toEqual([cert(int).sha256]);
    expect(verifyChain({ ...input, untrusted: got.fetched.map((f) => f.cert) }).ok).toBe(true);
  });

  it('follows up to 3 redirects, not 4, and never to https', async () => {
    expect((await fetchMissingIssuers([leaves.r1 as Cert], { ...local, maxDepth: 1 })).fetched).toHaveLength(
      1,
    );
    const four = await fetchMissingIssuers([leaves.r0 as Cert], local);
    expect(four.fetched).toEqual([]);
    expect(four.errors[0]?.error).toMatch(/more than 3 redirects/);
    const https = await fetchMissingIssuers([leaves['to-https'] as Cert], local);
    expect(https.errors[0]?.error).toMatch(/only http:\/\/ is fetched/);
  });

  it('refuses https caIssuers URLs and says why', async () => {
    const got = await fetchMissingIssuers([leaves.https as Cert], local);
    expect(got.errors).toEqual([
      { url: 'https://127.0.0.1/int.der', error: expect.stringMatching(/https.*not followed/) },
    ]);
  });

  it('refuses loopback and private destinations unless allowed', async () => {
    const got = await fetchMissingIssuers([leaves['int.der'] as Cert]);
    expect(got.fetched).toEqual([]);
    expect(got.errors[0]?.error).toBe(
      'refused the private address 127.0.0.1 — pass --allow-private-aia to fetch from it',
    );
  });

  it.each([
    ['wrong.der', /Some Other CA.*did not issue/],
    ['garbage', /neither a DER or PEM certificate nor PKCS#7/],
    ['missing', /HTTP 404/],
    ['big', /over the 1048576-byte limit/],
  ])('reports %s as an error', async (p, message) => {
    const got = await fetchMissingIssuers([leaves[p] as Cert], local);
    expect(got.fetched).toEqual([]);
    expect(got.errors).toEqual([{ url: `${base}/${p}`, error: expect.stringMatching(message) }]);
  });

  it('aborts a body over maxBytes even without Content-Length, and times out', async () => {
    routes['/big'] = (res) => {
      res.writeHead(200);
      res.write(Buffer.alloc(4096));
      res.end(Buffer.alloc(4096));
    };
    const big = await fetchMissingIssuers([leaves.big as Cert], { ...local, maxBytes: 5000 });
    expect(big.errors[0]?.error).toMatch(/over the 5000-byte limit/);
    const started = Date.now();
    const slow = await fetchMissingIssuers([leaves.slow as Cert], { ...local, timeoutMs: 300 });
    expect(slow.errors[0]?.error).toMatch(/no complete answer within 300 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a certificate naming 50 slow URLs: at most 4 tried, all within one deadline', async () => {
    const urls = Array.from({ length: 50 }, (_, i) => `${base}/stall${i}`);
    for (let i = 0; i < 50; i++) routes[`/stall${i}`] = () => {}; // never answers
    const ext = `authorityInfoAccess=${urls.map((u) => `caIssuers;URI:${u}`).join(',')}`;
    const leaf = cert(pki.leaf('leaf-stall', 'aia.test', int, { extraExt: [ext] }));
    expect(aiaUrls(leaf)).toHaveLength(50);
    const started = Date.now();
    const got = await fetchMissingIssuers([leaf], { ...local, timeoutMs: 5000, deadline: started + 1000 });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(2000);
    expect(got.fetched).toEqual([]);
    expect(got.errors[0]?.error).toMatch(/no complete answer within \d+ ms/);
    expect(got.errors.slice(1, 4).map((e) => e.error)).toEqual(
      Array(3).fill('not fetched: the time allowed for AIA fetches ran out'),
    );
    expect(got.errors[4]).toEqual({
      url: urls[4],
      error: '46 more caIssuers URL(s) of CN=aia.test not tried (at most 4 per certificate)',
    });
  });

  it('goes through an HTTP proxy with an absolute-form GET', async () => {
    const port = (proxy.address() as AddressInfo).port;
    const got = await fetchMissingIssuers([leaves['int.pem'] as Cert], {
      ...local,
      proxy: parseProxyUrl(`http://127.0.0.1:${port}`, 'explicit'),
    });
    expect(got.fetched).toHaveLength(2);
    expect(proxied).toEqual([`${base}/int.pem`, `${base}/root.der`]);
  });
});

describe('isPrivateAddress', () => {
  it.each([
    ['127.0.0.2', true],
    ['10.1.2.3', true],
    ['172.31.0.1', true],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['::1', true],
    ['fe80::1', true],
    ['fd00::1', true],
    ['::ffff:127.0.0.1', true],
    ['8.8.8.8', false],
    ['172.32.0.1', false],
    ['2606:4700::1111', false],
  ])('%s → %s', (ip, expected) => {
    expect(isPrivateAddress(ip)).toBe(expected);
  });
});

describe('parseIssuerResponse', () => {
  it('rejects bytes that are no certificate', () => {
    expect(() => parseIssuerResponse(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00]))).toThrow(/neither/);
    expect(certFromDer(der(root)).sha256).toBe(cert(root).sha256);
  });
});
