/**
 * Go's check: what `go mod download -json` says, read into a verdict. Any answer after the handshake (a 404, a
 * website's HTML page where a module proxy's JSON was expected) means TLS verified; x509 errors stay failures.
 * Recorded outputs (go 1.19.8, and Go ≥ 1.20's "tls: failed to verify certificate:" wording), then the real
 * `go` against real local servers.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { go, goError, goVerdict } from '../../src/clients/go.ts';
import { runProcess } from '../../src/context.ts';
import type { Context } from '../../src/types.ts';
import { lacks, missing } from '../helpers/has.ts';
import { Pki } from '../helpers/pki.ts';
import { LAB_HOSTS, makeChain, Origin } from '../helpers/servers.ts';

const PROBE = 'example.com/certifix-probe@v0.0.1';
const URL_ = 'https://localhost:18600/example.com/certifix-probe/@v/v0.0.1.info';
/** go's JSON object for the probe module with this Error (as encoding/json escapes it). */
const out = (error: string) =>
  `{\n\t"Path": "example.com/certifix-probe",\n\t"Version": "v0.0.1",\n\t"Error": ${JSON.stringify(error).replace(/</g, '\\u003c').replace(/>/g, '\\u003e')}\n}\n`;

describe('goVerdict', () => {
  it.each([
    // Every path answers 200 with a page: go expected the module proxy's JSON.
    [
      `${PROBE}: invalid response from proxy "https://localhost:18600/": invalid character 'o' looking for beginning of value`,
      'OK',
    ],
    [
      `${PROBE}: invalid response from proxy "https://localhost:18600/": invalid character '<' looking for beginning of value`,
      'OK',
    ],
    [`${PROBE}: invalid response from proxy "https://localhost:18600/": unexpected end of JSON input`, 'OK'],
    [`${PROBE}: proxy returned info for version  instead of requested version`, 'OK'],
    ['zip: not a valid zip file', 'OK'],
    [`${PROBE}: reading ${URL_}: 404 Not Found\n\tserver response: not found`, 'OK'],
    [`${PROBE}: reading ${URL_}: 410 Gone\n\tserver response: gone`, 'OK'],
    [`${PROBE}: reading ${URL_}: 500 Internal Server Error\n\tserver response: x509: in a page`, 'OK'],
    [`${PROBE}: reading ${URL_}: 401 Unauthorized`, 'OK'],
    // crypto/x509 (go 1.19), and wrapped by crypto/tls (Go ≥ 1.20)
    [`${PROBE}: Get "${URL_}": x509: certificate signed by unknown authority`, 'VERIFY_FAILED'],
    [
      `${PROBE}: Get "${URL_}": tls: failed to verify certificate: x509: certificate signed by unknown authority`,
      'VERIFY_FAILED',
    ],
    [
      `${PROBE}: Get "${URL_}": x509: certificate is valid for other.test, not localhost`,
      'HOSTNAME_MISMATCH',
    ],
    [
      `${PROBE}: Get "${URL_}": tls: failed to verify certificate: x509: certificate is not valid for any names, but wanted to match localhost`,
      'HOSTNAME_MISMATCH',
    ],
    [
      `${PROBE}: Get "${URL_}": x509: certificate has expired or is not yet valid: current time 2026-12-01T00:00:00Z is after 2026-11-01T00:00:00Z`,
      'CERT_HAS_EXPIRED',
    ],
    // No HTTP answer: nothing was verified.
    [`${PROBE}: Get "${URL_}": dial tcp 127.0.0.1:18600: connect: connection refused`, 'CONNECT'],
    [
      `${PROBE}: Get "https://nosuch.invalid/x": dial tcp: lookup nosuch.invalid on 10.0.0.53:53: no such host`,
      'CONNECT',
    ],
    [
      `${PROBE}: Get "${URL_}": proxyconnect tcp: dial tcp 127.0.0.1:3128: connect: connection refused`,
      'CONNECT',
    ],
    [`${PROBE}: Get "${URL_}": net/http: TLS handshake timeout`, 'UNKNOWN'],
    [`${PROBE}: Get "${URL_}": tls: first record does not look like a TLS handshake`, 'UNKNOWN'],
    [`${PROBE}: Get "${URL_}": http: server gave HTTP response to HTTPS client`, 'UNKNOWN'],
    [`${PROBE}: Get "${URL_}": Forbidden`, 'UNKNOWN'], // the proxy refused the CONNECT
    [`${PROBE}: Get ${URL_}: EOF`, 'UNKNOWN'], // before Go 1.14: no quotes
    // go failed before it dialled: nothing was verified
    [`${PROBE}: invalid proxy URL missing scheme: b`, 'UNKNOWN'],
    [`${PROBE}: module lookup disabled by GOPROXY=off`, 'UNKNOWN'],
  ])('%s → %s', (error, code) => {
    const v = goVerdict(out(error), 1);
    expect(v.code).toBe(code);
    expect(v.ok).toBe(code === 'OK');
    // The line quoted is go's own error, unescaped, without the server's response under it.
    if (!v.ok) expect(v.printed).toBe(error.split('\n')[0]);
  });

  it('reads the Error field, escapes and all, not the last line of the JSON', () => {
    expect(goError(out(`a "quoted" <b> 'x'\n\tserver response: y`))).toBe(`a "quoted" <b> 'x'`);
    expect(goError('go: no JSON here')).toBeUndefined();
  });

  it('a run that printed no Error is judged by its exit code, quoting its last line', () => {
    expect(goVerdict('{\n\t"Path": "x"\n}\n', 0)).toMatchObject({ ok: true });
    expect(goVerdict('\ncertifix stopped /usr/bin/go after 30 s: it had not finished', null)).toEqual({
      ok: false,
      code: 'UNKNOWN',
      message: 'go failed',
      printed: 'certifix stopped /usr/bin/go after 30 s: it had not finished',
    });
  });
});

