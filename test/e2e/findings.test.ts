/**
 * Every chain finding proved against a real TLS server on 127.0.0.1: `diagnose()` as a library with a
 * controlled context (the "OS store" is SSL_CERT_FILE → a temp bundle, SSL_CERT_DIR → an empty dir, a sysroot
 * that hides the machine's files, a temp HOME), and a few runs of the built CLI with a clean environment.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../src/cli/context.ts';
import { type DiagnoseOptions, diagnoseTarget } from '../../src/commands/diagnose.ts';
import { parseCerts } from '../../src/core/cert.ts';
import type { DiagnoseReport, Finding } from '../../src/core/report.ts';
import type { ClientId, Context } from '../../src/types.ts';
import { pyenvRoot } from '../helpers/has.ts';
import { REPO } from '../helpers/paths.ts';
import { type Issued, Pki } from '../helpers/pki.ts';
import { type Running, startTls } from '../net/servers.ts';

const sha = (i: Issued) => parseCerts(i.pem).certs[0]?.sha256 as string;

/** A Python >= 3.13 (VERIFY_X509_STRICT) from pyenv, put first on PATH so python-ssl uses its profile. */
function python313Bin(): string | null {
  const root = pyenvRoot();
  if (!root || !existsSync(join(root, 'versions'))) return null;
  const v = readdirSync(join(root, 'versions')).find((d) => /^3\.(1[3-9]|[2-9]\d)\.\d+$/.test(d));
  return v && existsSync(join(root, 'versions', v, 'bin', 'python3'))
    ? join(root, 'versions', v, 'bin')
    : null;
}
const PY313 = python313Bin();
const CLIENTS: ClientId[] = PY313 ? ['python-ssl', 'node'] : ['node'];

let pki: Pki;
let tmp: string;
let ctx: Context;
let env: Record<string, string>;
let aia: Server;
let aiaBase: string;
const aiaHits: string[] = [];
const servers: Running[] = [];
const c: Record<string, Issued> = {};

/** Start a TLS server sending `chain` (leaf first), keyed by the leaf's key. */
async function serve(chain: Issued[], opts: Parameters<typeof startTls>[2] = {}): Promise<string> {
  const s = await startTls(
    (chain[0] as Issued).keyPem,
    chain.map((x) => x.pem),
    opts,
  );
  servers.push(s);
  return `https://127.0.0.1:${s.port}/`;
}

function run(url: string, opts: DiagnoseOptions = {}) {
  return diagnoseTarget(url, { clients: CLIENTS, timeoutMs: 5000, noAia: true, ...opts }, ctx);
}

const ids = (r: DiagnoseReport) => r.findings.map((f) => f.id);
const find = (r: DiagnoseReport, id: string) => r.findings.find((f) => f.id === id) as Finding;
const client = (r: DiagnoseReport, id: string) => r.clients.find((x) => x.id === id);

