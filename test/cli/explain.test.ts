import { execFile, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPLAIN_HELP, explainCommand, type Stdin } from '../../src/cli/explain.ts';
import { has, lacks, missing } from '../helpers/has.ts';
import { memoryIo } from '../helpers/io.ts';
import { freePort, LOOPBACK } from '../helpers/net.ts';
import { Pki } from '../helpers/pki.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/errors');
const captured = JSON.parse(readFileSync(join(FIXTURES, 'captured.json'), 'utf8')) as {
  file: string;
  port: number;
}[];

/** A home and PATH that hold none of this machine's CA settings. */
const cleanEnv = () => ({
  PATH: '/usr/local/bin:/usr/bin:/bin',
  HOME: mkdtempSync(join(tmpdir(), 'cfx-home-')),
});

async function run(argv: string[], stdin: Partial<Stdin> = {}) {
  const { io, out } = memoryIo(cleanEnv());
  const input: Stdin = { isTTY: false, read: async () => '', ...stdin };
  const code = await explainCommand(argv, io, input);
  return { code, ...out };
}

describe('certifix explain', () => {
  it('--offline --json: one document with the facts and the advice, no diagnosis', async () => {
    const file = 'requests-self-signed-chain.txt';
    const port = captured.find((c) => c.file === file)?.port;
    const r = await run([join(FIXTURES, file), '--offline', '--json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      client: 'python-requests',
      host: 'localhost',
      port,
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
      message: 'self-signed certificate in certificate chain',
      diagnosis: null,
    });
    expect(doc.advice).toHaveLength(2);
    expect(doc.advice[1]).toContain('REQUESTS_CA_BUNDLE');
  });

  it('human output: the tool, the server and the reason first, then what to do', async () => {
    const r = await run([join(FIXTURES, 'java-local-issuer.txt'), '--offline']);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(
      'This is java failing to verify a server it does not name: unable to get local issuer certificate.',
    );
    expect(r.stdout).toContain('What to do:');
    expect(r.stdout).toContain('certifix fix --client java --java-cacerts');
  });

  it('reads the paste from stdin with "-" and when piped with no argument', async () => {
    const text = readFileSync(join(FIXTURES, 'npm-expired.txt'), 'utf8');
    for (const argv of [
      ['-', '--offline', '--json'],
      ['--offline', '--json'],
    ]) {
      const r = await run(argv, { read: async () => text });
      expect(JSON.parse(r.stdout)).toMatchObject({ client: 'npm', code: 'CERT_HAS_EXPIRED' });
    }
  });

  it('unknown text: says so on stderr and exits 2', async () => {
    const r = await run(['-'], { read: async () => 'Segmentation fault (core dumped)\n' });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('not a TLS verification error I recognise');
  });

  it('empty input: says nothing was given and how to paste, exit 2', async () => {
    const r = await run(['-'], { read: async () => ' \n\n' });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('nothing to explain: no input was given on standard input');
    expect(r.stderr).toContain('paste the error, then press Ctrl-D');
    expect(r.stderr).not.toContain('recognise');
    const dir = mkdtempSync(join(tmpdir(), 'cfx-empty-'));
    writeFileSync(join(dir, 'build.log'), '');
    expect((await run([join(dir, 'build.log')])).stderr).toContain(`${join(dir, 'build.log')} is empty`);
  });

  it('--offline: an unclear git error points at certifix diagnose, not at a diagnosis below', async () => {
    const r = await run([join(FIXTURES, 'git-self-signed-chain.txt'), '--offline']);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('below');
    expect(r.stdout).toMatch(/`certifix diagnose https:\/\/localhost:\d+` shows the chain localhost sends/);
    expect(r.stdout).toContain('Not diagnosed (--offline).');
  });

  it('on a terminal with nothing to read, prints the usage and exits 2; --help exits 0', async () => {
    const tty = await run([], { isTTY: true, read: () => Promise.reject(new Error('must not read')) });
    expect(tty).toMatchObject({ code: 2, stdout: EXPLAIN_HELP });
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('pip install requests 2>&1 | certifix explain -');
  });

  it('a missing file is an IO error, in plain words', async () => {
    await expect(run(['/nonexistent/error.txt'])).rejects.toMatchObject({
      code: 'IO',
      message: 'cannot read /nonexistent/error.txt: no such file',
    });
  });

  it('an unreachable server: explained from the text alone, and it says so', async () => {
    const port = await freePort();
    const text = `npm error request to https://localhost:${port}/x failed, reason: unable to get local issuer certificate`;
    const r = await run(['-', '--json', '--timeout', '5'], { read: async () => text });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ client: 'npm', host: 'localhost', port, diagnosis: null });
    expect(doc.note).toMatch(/^Could not diagnose https:\/\/localhost:\d+ from here/);
  });
});

/** The interpreter behind python3 (a pyenv shim needs a HOME we do not give it). */
function realPython(): string | null {
  if (!has('python-requests')) return null;
  return execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
}

describe.skipIf(lacks('python-requests'))(
  `certifix explain on a freshly provoked requests error ${missing('python-requests')}`,
  () => {
    let server: Server;
    let port: number;
    beforeAll(async () => {
      const pki = new Pki();
      const root = pki.root('root', 'Explain Test Root CA');
      const int = pki.intermediate('int', 'Explain Test Issuing CA', root);
      const leaf = pki.leaf('leaf', 'localhost', int);
      // The server sends its root: SELF_SIGNED_CERT_IN_CHAIN, as behind an intercepting proxy.
      server = createServer({ key: leaf.keyPem, cert: leaf.pem + int.pem + root.pem }, (_q, res) =>
        res.end('ok'),
      );
      server.listen(0, LOOPBACK);
      await once(server, 'listening');
      port = (server.address() as AddressInfo).port;
    }, 30_000);
    afterAll(() => server?.close());

    it('recognises it and diagnoses the live server', async () => {
      const python = realPython() as string;
      // Async: the server lives in this process and must answer the handshake while Python waits.
      const printed = await new Promise<string>((resolve) =>
        execFile(
          python,
          ['-c', `import requests; requests.get('https://localhost:${port}/', timeout=10)`],
          { env: cleanEnv(), timeout: 60_000 },
          (_e, stdout, stderr) => resolve(`${stdout}${stderr}`),
        ),
      );
      expect(printed).toContain('requests.exceptions.SSLError');
      const r = await run(['-', '--json'], { read: async () => printed });
      const doc = JSON.parse(r.stdout);
      expect(doc).toMatchObject({
        client: 'python-requests',
        host: 'localhost',
        port,
        code: 'SELF_SIGNED_CERT_IN_CHAIN',
      });
      expect(doc.diagnosis).toMatchObject({ target: { host: 'localhost', port } });
      // Nobody here trusts the test root, so the diagnosis confirms the error: exit 1.
      expect(doc.diagnosis.clients.some((c: { ok: boolean }) => !c.ok)).toBe(true);
      expect(r.code).toBe(1);
      // The root came only from the server: the advice says how to get it, as the diagnosis and fix do.
      expect(doc.diagnosis.anchor).toMatchObject({ inSystemStore: false });
      const advice = doc.advice.join('\n');
      expect(advice).not.toContain('the root your OS trusts');
      expect(advice).toContain('not in your OS store either');
      expect(advice).toContain(`--trust-fingerprint ${doc.diagnosis.anchor.sha256}`);
      expect(advice).toContain('`certifix fix --ca root.pem`');
    }, 90_000);
  },
);