const listen = (server: Server) =>
  new Promise<number>((r) =>
    server.listen(0, '127.0.0.1', () => r((server.address() as { port: number }).port)),
  );

describe.skipIf(lacks('go'))(`go check against real servers ${missing('go')}`, () => {
  const pki = new Pki();
  const chain = makeChain(pki, 'go', 'Go Lab');
  const page = '<!doctype html><title>Intranet</title><p>Welcome</p>\n';
  const origins: Record<string, Origin> = {};
  let notTls: Server;
  let notTlsPort = 0;
  let closedPort = 0;

  const answering = (status: number, type: string, body: string) =>
    Origin.start({
      chain,
      handle: (_req, res) => {
        res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
        res.end(body);
        return true;
      },
    });

  beforeAll(async () => {
    const other = pki.leaf('go-other', 'other.test', chain.intermediate);
    const expired = pki.leaf('go-expired', 'localhost', chain.intermediate, {
      ...LAB_HOSTS,
      notBeforeDays: -30,
      notAfterDays: -1,
    });
    const [html, text, status, module, mismatch, old] = await Promise.all([
      answering(200, 'text/html', page),
      answering(200, 'text/plain', 'ok\n'),
      answering(500, 'text/plain', 'boom\n'),
      Origin.start({ chain }),
      Origin.start({ chain, serve: [other, chain.intermediate] }),
      Origin.start({ chain, serve: [expired, chain.intermediate] }),
    ]);
    Object.assign(origins, { html, text, status, module, mismatch, old });
    // A server that does not speak TLS: go's handshake never starts.
    notTls = createServer((s) => {
      s.on('error', () => {});
      s.end('garbage\r\n\r\n');
    });
    notTlsPort = await listen(notTls);
    // A port that was free a moment ago: nothing listens there.
    const gone = createServer();
    closedPort = await listen(gone);
    await new Promise((r) => gone.close(r));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(Object.values(origins).map((o) => o.close()));
    notTls?.close();
  });

  /** A clean environment: a temporary HOME (no go env file), none of this machine's CA variables or GO* settings. */
  function ctx(extra: Record<string, string> = {}): Context {
    const home = mkdtempSync(join(tmpdir(), 'certifix-home-'));
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, ...extra };
    return { env, home, cwd: home, platform: process.platform, run: runProcess };
  }
  const trusted = () => ctx({ SSL_CERT_FILE: chain.root.certPath });
  const verdict = async (url: string, c: Context) => {
    const [inst] = await go.detect(c);
    if (!inst) throw new Error('go not detected');
    return go.check(inst, url, c);
  };

  it('a website (an HTML page on every path), a text page, a 500 and a 404: verified', async () => {
    const c = trusted();
    for (const o of ['html', 'text', 'status', 'module']) {
      const v = await verdict((origins[o] as Origin).url, c);
      expect(v, `${o}: ${JSON.stringify(v)}`).toEqual({ ok: true, code: 'OK', message: 'ok' });
      expect((origins[o] as Origin).hits).toContain('GET /example.com/certifix-probe/@v/v0.0.1.info');
    }
  }, 60_000);

  it('the same website with its root untrusted: VERIFY_FAILED, quoting x509', async () => {
    const v = await verdict((origins.html as Origin).url, ctx());
    expect(v).toMatchObject({ ok: false, code: 'VERIFY_FAILED' });
    expect(v.printed).toMatch(
      /^example\.com\/certifix-probe@v0\.0\.1: Get "https:\/\/localhost:\d+\/.*": .*x509: certificate signed by unknown authority$/,
    );
  }, 60_000);

  it('a certificate for another name, an expired one: their own codes', async () => {
    const c = trusted();
    const mismatch = await verdict((origins.mismatch as Origin).url, c);
    expect(mismatch).toMatchObject({ ok: false, code: 'HOSTNAME_MISMATCH' });
    expect(mismatch.printed).toMatch(/x509: certificate is valid for other\.test, not localhost$/);
    const old = await verdict((origins.old as Origin).url, c);
    expect(old).toMatchObject({ ok: false, code: 'CERT_HAS_EXPIRED' });
    expect(old.printed).toMatch(/x509: certificate has expired or is not yet valid/);
  }, 60_000);

  it('no TLS server, or nothing listening: never verified', async () => {
    const c = trusted();
    const garbage = await verdict(`https://localhost:${notTlsPort}/`, c);
    expect(garbage).toMatchObject({ ok: false, code: 'UNKNOWN' });
    expect(garbage.printed).toMatch(/tls: /);
    const refused = await verdict(`https://127.0.0.1:${closedPort}/`, c);
    expect(refused).toMatchObject({ ok: false, code: 'CONNECT' });
    expect(refused.printed).toMatch(/connection refused$/);
  }, 60_000);
});
