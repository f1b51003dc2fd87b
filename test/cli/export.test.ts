/**
 * `certifix export` on every platform path: Linux for real (an OpenSSL store named by SSL_CERT_FILE, a real TLS
 * server for `chain`); macOS and Windows through their store readers, fed the recorded outputs of `security`
 * and `reg query` (test/stores/fixtures/README.md). Windows for real under Wine: test/e2e/wine.test.ts.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { rootCertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCommand } from '../../src/cli/export.ts';
import { main } from '../../src/cli/main.ts';
import { exportCerts } from '../../src/commands/export.ts';
import { certFromDer, parseCerts } from '../../src/core/cert.ts';
import type { Context, Runner } from '../../src/types.ts';
import { ADMIN_2017, fakeSecurity } from '../helpers/fake-security.ts';
import { memoryIo } from '../helpers/io.ts';
import { Pki } from '../helpers/pki.ts';
import { startTls, type TlsServer } from '../net/servers.ts';

const fx = (n: string) => readFileSync(join(import.meta.dirname, '..', 'stores', 'fixtures', n), 'utf8');

async function run(argv: string[], env: NodeJS.ProcessEnv, cwd = tmpdir()) {
  const { io, out } = memoryIo(env, cwd);
  const code = await exportCommand(argv, io);
  return { code, ...out };
}

const subjects = (pem: string) => parseCerts(pem).certs.map((c) => c.subject);

describe('certifix export', () => {
  const pki = new Pki();
  const corp = pki.root('corp', 'Export Corp Root', { subjectPrefix: '/O=Export Corp' });
  const int = pki.intermediate('int', 'Export Issuing CA', corp);
  const leaf = pki.leaf('leaf', 'localhost', int);
  const dir = mkdtempSync(join(tmpdir(), 'certifix-export-'));
  const bundle = join(dir, 'os.pem');
  writeFileSync(bundle, [...rootCertificates.slice(0, 3), corp.pem].join('\n'));
  // A Linux OS store named by SSL_CERT_FILE (OpenSSL's override; stores/linux.ts), no hashed directory.
  const env = { SSL_CERT_FILE: bundle, SSL_CERT_DIR: join(dir, 'none') };
  let server: TlsServer;
  beforeAll(async () => {
    server = await startTls(leaf.keyPem, [leaf.pem, int.pem]);
  });
  afterAll(() => server?.close());

  it('system: every OS root, as a PEM bundle with a comment per certificate', async () => {
    const r = await run(['system'], env);
    expect(r.code).toBe(0);
    expect(subjects(r.stdout)).toHaveLength(4);
    expect(r.stdout).toContain('# O=Export Corp, CN=Export Corp Root\n-----BEGIN CERTIFICATE-----');
  });

  it('locally-added: only the company root', async () => {
    const r = await run(['locally-added', '--out', join(dir, 'corp.pem')], env);
    expect(r.code, r.stderr).toBe(0);
    expect(subjects(readFileSync(join(dir, 'corp.pem'), 'utf8'))).toEqual([
      'O=Export Corp, CN=Export Corp Root',
    ]);
  });

  it('chain: the certificates as the server sent them, PEM and one DER file each', async () => {
    const url = `https://localhost:${server.port}`;
    const pem = await run(['chain', url, '--no-proxy'], env);
    expect(subjects(pem.stdout)).toEqual(['CN=localhost', 'CN=Export Issuing CA']);
    const der = await run(
      ['chain', url, '--no-proxy', '--format', 'der', '--out', join(dir, 'chain.der')],
      env,
    );
    expect(der.code, der.stderr).toBe(0);
    const first = certFromDer(readFileSync(join(dir, 'chain-1.der')));
    const second = certFromDer(readFileSync(join(dir, 'chain-2.der')));
    expect([first.subject, second.subject]).toEqual(['CN=localhost', 'CN=Export Issuing CA']);
  });

  it('refuses DER on standard output, a URL where none belongs, and an unknown kind', async () => {
    await expect(run(['chain', 'localhost:1', '--format', 'der'], env)).rejects.toMatchObject({
      code: 'USAGE',
    });
    await expect(run(['system', 'https://x'], env)).rejects.toMatchObject({ code: 'USAGE' });
    await expect(run(['everything'], env)).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('--out in a directory that does not exist: said in plain words, exit 2', async () => {
    const missingDir = join(dir, 'missing-dir');
    const home = mkdtempSync(join(tmpdir(), 'certifix-export-home-'));
    for (const argv of [
      ['export', 'locally-added', '--out', join(missingDir, 'corp.pem')],
      ['export', 'dockerfile', '--out', missingDir],
    ]) {
      const { io, out } = memoryIo({ ...env, HOME: home, XDG_CACHE_HOME: join(home, '.cache') }, home);
      expect(await main(argv, io)).toBe(2);
      expect(out.stderr).toMatch(
        new RegExp(
          `^certifix: could not write ${missingDir}/\\S+ \\(the directory ${missingDir} does not exist\\)\n$`,
        ),
      );
    }
  });

  it('says so when there is nothing to export', async () => {
    writeFileSync(join(dir, 'moz.pem'), rootCertificates.slice(0, 2).join('\n'));
    const r = await run(['locally-added'], {
      SSL_CERT_FILE: join(dir, 'moz.pem'),
      SSL_CERT_DIR: join(dir, 'none'),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no locally added roots');
  });
});

describe('export through the macOS and Windows store readers (recorded outputs)', () => {
  const ctx = (platform: NodeJS.Platform, run: Runner): Context => ({
    env: {},
    home: tmpdir(),
    cwd: tmpdir(),
    platform,
    run,
  });
  const hasSystemApi = 'getCACertificates' in tls;

  it('darwin: Apple\'s roots less the "Never Trust" one, and the locally trusted root on its own', async () => {
    const mac = ctx('darwin', fakeSecurity(ADMIN_2017));
    const system = await exportCerts('system', {}, mac);
    expect(system).toHaveLength(7);
    expect(system.map((c) => c.subject).join('\n')).not.toContain('AddTrust Class 1 CA Root');
    const local = await exportCerts('locally-added', {}, mac);
    expect(local.map((c) => c.subject)).toEqual([
      'C=US, O=GeoTrust Inc., OU=(c) 2008 GeoTrust Inc. - For authorized use only, CN=GeoTrust Primary Certification Authority - G3',
    ]);
  });

  // Node with tls.getCACertificates reads the system store through it; the registry reader is for older Node.
  it.skipIf(hasSystemApi)(
    `win32: the registry stores read with reg query${hasSystemApi ? ' (skipped: this Node has tls.getCACertificates, which export uses instead)' : ''}`,
    async () => {
      const run: Runner = async (cmd, args) =>
        cmd === 'reg' && String(args[1]).startsWith('HKCU\\Software\\Microsoft\\SystemCertificates\\Root')
          ? { code: 0, stdout: fx('reg-query-root-wine.txt'), stderr: '' }
          : { code: 1, stdout: '', stderr: 'reg: Unable to find the specified registry key\r\n' };
      const certs = await exportCerts('system', {}, ctx('win32', run));
      expect(certs.map((c) => c.subject)).toEqual(['O=Example Corp, CN=Example Corp Root CA']);
    },
  );
});
