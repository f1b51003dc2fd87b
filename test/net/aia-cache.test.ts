/**
 * Issuers fetched over AIA are kept between runs (src/net/aia-cache.ts): against a real HTTP server that
 * counts its requests, a second chase asks nothing; what allowed a fetch is part of the key; a kept answer
 * that does not hold the issuer (planted, or another CA's) costs a fetch and nothing else; a day-old one is
 * fetched again.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Cert, parseCerts } from '../../src/core/cert.ts';
import { fetchMissingIssuers } from '../../src/net/aia.ts';
import { aiaKey, enableAiaCache } from '../../src/net/aia-cache.ts';
import { type Issued, Pki } from '../helpers/pki.ts';

const cert = (i: Issued): Cert => parseCerts(i.pem).certs[0] as Cert;

let http: Server;
let base: string;
let leaf: Cert;
let root: Issued;
let int: Issued;
let other: Issued;
let int2: Issued;
let impostor: Issued;
let leaf2: Cert;
const asked: string[] = [];
let home: string;

beforeAll(async () => {
  http = createServer((req, res) => {
    asked.push(req.url ?? '');
    const served: Record<string, Issued> = { '/int.der': int, '/root.der': root, '/int2.der': int2 };
    const body = served[req.url ?? ''] ? cert(served[req.url ?? ''] as Issued).der : null;
    if (body) res.writeHead(200, { 'content-type': 'application/pkix-cert' }).end(body);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const pki = new Pki();
  root = pki.root('root', 'AIA Cache Root');
  other = pki.root('other', 'AIA Cache Other Root');
  int = pki.intermediate('int', 'AIA Cache Issuing CA', root, { caIssuers: `${base}/root.der` });
  leaf = cert(pki.leaf('leaf', 'aia.test', int, { caIssuers: `${base}/int.der` }));
  // Without key identifiers only the signature tells an issuer from another CA with the same name.
  const bare = { keyIds: false, caIssuers: `${base}/root.der` };
  int2 = pki.intermediate('int2', 'AIA Cache Issuing CA 2', root, bare);
  impostor = pki.intermediate('impostor', 'AIA Cache Issuing CA 2', root, bare);
  leaf2 = cert(pki.leaf('leaf2', 'aia.test', int2, { keyIds: false, caIssuers: `${base}/int2.der` }));
});
afterAll(async () => {
  http.closeAllConnections();
  await new Promise((r) => http.close(r));
});
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'certifix-aia-cache-'));
  asked.length = 0;
  enableAiaCache({ HOME: home });
});
afterEach(() => {
  enableAiaCache(null);
  rmSync(home, { recursive: true, force: true });
});

const chase = (allowPrivate = true) => fetchMissingIssuers([leaf], { allowPrivate });
const kept = () => join(home, '.cache', 'certifix', 'aia-v1');
const shas = (r: Awaited<ReturnType<typeof chase>>) => r.fetched.map((f) => f.cert.sha256);

describe('issuers fetched over AIA, kept between runs', () => {
  it('are fetched once: the next chase asks the server nothing and finds the same issuers', async () => {
    const first = await chase();
    expect(shas(first)).toEqual([cert(int).sha256, cert(root).sha256]);
    expect(asked).toEqual(['/int.der', '/root.der']);
    const second = await chase();
    expect(shas(second)).toEqual(shas(first));
    expect(second.fetched.map((f) => f.url)).toEqual(first.fetched.map((f) => f.url));
    expect(asked).toHaveLength(2);
    // Said as such: the finding names them as fetched by an earlier run.
    expect(first.fetched.map((f) => f.kept ?? false)).toEqual([false, false]);
    expect(second.fetched.map((f) => f.kept)).toEqual([true, true]);
  });

  it('are keyed by what allowed the fetch: without --allow-private-aia the private address is refused', async () => {
    await chase(true);
    const refused = await chase(false);
    expect(refused.fetched).toEqual([]);
    expect(refused.errors[0]?.error).toMatch(/--allow-private-aia/);
  });

  it('are used only when they hold the issuer: a planted answer costs a fetch', async () => {
    await chase();
    for (const f of readdirSync(kept())) {
      const doc = JSON.parse(readFileSync(join(kept(), f), 'utf8'));
      doc.body = cert(other).der.toString('base64');
      writeFileSync(join(kept(), f), JSON.stringify(doc), { mode: 0o600 });
    }
    asked.length = 0;
    expect(shas(await chase())).toEqual([cert(int).sha256, cert(root).sha256]);
    expect(asked).toEqual(['/int.der', '/root.der']);
  });

  it('are used only when their signature verifies: a kept CA of the same name and no key ids costs a fetch', async () => {
    const chase2 = () => fetchMissingIssuers([leaf2], { allowPrivate: true });
    expect((await chase2()).fetched[0]?.cert.sha256).toBe(cert(int2).sha256);
    const file = join(kept(), `${aiaKey(`${base}/int2.der`, true, null).slice(0, 32)}.json`);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    doc.body = cert(impostor).der.toString('base64');
    writeFileSync(file, JSON.stringify(doc), { mode: 0o600 });
    asked.length = 0;
    expect((await chase2()).fetched[0]?.cert.sha256).toBe(cert(int2).sha256);
    expect(asked).toEqual(['/int2.der']);
  });

  it('are fetched again after a day', async () => {
    await chase();
    for (const f of readdirSync(kept())) {
      const doc = JSON.parse(readFileSync(join(kept(), f), 'utf8'));
      doc.at -= 25 * 60 * 60 * 1000;
      writeFileSync(join(kept(), f), JSON.stringify(doc), { mode: 0o600 });
    }
    asked.length = 0;
    await chase();
    expect(asked).toEqual(['/int.der', '/root.der']);
  });

  it('are not kept by a library caller that did not turn the cache on', async () => {
    enableAiaCache(null);
    await chase();
    await chase();
    expect(asked).toHaveLength(4);
    expect(existsSync(kept())).toBe(false);
  });
});
