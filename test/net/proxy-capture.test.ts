import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureChain } from '../../src/net/capture.ts';
import { openTunnel } from '../../src/net/connect.ts';
import { parseProxyUrl } from '../../src/net/proxy.ts';
import { fingerprints, makePki, type NetPki } from './fixtures.ts';
import { closedPort, type Running, startProxy, startTls, type TlsServer } from './servers.ts';

let p: NetPki;
let tls12: TlsServer;
let tls13: TlsServer;
const open: Running[] = [];
beforeAll(async () => {
  p = makePki();
  const chain = [p.leaf.pem, p.int.pem, p.root.pem];
  tls12 = await startTls(p.leaf.keyPem, chain, { maxVersion: 'TLSv1.2' });
  tls13 = await startTls(p.leaf.keyPem, chain, { minVersion: 'TLSv1.3', ecdhCurve: 'P-256' });
  open.push(tls12, tls13);
});
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
});

async function proxy(opts: Parameters<typeof startProxy>[0] = {}) {
  const s = await startProxy(opts);
  open.push(s);
  return s;
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string; hint?: string }> {
  try {
    await promise;
  } catch (e) {
    return e as { code: string; message: string; hint?: string };
  }
  throw new Error('expected a failure');
}

describe('capture through an HTTP CONNECT proxy', () => {
  it.each([
    ['TLS 1.2', () => tls12, 'TLSv1.2'],
    ['TLS 1.3 with HelloRetryRequest', () => tls13, 'TLSv1.3'],
  ])('%s', async (_name, server, protocol) => {
    const px = await proxy();
    const cfg = parseProxyUrl(`http://127.0.0.1:${px.port}`, 'HTTPS_PROXY');
    const got = await captureChain({ url: '', host: 'localhost', port: server().port }, { proxy: cfg });
    expect(got.certs.map((c) => c.sha256)).toEqual(fingerprints([p.leaf, p.int, p.root]));
    expect(got).toMatchObject({
      protocol,
      faithful: true,
      address: `127.0.0.1:${px.port}`,
      via: `http://127.0.0.1:${px.port}`,
    });
    expect(px.connects).toEqual([`localhost:${server().port}`]);
    expect(server().servernames.at(-1)).toBe('localhost');
  });

  it('sends Basic credentials from the proxy URL', async () => {
    const px = await proxy({ credentials: 'dom\\user:p@ss' });
    const cfg = parseProxyUrl(`http://dom%5Cuser:p%40ss@127.0.0.1:${px.port}`, 'explicit');
    const got = await captureChain({ url: '', host: '127.0.0.1', port: tls12.port }, { proxy: cfg });
    expect(got.certs).toHaveLength(3);
  });

  it('407 without credentials is a PROXY error with the status line', async () => {
    const px = await proxy({ credentials: 'u:p' });
    const cfg = parseProxyUrl(`http://127.0.0.1:${px.port}`, 'HTTPS_PROXY');
    const err = await failure(captureChain({ url: '', host: 'localhost', port: tls12.port }, { proxy: cfg }));
    expect(err.code).toBe('PROXY');
    expect(err.message).toContain('HTTP/1.1 407 Proxy Authentication Required');
    expect(err.hint).toMatch(/user:password@/);
  });

  it.each([
    ['403 Forbidden', '403 Forbidden'],
    ['502 Bad Gateway', '502 Bad Gateway'],
  ])('a proxy answering %s is a PROXY error', async (refuse, status) => {
    const px = await proxy({ refuse });
    const cfg = parseProxyUrl(`127.0.0.1:${px.port}`, 'HTTPS_PROXY');
    const err = await failure(captureChain({ url: '', host: 'localhost', port: tls12.port }, { proxy: cfg }));
    expect(err).toMatchObject({ code: 'PROXY' });
    expect(err.message).toBe(
      `proxy http://127.0.0.1:${px.port} refused CONNECT localhost:${tls12.port}: HTTP/1.1 ${status}`,
    );
  });

  it('a real upstream failure behind the proxy surfaces as its 502', async () => {
    const px = await proxy();
    const cfg = parseProxyUrl(`127.0.0.1:${px.port}`, 'HTTPS_PROXY');
    const dead = await closedPort();
    const err = await failure(captureChain({ url: '', host: '127.0.0.1', port: dead }, { proxy: cfg }));
    expect(err).toMatchObject({ code: 'PROXY' });
    expect(err.message).toContain('502');
  });

  it('an unreachable proxy is a PROXY error', async () => {
    const dead = await closedPort();
    const cfg = parseProxyUrl(`http://127.0.0.1:${dead}`, 'HTTPS_PROXY');
    const err = await failure(captureChain({ url: '', host: 'localhost', port: tls12.port }, { proxy: cfg }));
    expect(err.code).toBe('PROXY');
    expect(err.message).toMatch(/refused.*proxy is unreachable/);
    expect(err.message).not.toContain('\n');
    // the hint names where the proxy came from, and the way around it
    expect(err.hint).toBe(
      'the proxy comes from HTTPS_PROXY: start it, or connect directly with --no-proxy (or unset HTTPS_PROXY)',
    );
    const given = parseProxyUrl(`http://127.0.0.1:${dead}`, 'explicit');
    const err2 = await failure(
      captureChain({ url: '', host: 'localhost', port: tls12.port }, { proxy: given }),
    );
    expect(err2.hint).toBe('check the --proxy URL, or leave it out to connect directly');
  });

  it('openTunnel returns a socket speaking to the origin, with IPv6-safe authority', async () => {
    const px = await proxy();
    const cfg = parseProxyUrl(`http://127.0.0.1:${px.port}`, 'explicit');
    const sock: Socket = await openTunnel(cfg, '127.0.0.1', tls12.port);
    expect(sock.writable).toBe(true);
    sock.destroy();
    await failure(openTunnel(cfg, '::1', 1));
    expect(px.connects.at(-1)).toBe('[::1]:1');
  });
});
