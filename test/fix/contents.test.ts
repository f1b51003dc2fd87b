/**
 * What the merged bundle holds (src/fix/contents.ts) on a Debian-like sysroot: every Mozilla root, every
 * OS-store root beyond them (locally added and the distro's own extras), the roots of the files CA variables
 * name (read bounded: a missing, oversized or non-regular file is reported, never read), and the chosen roots;
 * and the roots kept from a variable survive a round trip through roots.pem.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { cargo } from '../../src/clients/cargo.ts';
import { pip } from '../../src/clients/pip.ts';
import { type Cert, parseCerts } from '../../src/core/cert.ts';
import { bundleContents, clientCaFiles, describeCounts, osLocalRoots } from '../../src/fix/contents.ts';
import { readChosenRoots, renderRoots, rootsPath } from '../../src/fix/plan.ts';
import type { Context } from '../../src/types.ts';
import { type Issued, Pki } from '../helpers/pki.ts';

const pki = new Pki();
const root = mkdtempSync(join(tmpdir(), 'certifix-contents-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(pki.dir, { recursive: true, force: true });
});
const cert = (i: Issued): Cert => parseCerts(i.pem).certs[0] as Cert;
const corp = pki.root('corp', 'Corp Proxy Root CA', { subjectPrefix: '/O=Corp' });
const distroExtra = pki.root('distro', 'Old Public Root', { subjectPrefix: '/O=Distro' });
const handMade = pki.root('hand', 'Hand Made Root CA', { subjectPrefix: '/O=Team' });
const chosen = pki.root('chosen', 'Chosen Root CA', { subjectPrefix: '/O=Elsewhere' });

// /etc/ssl/certs/ca-certificates.crt = two Mozilla roots + a distro-shipped extra + a locally added root.
const sysroot = join(root, 'sys');
mkdirSync(join(sysroot, 'etc/ssl/certs'), { recursive: true });
mkdirSync(join(sysroot, 'usr/share/ca-certificates/mozilla'), { recursive: true });
const mozillaTwo = rootCertificates.slice(0, 2).map((p) => `${p.trim()}\n`);
writeFileSync(
  join(sysroot, 'etc/ssl/certs/ca-certificates.crt'),
  [...mozillaTwo, distroExtra.pem, corp.pem].join(''),
);
writeFileSync(join(sysroot, 'usr/share/ca-certificates/mozilla/Old_Public_Root.crt'), distroExtra.pem);

const home = join(root, 'home');
mkdirSync(home);
const bundlePath = join(home, 'bundle.pem');
const file = (name: string, text: string) => {
  const p = join(home, name);
  writeFileSync(p, text);
  return p;
};
const ctx = (env: Record<string, string>): Context =>
  ({ env: { HOME: home, ...env }, home, cwd: home, platform: 'linux', sysroot }) as unknown as Context;

describe('bundleContents', () => {
  it('holds Mozilla, the chosen roots, the OS store beyond Mozilla, and the CA variables’ files', async () => {
    const fifo = join(home, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const big = file('big.pem', `${handMade.pem}${'#'.repeat(5 * 1024 * 1024)}\n`);
    const c = await bundleContents(
      [cert(chosen)],
      bundlePath,
      ctx({
        REQUESTS_CA_BUNDLE: file('team.pem', handMade.pem),
        SSL_CERT_FILE: bundlePath, // our own bundle from an earlier run: not a source
        CURL_CA_BUNDLE: fifo,
        NODE_EXTRA_CA_CERTS: big,
        PIP_CERT: join(home, 'gone.pem'),
      }),
    );
    expect(c.os.map((x) => x.subject).sort()).toEqual([
      'O=Corp, CN=Corp Proxy Root CA',
      'O=Distro, CN=Old Public Root',
    ]);
    expect(c.local.map((x) => x.subject)).toEqual(['O=Corp, CN=Corp Proxy Root CA']);
    expect(c.variables.map((v) => [v.cert.subject, v.from])).toEqual([
      ['O=Team, CN=Hand Made Root CA', `REQUESTS_CA_BUNDLE=${join(home, 'team.pem')}`],
    ]);
    expect(c.warnings).toEqual([
      `CURL_CA_BUNDLE=${fifo} is not a regular file: its roots are not in the bundle`,
      `PIP_CERT=${join(home, 'gone.pem')} does not exist: its roots are not in the bundle`,
      `NODE_EXTRA_CA_CERTS=${big} is larger than 4 MB: its roots are not in the bundle`,
    ]);
    expect(describeCounts(c.counts)).toBe(
      `${c.counts.mozilla} Mozilla roots + 1 chosen + 2 from the OS store + 1 from CA variables`,
    );
  });

  it('a chosen root already in the OS store counts once, as chosen', async () => {
    const c = await bundleContents([cert(corp)], bundlePath, ctx({}));
    expect(c.counts.groups).toEqual([
      { name: 'chosen', count: 1 },
      { name: 'from the OS store', count: 1 },
      { name: 'from CA variables', count: 0 },
    ]);
  });

  it('reads the OS store itself, not the file SSL_CERT_FILE names', async () => {
    const local = await osLocalRoots(ctx({ SSL_CERT_FILE: file('only-hand.pem', handMade.pem) }));
    expect(local.map((x) => x.subject)).toEqual(['O=Corp, CN=Corp Proxy Root CA']);
  });
});

describe('roots.pem', () => {
  it('remembers where a kept root came from', async () => {
    const c = ctx({});
    mkdirSync(join(rootsPath(c), '..'), { recursive: true });
    writeFileSync(
      rootsPath(c),
      renderRoots([
        { cert: cert(chosen), origin: 'os-store' },
        { cert: cert(handMade), origin: 'file', from: 'REQUESTS_CA_BUNDLE=/home/u/team.pem' },
      ]),
    );
    const back = await readChosenRoots(c);
    expect(back.map((r) => [r.cert.subject, r.origin, r.from])).toEqual([
      ['O=Elsewhere, CN=Chosen Root CA', 'os-store', undefined],
      ['O=Team, CN=Hand Made Root CA', 'file', 'REQUESTS_CA_BUNDLE=/home/u/team.pem'],
    ]);
  });
});

describe('clientCaFiles', () => {
  it("reads the CA file a client's own setting names, even when a CA variable hides it in this shell", async () => {
    // pip.conf `cert` (pip reads REQUESTS_CA_BUNDLE first: a shell with it set never sees the file) and
    // Cargo's CARGO_HTTP_CAINFO: real adapters reading the laptop-like HOME.
    mkdirSync(join(home, '.config', 'pip'), { recursive: true });
    writeFileSync(
      join(home, '.config', 'pip', 'pip.conf'),
      `[global]\ncert = ${file('team.pem', handMade.pem)}\n`,
    );
    const other = file('cargo-ca.pem', chosen.pem);
    const c = ctx({ REQUESTS_CA_BUNDLE: file('req.pem', corp.pem), CARGO_HTTP_CAINFO: other });
    const installs = [
      { client: pip, inst: { client: 'pip' as const, path: '/usr/bin/pip', details: {} } },
      { client: cargo, inst: { client: 'cargo' as const, path: '/usr/bin/cargo' } },
    ];
    const files = await clientCaFiles(installs, bundlePath, c);
    expect(files.map((f) => [f.path, f.certs?.map((x) => x.subject)])).toEqual([
      [join(home, 'req.pem'), ['O=Corp, CN=Corp Proxy Root CA']],
      [join(home, 'team.pem'), ['O=Team, CN=Hand Made Root CA']],
      [other, ['O=Elsewhere, CN=Chosen Root CA']],
    ]);
    // In the bundle: a CA variable's file once (as the variable), the settings' files as kept roots.
    const b = await bundleContents([], bundlePath, c, files);
    expect(b.variables.map((v) => v.cert.subject)).toEqual([
      'O=Corp, CN=Corp Proxy Root CA',
      'O=Team, CN=Hand Made Root CA',
      'O=Elsewhere, CN=Chosen Root CA',
    ]);
    rmSync(join(home, '.config'), { recursive: true });
  });

  it('skips our own bundle, the clients’ defaults and files that are not PEM (a Java keystore)', async () => {
    const jks = file('trust.jks', '\xfe\xed\xfe\xed binary keystore');
    const installs = [{ client: cargo, inst: { client: 'cargo' as const, path: '/usr/bin/cargo' } }];
    expect(await clientCaFiles(installs, bundlePath, ctx({ CARGO_HTTP_CAINFO: bundlePath }))).toEqual([]);
    expect(await clientCaFiles(installs, bundlePath, ctx({}))).toEqual([]);
    expect(await clientCaFiles(installs, bundlePath, ctx({ CARGO_HTTP_CAINFO: jks }))).toEqual([]);
  });
});