beforeAll(async () => {
  aia = createServer((req, res) => {
    aiaHits.push(req.url ?? '');
    const der = req.url === '/int.der' ? parseCerts(c.int?.pem ?? '').certs[0]?.der : undefined;
    if (der) res.writeHead(200, { 'content-type': 'application/pkix-cert' }).end(der);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => aia.listen(0, '127.0.0.1', r));
  aiaBase = `http://127.0.0.1:${(aia.address() as AddressInfo).port}`;

  pki = new Pki();
  const o = { subjectPrefix: '/O=Findings Lab' };
  const names = { dns: ['localhost'], ips: ['127.0.0.1'] };
  c.root = pki.root('root', 'Findings Lab Root CA', o);
  c.int = pki.intermediate('int', 'Findings Lab Issuing CA', c.root, { ...o, pathLen: 0 });
  c.leaf = pki.leaf('leaf', 'localhost', c.int, names);
  c.aiaLeaf = pki.leaf('aia-leaf', 'localhost', c.int, { ...names, caIssuers: `${aiaBase}/int.der` });
  c.expired = pki.leaf('expired', 'localhost', c.int, { ...names, notBeforeDays: -30, notAfterDays: -1 });
  c.future = pki.leaf('future', 'localhost', c.int, { ...names, notBeforeDays: 10, notAfterDays: 400 });
  c.other = pki.leaf('other', 'other.test', c.int);
  c.self = pki.issue('self', { cn: 'localhost', ...names });
  c.rsaInt = pki.intermediate('rsa-int', 'Findings Lab RSA Issuing CA', c.root, { ...o, key: 'rsa2048' });
  c.sha1 = pki.leaf('sha1', 'localhost', c.rsaInt, { ...names, digest: 'sha1', key: 'rsa2048' });
  c.unrelated = pki.root('unrelated', 'Unrelated Test CA');
  // A corporate root that is not RFC 5280-strict: basicConstraints not critical.
  c.laxRoot = pki.root('lax-root', 'Lax Corp Root CA', { subjectPrefix: '/O=Lax Corp', bcCritical: false });
  c.laxInt = pki.intermediate('lax-int', 'Lax Corp Issuing CA', c.laxRoot, { subjectPrefix: '/O=Lax Corp' });
  c.laxLeaf = pki.leaf('lax-leaf', 'localhost', c.laxInt, names);

  tmp = mkdtempSync(join(tmpdir(), 'certifix-findings-'));
  const home = join(tmp, 'home');
  const certDir = join(tmp, 'certs');
  const sysroot = join(tmp, 'sysroot');
  for (const d of [home, certDir, sysroot]) mkdirSync(d);
  env = {
    PATH: [PY313, '/usr/local/bin', '/usr/bin', '/bin'].filter(Boolean).join(':'),
    HOME: home,
    SSL_CERT_FILE: pki.bundle('os-store', [c.root, c.laxRoot]),
    SSL_CERT_DIR: certDir,
  };
  ctx = { env: { ...env }, home, cwd: tmp, platform: 'linux', run: runProcess, sysroot };
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await new Promise<void>((r) => aia.close(() => r()));
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('diagnose: the JSON contract on a clean private-CA chain', () => {
  it('reports target, chain in sent order, anchor, interception, clients and findings', async () => {
    const url = await serve([c.leaf as Issued, c.int as Issued]);
    const { report } = await run(url);
    const port = Number(new URL(url).port);
    expect(report.target).toEqual({
      url: `https://127.0.0.1:${port}/`,
      host: '127.0.0.1',
      port,
      proxy: null,
    });
    expect(report.protocol).toBe('TLSv1.3');
    expect(report.chain.map((e) => e.sha256)).toEqual([sha(c.leaf as Issued), sha(c.int as Issued)]);
    expect(report.chain[0]).toMatchObject({
      subject: 'CN=localhost',
      issuer: 'O=Findings Lab, CN=Findings Lab Issuing CA',
      ca: false,
      selfSigned: false,
    });
    expect(report.anchor).toEqual({
      subject: 'O=Findings Lab, CN=Findings Lab Root CA',
      sha256: sha(c.root as Issued),
      inSystemStore: true,
      inMozilla: false,
    });
    expect(report.interception).toEqual({ detected: false, product: null });
    expect(client(report, 'node')).toMatchObject({
      ok: false,
      code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      message: 'unable to get local issuer certificate',
      trustStore: { source: expect.stringMatching(/bundled/) },
    });
    if (PY313) {
      expect(client(report, 'python-ssl')).toMatchObject({
        ok: true,
        code: 'OK',
        trustStore: { source: 'env', via: 'SSL_CERT_FILE+SSL_CERT_DIR', path: env.SSL_CERT_FILE },
      });
      expect(client(report, 'python-ssl')?.version).toMatch(/^3\.1[3-9]/);
    }
    expect(ids(report)).toEqual(['private-ca', 'client-store']);
    expect(find(report, 'private-ca')).toMatchObject({ severity: 'error', details: { failing: ['node'] } });
    for (const f of report.findings) {
      expect(Object.keys(f)).toEqual(expect.arrayContaining(['id', 'severity', 'message', 'fix']));
      expect(['error', 'warning', 'info']).toContain(f.severity);
    }
  });
});

describe('diagnose: one real server per finding', () => {
  it('missing-intermediate: the leaf-only server, its issuer fetched from the AIA URL', async () => {
    const url = await serve([c.aiaLeaf as Issued]);
    aiaHits.length = 0;
    const { report } = await run(url, { noAia: false, allowPrivateAia: true });
    expect(aiaHits).toEqual(['/int.der']);
    expect(report.chain.map((e) => e.sha256)).toEqual([sha(c.aiaLeaf as Issued)]);
    const f = find(report, 'missing-intermediate');
    expect(f).toMatchObject({ severity: 'error' });
    expect(f.message).toContain(`"O=Findings Lab, CN=Findings Lab Issuing CA" (${aiaBase}/int.der)`);
    expect(f.details).toEqual({
      fetched: [
        {
          url: `${aiaBase}/int.der`,
          subject: 'O=Findings Lab, CN=Findings Lab Issuing CA',
          sha256: sha(c.int as Issued),
        },
      ],
    });
    // The fetched issuer finds the root, but the clients only get what the server sent.
    expect(report.anchor?.sha256).toBe(sha(c.root as Issued));
    if (PY313) expect(client(report, 'python-ssl')?.code).toBe('UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    expect(ids(report)).not.toContain('unknown-anchor');
    // python-ssl holds the root: it fails on the chain, not on trust, so only node is named as failing.
    const trust = find(report, 'private-ca');
    expect(trust.details?.failing).toEqual(['node']);
    expect(trust.message).not.toContain('curl and urllib work');
  });

  it('no AIA fetch from loopback without allowPrivateAia: the finding is absent, the verdict is not', async () => {
    const url = await serve([c.aiaLeaf as Issued]);
    aiaHits.length = 0;
    const { report, analysis } = await run(url, { noAia: false });
    expect(aiaHits).toEqual([]);
    expect(analysis.fetched?.certs).toEqual([]);
    expect(analysis.fetched?.errors[0]?.url).toBe(`${aiaBase}/int.der`);
    expect(ids(report)).not.toContain('missing-intermediate');
    expect(report.anchor).toBeNull();
    if (PY313) {
      expect(client(report, 'python-ssl')).toMatchObject({
        ok: false,
        code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
        printed: expect.stringContaining('certificate verify failed: unable to get local issuer certificate'),
      });
    }
  });

  it('noAia: no fetch at all', async () => {
    const url = await serve([c.aiaLeaf as Issued]);
    aiaHits.length = 0;
    const { analysis } = await run(url, { noAia: true, allowPrivateAia: true });
    expect(aiaHits).toEqual([]);
    expect(analysis.fetched).toBeUndefined();
  });

  it('expired', async () => {
    const { report } = await run(await serve([c.expired as Issued, c.int as Issued]));
    expect(ids(report)).toContain('expired');
    expect(find(report, 'expired').message).toMatch(
      /^The certificate at depth 0 \("CN=localhost"\) expired on /,
    );
    if (PY313) expect(client(report, 'python-ssl')?.code).toBe('CERT_HAS_EXPIRED');
  });

  it('not-yet-valid', async () => {
    const { report } = await run(await serve([c.future as Issued, c.int as Issued]));
    expect(ids(report)).toContain('not-yet-valid');
    expect(find(report, 'not-yet-valid').severity).toBe('error');
    if (PY313) expect(client(report, 'python-ssl')?.code).toBe('CERT_NOT_YET_VALID');
  });

  it('hostname-mismatch, by IP and by name, with the names shown', async () => {
    const url = await serve([c.other as Issued, c.int as Issued]);
    const byIp = (await run(url)).report;
    expect(find(byIp, 'hostname-mismatch')).toMatchObject({
      severity: 'error',
      message: 'The certificate is not valid for 127.0.0.1: it names DNS:other.test.',
      details: { names: 'DNS:other.test' },
    });
    if (PY313) expect(client(byIp, 'python-ssl')?.code).toBe('IP_ADDRESS_MISMATCH');
    const byName = (await run(url.replace('127.0.0.1', 'localhost'))).report;
    expect(byName.target.host).toBe('localhost');
    expect(find(byName, 'hostname-mismatch').message).toBe(
      'The certificate is not valid for localhost: it names DNS:other.test.',
    );
    if (PY313) expect(client(byName, 'python-ssl')?.code).toBe('HOSTNAME_MISMATCH');
  });

  it('self-signed-leaf', async () => {
    const { report } = await run(await serve([c.self as Issued]));
    expect(ids(report)).toContain('self-signed-leaf');
    expect(report.anchor).toMatchObject({ sha256: sha(c.self as Issued), inSystemStore: false });
    expect(report.chain[0]?.selfSigned).toBe(true);
    if (PY313) expect(client(report, 'python-ssl')?.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('weak-signature: a SHA-1 signed leaf', async () => {
    // A server at the default security level refuses to load a SHA-1 certificate; lower it for this one.
    const url = await serve([c.sha1 as Issued, c.rsaInt as Issued], { ciphers: 'DEFAULT@SECLEVEL=0' });
    const { report } = await run(url);
    expect(ids(report)).toContain('weak-signature');
    expect(find(report, 'weak-signature').message).toContain('sha1WithRSAEncryption');
  });

  it('extra-certs: leaf + intermediate + an unrelated certificate', async () => {
    const url = await serve([c.leaf as Issued, c.int as Issued, c.unrelated as Issued]);
    const { report } = await run(url);
    expect(report.chain.map((e) => e.sha256)).toEqual(
      [c.leaf, c.int, c.unrelated].map((x) => sha(x as Issued)),
    );
    expect(ids(report)).toContain('extra-certs');
    expect(find(report, 'extra-certs').message).toContain('"CN=Unrelated Test CA"');
    expect(ids(report)).not.toContain('chain-order');
  });

  it('chain-order: the root before the intermediate (and contains-anchor)', async () => {
    const url = await serve([c.leaf as Issued, c.root as Issued, c.int as Issued]);
    const { report } = await run(url);
    expect(report.chain.map((e) => e.sha256)).toEqual([c.leaf, c.root, c.int].map((x) => sha(x as Issued)));
    expect(ids(report)).toEqual(expect.arrayContaining(['chain-order', 'contains-anchor']));
    expect(ids(report)).not.toContain('extra-certs');
  });

  it('chain-order: the intermediate sent twice', async () => {
    const url = await serve([c.leaf as Issued, c.int as Issued, c.int as Issued]);
    const { report } = await run(url);
    expect(report.chain.map((e) => e.sha256)).toEqual([c.leaf, c.int, c.int].map((x) => sha(x as Issued)));
    expect(find(report, 'chain-order').message).toContain(
      '"O=Findings Lab, CN=Findings Lab Issuing CA" twice',
    );
    expect(ids(report)).not.toContain('extra-certs');
  });

  it('contains-anchor: the server sends its root', async () => {
    const url = await serve([c.leaf as Issued, c.int as Issued, c.root as Issued]);
    const { report } = await run(url);
    expect(find(report, 'contains-anchor')).toMatchObject({ severity: 'info' });
    expect(report.anchor).toMatchObject({ sha256: sha(c.root as Issued), inSystemStore: true });
    expect(ids(report)).not.toContain('chain-order');
  });

  it('strict-x509: a non-strict corporate root passes OpenSSL, fails Python 3.13', async () => {
    const url = await serve([c.laxLeaf as Issued, c.laxInt as Issued]);
    const { report, analysis } = await run(url);
    expect(analysis.systemVerdict.ok).toBe(true);
    const f = find(report, 'strict-x509');
    expect(f).toMatchObject({ severity: 'warning', details: { code: 'CA_BCONS_NOT_CRITICAL', depth: 2 } });
    expect(f.message).toContain('"O=Lax Corp, CN=Lax Corp Root CA"');
    if (PY313) {
      expect(client(report, 'python-ssl')).toMatchObject({ ok: false, code: 'CA_BCONS_NOT_CRITICAL' });
    }
  });
});

// The CLI as a user runs it: the built binary, a clean environment (nothing from this machine's variables).
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(REPO, 'bin', 'certifix.js'), ...args],
      { env, cwd: tmp, timeout: 30_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
      },
    );
  });
}

describe('certifix diagnose --json (built CLI, clean environment)', () => {
  beforeAll(async () => {
    if (existsSync(join(REPO, 'dist', 'cli.js'))) return;
    const r = await runProcess('npm', ['run', 'build'], { cwd: REPO, env: process.env, timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`npm run build failed: ${r.stderr}`);
  }, 130_000);

  const clientsArg = ['--client', CLIENTS.join(',')];

  it('missing-intermediate through --allow-private-aia, exit 1', async () => {
    const url = await serve([c.aiaLeaf as Issued]);
    const r = await cli(['diagnose', url, '--json', '--allow-private-aia', ...clientsArg]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as DiagnoseReport;
    expect(doc.target.url).toBe(url);
    expect(doc.chain.map((e) => e.sha256)).toEqual([sha(c.aiaLeaf as Issued)]);
    expect(doc.findings.find((f) => f.id === 'missing-intermediate')?.details).toMatchObject({
      fetched: [{ url: `${aiaBase}/int.der`, sha256: sha(c.int as Issued) }],
    });
    expect(doc.clients.map((x) => x.id)).toEqual(CLIENTS);
    expect(doc.clients.every((x) => x.ok === false)).toBe(true);
  });

  it('hostname-mismatch on localhost, without an AIA fetch by default', async () => {
    const url = (await serve([c.other as Issued, c.int as Issued])).replace('127.0.0.1', 'localhost');
    const r = await cli(['diagnose', url, '--json', ...clientsArg]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as DiagnoseReport;
    expect(doc.target).toMatchObject({ host: 'localhost', proxy: null });
    expect(doc.findings.find((f) => f.id === 'hostname-mismatch')).toMatchObject({
      severity: 'error',
      message: 'The certificate is not valid for localhost: it names DNS:other.test.',
      fix: expect.stringContaining('subjectAltName'),
    });
    expect(doc.anchor).toMatchObject({
      sha256: sha(c.root as Issued),
      inSystemStore: true,
      inMozilla: false,
    });
  });

  it('strict-x509 with the Python 3.13 verdict', async () => {
    const url = await serve([c.laxLeaf as Issued, c.laxInt as Issued]);
    const r = await cli(['diagnose', url, '--json', ...clientsArg]);
    const doc = JSON.parse(r.stdout) as DiagnoseReport;
    expect(doc.findings.map((f) => f.id)).toContain('strict-x509');
    if (PY313)
      expect(doc.clients.find((x) => x.id === 'python-ssl')).toMatchObject({
        ok: false,
        code: 'CA_BCONS_NOT_CRITICAL',
      });
  });
});
