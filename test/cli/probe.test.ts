import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBE_HELP, probeCommand } from '../../src/cli/probe.ts';
import { lacks, missing } from '../helpers/has.ts';
import { memoryIo } from '../helpers/io.ts';
import { Pki } from '../helpers/pki.ts';
import { type Bound, pairOnOnePort, tlsOn } from '../helpers/probe-servers.ts';

const root = join(import.meta.dirname, '..', '..');
/** A private mount namespace lets the test give /etc/hosts two addresses for one name (needs root). */

let pki: Pki;
let pair: [Bound, Bound];
let lone: Bound;
let env: NodeJS.ProcessEnv;

const fakeIo = (isTTY: boolean) => memoryIo(env, pki.dir, isTTY);

beforeAll(async () => {
  pki = new Pki();
  const ca = pki.root('root', 'Probe CLI Root');
  const int = pki.intermediate('int', 'Probe CLI Issuing CA', ca);
  const names = { dns: ['probe.test'], ips: ['127.0.0.1', '127.0.0.2'] };
  const leaf = pki.leaf('leaf', 'probe.test', int, names);
  const rogue = pki.root('rogue', 'Unknown CA');
  pair = await pairOnOnePort([leaf, int], [pki.leaf('rogue-leaf', 'probe.test', rogue, names)]);
  lone = await tlsOn('127.0.0.1', 0, [leaf]); // forgot its intermediate
  const home = join(pki.dir, 'home');
  const certDir = join(pki.dir, 'certs');
  mkdirSync(home);
  mkdirSync(certDir);
  env = {
    PATH: process.env.PATH,
    HOME: home,
    NO_COLOR: '1',
    SSL_CERT_FILE: pki.bundle('trust', [ca]),
    SSL_CERT_DIR: certDir, // empty: keeps the machine's /etc/ssl/certs out
  };
});
afterAll(async () => {
  await Promise.all([...pair, lone].map((s) => s.close()));
});

describe('certifix probe (in process)', () => {
  it('teaches in --help', async () => {
    const { io, out } = fakeIo(false);
    expect(await probeCommand(['--help'], io)).toBe(0);
    expect(out.stdout).toBe(PROBE_HELP);
    expect(PROBE_HELP).toMatch(/after ~150 requests/);
  });

  it.each([
    [['-n', '0', 'x'], /--count must be a whole number/],
    [['-c', 'lots', 'x'], /--concurrency must be/],
    [[], /exactly one URL/],
    [['--bogus', 'x'], /bogus/],
  ])('refuses %j as a usage error', async (argv, message) => {
    await expect(probeCommand(argv, fakeIo(false).io)).rejects.toMatchObject({ code: 'USAGE', message });
  });

  it('exits 0 for a consistent valid endpoint, drawing progress only on a terminal', async () => {
    const tty = fakeIo(true);
    expect(await probeCommand([`127.0.0.1:${pair[0].port}`, '-n', '5', '--no-proxy'], tty.io)).toBe(0);
    expect(tty.out.stderr).toContain('\r[####################] 5/5');
    expect(tty.out.stdout).toMatch(/127\.0\.0\.1\s+5 {2}5× valid chain/);
    expect(tty.out.stdout).toContain('Consistent: every handshake saw the same valid chain.');
    const pipe = fakeIo(false);
    expect(await probeCommand([`127.0.0.1:${pair[0].port}`, '-n', '2', '--no-proxy'], pipe.io)).toBe(0);
    expect(pipe.out.stderr).toBe('');
  });

  it('exits 1 for a chain that fails, with --json', async () => {
    const { io, out } = fakeIo(false);
    expect(await probeCommand([`127.0.0.1:${lone.port}`, '-n', '2', '--json', '--no-proxy'], io)).toBe(1);
    const doc = JSON.parse(out.stdout);
    expect(doc).toMatchObject({ consistent: true, succeeded: 2, findings: [{ id: 'chain-fails' }] });
    expect(doc.endpoints[0].chains[0]).toMatchObject({
      count: 2,
      ok: false,
      code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    });
  });

  it('exits 2 when no handshake completes', async () => {
    const { io, out } = fakeIo(false);
    expect(await probeCommand([`127.0.0.3:${pair[0].port}`, '-n', '2', '--no-proxy'], io)).toBe(2);
    expect(out.stdout).toMatch(/No handshake completed/);
  });
});

/**
 * Run a command in a mount namespace whose /etc/hosts maps probe.test to 127.0.0.1 and 127.0.0.2.
 * Asynchronously: the servers live in this process and must keep answering while the child runs.
 */
function withHosts(cmd: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const hosts = join(pki.dir, 'hosts');
  writeFileSync(hosts, '127.0.0.1 localhost\n127.0.0.1 probe.test\n127.0.0.2 probe.test\n');
  const script = 'mount --bind "$0" /etc/hosts && exec "$@"';
  const child = spawn('unshare', ['-m', 'sh', '-c', script, hosts, ...cmd], {
    env,
    cwd: root,
    timeout: 60_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

describe.skipIf(lacks('unshare'))(
  `certifix probe through the real resolver (/etc/hosts in a mount namespace) ${missing('unshare')}`,
  () => {
    const argv = () => [
      'probe',
      `https://probe.test:${pair[0].port}/simple/`,
      '-n',
      '6',
      '-c',
      '2',
      '--no-proxy',
    ];

    it('finds the bad backend (library CLI module run as a process via tsx)', async () => {
      const code = `import { probeCommand } from './src/cli/probe.ts'; import { processIo } from './src/cli/io.ts';
      process.exitCode = await probeCommand(process.argv.slice(1), processIo());`;
      const tsx = join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs');
      const r = await withHosts([
        process.execPath,
        '--import',
        tsx,
        '--input-type=module',
        '-e',
        code,
        ...argv().slice(1),
      ]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/127\.0\.0\.1\s+3 {2}3× valid chain/);
      expect(r.stdout).toMatch(/127\.0\.0\.2\s+3 {2}3× FAILS: unable to get local issuer certificate/);
      expect(r.stdout).toMatch(/✗ 127\.0\.0\.2 serves a chain that fails/);
    });

    it.skipIf(lacks('dist'))(`finds the bad backend with the built binary ${missing('dist')}`, async () => {
      const r = await withHosts([process.execPath, 'bin/certifix.js', ...argv(), '--json']);
      expect(r.status).toBe(1);
      const doc = JSON.parse(r.stdout);
      expect(doc.addresses).toEqual(['127.0.0.1', '127.0.0.2']);
      expect(doc.findings[0]).toMatchObject({
        id: 'inconsistent-endpoints',
        details: { addresses: ['127.0.0.2'] },
      });
    });
  },
);
