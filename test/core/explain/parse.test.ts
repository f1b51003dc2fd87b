import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ErrorClient, parseError, type VerifyCode } from '../../../src/core/explain/index.ts';

const DIR = join(import.meta.dirname, '../../fixtures/errors');
const read = (file: string) => readFileSync(join(DIR, file), 'utf8');

/** What capture.ts recorded: which client, which server case, on which port. */
interface Captured {
  file: string;
  client: string;
  case: string;
  port: number;
}
const captured = JSON.parse(read('captured.json')) as Captured[];

/** The capture's client names → the tool certifix says printed it. */
const TOOL: Record<string, ErrorClient> = {
  requests: 'python-requests',
  urllib: 'python-urllib',
  httpx: 'python-httpx',
  aiohttp: 'python-aiohttp',
  pip: 'pip',
  pip26: 'pip',
  curl: 'curl',
  'curl-v': 'curl',
  git: 'git',
  'node-fetch': 'node',
  'node-https': 'node',
  npm: 'npm',
  java: 'java',
};

/** What each server case is, in OpenSSL's terms (as Node reports it). */
const BY_CASE: Record<string, VerifyCode> = {
  'self-signed-chain': 'SELF_SIGNED_CERT_IN_CHAIN',
  'local-issuer': 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'leaf-only': 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'self-signed-leaf': 'DEPTH_ZERO_SELF_SIGNED_CERT',
  expired: 'CERT_HAS_EXPIRED',
  hostname: 'HOSTNAME_MISMATCH',
};

/** Where a client's own words differ from the case (all seen in the captured output). */
function expectedCode(client: string, kase: string): VerifyCode {
  const untrusted = ['self-signed-chain', 'local-issuer', 'leaf-only', 'self-signed-leaf'].includes(kase);
  // Debian's git (GnuTLS) says "server certificate verification failed" for every chain problem.
  if (client === 'git' && kase !== 'hostname') return 'CERT_VERIFY_FAILED';
  // Java's PKIX says "unable to find valid certification path" whatever is missing.
  if (client === 'java' && untrusted) return 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY';
  // OpenSSL through Python and curl reports a lone leaf as error 20 (Node rewrites it to 21).
  if (kase === 'leaf-only' && !['node-fetch', 'node-https', 'npm'].includes(client))
    return 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY';
  return BY_CASE[kase] as VerifyCode;
}

/** Clients whose output names host and port; the rest only name the host when it mismatches. */
const NAMES_SERVER = new Set(['requests', 'aiohttp', 'pip', 'pip26', 'git', 'npm', 'curl-v']);

describe('parseError on errors captured from real clients', () => {
  it.each(captured)('$file', ({ file, client, case: kase, port }) => {
    const where = NAMES_SERVER.has(client)
      ? { host: 'localhost', port }
      : kase === 'hostname'
        ? { host: 'localhost', port: null }
        : { host: null, port: null };
    expect(parseError(read(file))).toMatchObject({
      client: TOOL[client],
      code: expectedCode(client, kase),
      ...where,
    });
  });
});

describe('parseError on errors quoted from public issues', () => {
  it.each([
    ['conda-hostname.txt', 'conda', 'repo.anaconda.com', 443, 'HOSTNAME_MISMATCH'],
    ['conda-local-issuer.txt', 'conda', 'conda.anaconda.org', 443, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'],
    ['uv-pip-unknown-issuer.txt', 'uv', 'packages.dns.ad.xyz.com', 443, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'],
    ['uv-venv-unknown-issuer.txt', 'uv', 'github.com', 443, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'],
    ['npm-legacy-self-signed-chain.txt', 'npm', 'registry.npmjs.org', 443, 'SELF_SIGNED_CERT_IN_CHAIN'],
  ])('%s', (file, client, host, port, code) => {
    const text = read(file);
    expect(text.split('\n')[0]).toMatch(/^# source: https:\/\/github\.com\//);
    expect(parseError(text)).toMatchObject({ client, host, port, code });
  });

  it('every fixture is covered by one of the tables above', () => {
    const listed = new Set(captured.map((c) => c.file));
    const quoted = readdirSync(DIR).filter((f) => f.endsWith('.txt') && !listed.has(f));
    expect(quoted.sort()).toEqual([
      'conda-hostname.txt',
      'conda-local-issuer.txt',
      'npm-legacy-self-signed-chain.txt',
      'uv-pip-unknown-issuer.txt',
      'uv-venv-unknown-issuer.txt',
    ]);
  });
});

describe('parseError details', () => {
  it('names the outermost tool: pip, not the requests and urllib3 it vendors', () => {
    const text = [
      'Traceback (most recent call last):',
      '  File "/usr/lib/python3/dist-packages/pip/_vendor/urllib3/connectionpool.py", line 703, in urlopen',
      "pip._vendor.requests.exceptions.SSLError: HTTPSConnectionPool(host='pypi.org', port=443): Max retries exceeded (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)')))",
    ].join('\n');
    expect(parseError(text)).toMatchObject({ client: 'pip', host: 'pypi.org', port: 443 });
  });

  it('reads OpenSSL 1.1 spelling and keeps the 3.0 message', () => {
    const e = parseError('curl: (60) SSL certificate problem: self signed certificate in certificate chain');
    expect(e).toMatchObject({ client: 'curl', code: 'SELF_SIGNED_CERT_IN_CHAIN' });
    expect(e?.message).toBe('self-signed certificate in certificate chain');
  });

  it('tells a self-signed leaf from a self-signed root in the chain', () => {
    expect(
      parseError('Error: self-signed certificate\n    at TLSSocket.onConnectSecure (node:_tls_wrap:1699:34)'),
    ).toMatchObject({
      client: 'node',
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
  });

  it('keeps a bare reason with an unknown tool, host from a URL on the command line', () => {
    const text =
      '$ mytool fetch https://repo.corp.example:8443/x\nfailed: unable to get local issuer certificate';
    expect(parseError(text)).toMatchObject({
      client: 'unknown',
      host: 'repo.corp.example',
      port: 8443,
      code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    });
  });

  it('never takes a documentation link for the server', () => {
    expect(parseError(read('curl-expired.txt'))?.host).toBeNull();
  });

  it('copes with colours and carriage returns, and quotes the line it used', () => {
    const e = parseError(
      '\x1b[31mnpm error\x1b[0m request to https://r.example/x failed, reason: certificate has expired\r\n',
    );
    expect(e).toMatchObject({ client: 'npm', host: 'r.example', port: 443, code: 'CERT_HAS_EXPIRED' });
    expect(e?.evidence).toBe(
      'npm error request to https://r.example/x failed, reason: certificate has expired',
    );
  });

  it('keeps evidence short on long lines, around the reason', () => {
    const e = parseError(read('conda-local-issuer.txt'));
    expect(e?.evidence.length).toBeLessThanOrEqual(162);
    expect(e?.evidence).toContain('unable to get local issuer certificate');
  });

  it.each([
    ['plain text', 'Hello, world'],
    [
      'a connection error, not verification',
      'curl: (7) Failed to connect to localhost port 8443: Connection refused',
    ],
    ['a Python error without TLS', 'Traceback (most recent call last):\nKeyError: "x"'],
  ])('returns null for %s', (_name, text) => {
    expect(parseError(text)).toBeNull();
  });
});
