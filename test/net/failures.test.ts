import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureChain } from '../../src/net/capture.ts';
import { fingerprints, makePki, type NetPki } from './fixtures.ts';
import { closedPort, type Running, startRaw, startTls } from './servers.ts';

let p: NetPki;
const open: Running[] = [];
beforeAll(() => {
  p = makePki();
});
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
});

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string; hint?: string }> {
  try {
    await promise;
  } catch (e) {
    return e as { code: string; message: string; hint?: string };
  }
  throw new Error('expected a failure');
}

/** A peer that answers any ClientHello with one fatal TLS alert record. */
async function alertServer(description: number): Promise<Running> {
  const s = await startRaw((sock) =>
    sock.once('data', () => sock.end(Buffer.from([21, 3, 3, 0, 2, 2, description]))),
  );
  open.push(s);
  return s;
}

describe('failures, in the user\u2019s words', () => {
  it('an HTTP server on the port is NOT_TLS', async () => {
    const http = createHttpServer((_q, r) => r.end('hello'));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const port = (http.address() as AddressInfo).port;
    const err = await failure(captureChain({ url: '', host: '127.0.0.1', port }));
    http.close();
    expect(err.code).toBe('NOT_TLS');
    expect(err.message).toMatch(
      /^127\.0\.0\.1:\d+ did not answer with TLS \(is it an https port\?\): it sent "HTTP\/1\.1 400/,
    );
  });

  it('a refused port is CONNECT', async () => {
    const port = await closedPort();
    const err = await failure(captureChain({ url: '', host: '127.0.0.1', port }));
    expect(err).toMatchObject({ code: 'CONNECT', message: `connection to 127.0.0.1:${port} refused` });
  });

  it('an unknown host is CONNECT', async () => {
    const err = await failure(captureChain('no-such-host.invalid', { timeoutMs: 3000 }));
    expect(err.code).toBe('CONNECT');
    expect(err.message).toMatch(/no-such-host\.invalid/);
  });

  it('a silent peer times out as CONNECT', async () => {
    const s = await startRaw(() => {});
    open.push(s);
    const started = Date.now();
    const err = await failure(captureChain({ url: '', host: '127.0.0.1', port: s.port }, { timeoutMs: 300 }));
    expect(err.code).toBe('CONNECT');
    expect(err.message).toMatch(/did not complete a TLS handshake within 300 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a fatal unrecognized_name alert is reported with an SNI hint', async () => {
    const s = await alertServer(112);
    const err = await failure(captureChain({ url: '', host: 'localhost', port: s.port }));
    expect(err).toMatchObject({ code: 'CONNECT' });
    expect(err.message).toBe(
      `localhost:${s.port} the server ended the handshake with alert unrecognized_name`,
    );
    expect(err.hint).toMatch(/SNI/);
  });

  it('handshake_failure that node:tls also gets reports the first error', async () => {
    const s = await alertServer(40);
    const err = await failure(captureChain({ url: '', host: 'localhost', port: s.port }));
    expect(err).toMatchObject({ code: 'CONNECT' });
    expect(err.message).toContain('alert handshake_failure');
  });

  it('a peer that hangs up on the hello is CONNECT', async () => {
    const s = await startRaw((sock) => sock.once('data', () => sock.destroy()));
    open.push(s);
    const err = await failure(captureChain({ url: '', host: '127.0.0.1', port: s.port }));
    expect(err.code).toBe('CONNECT');
    expect(err.message).toMatch(/closed the connection without answering our TLS hello/);
  });
});

describe('fallback to node:tls when our hello is the problem', () => {
  // X448 only: a group OpenSSL clients offer and our hello does not, so the server refuses us.
  it.each(['TLSv1.2', 'TLSv1.3'] as const)('%s server with ecdhCurve X448', async (version) => {
    const s = await startTls(p.leaf.keyPem, [p.leaf.pem, p.int.pem], {
      minVersion: version,
      maxVersion: version,
      ecdhCurve: 'X448',
    });
    open.push(s);
    const got = await captureChain({ url: '', host: 'localhost', port: s.port });
    expect(got).toMatchObject({ protocol: version, faithful: false });
    expect(got.certs.map((c) => c.sha256)).toEqual(fingerprints([p.leaf, p.int]));
    const err = await failure(
      captureChain({ url: '', host: 'localhost', port: s.port }, { fallback: false }),
    );
    expect(err.message).toContain('handshake_failure');
  });

  it('does not pick up locally trusted roots (ca: [] really empties the store)', async () => {
    const s = await startTls(p.leaf.keyPem, [p.leaf.pem, p.int.pem], { ecdhCurve: 'X448' });
    open.push(s);
    const capture = fileURLToPath(new URL('../../src/net/capture.ts', import.meta.url));
    const script = join(p.pki.dir, 'child.mts');
    writeFileSync(
      script,
      [
        "import { connect } from 'node:tls';",
        `import { captureChain } from ${JSON.stringify(capture)};`,
        `const got = await captureChain({ url: '', host: 'localhost', port: ${s.port} });`,
        // Control: plain node:tls in the same process does append the root from NODE_EXTRA_CA_CERTS.
        'const plain = await new Promise((resolve) => {',
        `  const c = connect({ host: '127.0.0.1', port: ${s.port}, servername: 'localhost', rejectUnauthorized: false }, () => {`,
        '    const out = []; const seen = new Set();',
        '    for (let x = c.getPeerCertificate(true); x?.raw && !seen.has(x); x = x.issuerCertificate) { seen.add(x); out.push(x.fingerprint256); }',
        '    c.destroy(); resolve(out);',
        '  });',
        '});',
        'console.log(JSON.stringify({ faithful: got.faithful, certs: got.certs.map((c) => c.sha256), plain: plain.length }));',
      ].join('\n'),
    );
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: p.root.certPath },
    });
    const out = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
    expect(out.plain).toBe(3); // leaf, intermediate + the locally trusted root
    expect(out).toMatchObject({ faithful: false, certs: fingerprints([p.leaf, p.int]) });
  });
});
