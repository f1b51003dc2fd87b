/**
 * An OS store holding its own copy of a Mozilla root, re-issued with other dates (Debian keeps Firmaprofesional's
 * 2009 root beside Mozilla's 2014 re-issue: same name, same key, another certificate). It is the OS store's,
 * not a CA variable's: when a variable or pip.conf names the OS bundle it is neither remembered in roots.pem
 * nor counted as outside the OS store (which would refuse NODE_USE_SYSTEM_CA). A re-issue the OS lacks (in a
 * CA variable's file) is the same anchor as Mozilla's: not remembered, not outside either. "Mozilla" here is
 * Node's list plus one root made in the test (the real ones' keys are not ours to re-issue).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { type Cert, parseCerts } from '../../src/core/cert.ts';
import { describeCounts } from '../../src/fix/contents.ts';
import { planFix } from '../../src/fix/plan.ts';
import type { Context } from '../../src/types.ts';
import { Pki } from '../helpers/pki.ts';

const fake = vi.hoisted(() => ({ mozilla: [] as Array<import('../../src/core/cert.ts').Cert> }));
vi.mock('../../src/stores/mozilla.ts', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/stores/mozilla.ts')>();
  const same = (a: Cert, b: Cert) => a.subject === b.subject && a.x509.publicKey.equals(b.x509.publicKey);
  return {
    ...m,
    mozillaRoots: () => [...m.mozillaRoots(), ...fake.mozilla],
    isMozillaRoot: (c: Cert) => m.isMozillaRoot(c) || fake.mozilla.some((f) => same(f, c)),
  };
});

const pki = new Pki();
const dir = mkdtempSync(join(tmpdir(), 'certifix-reissued-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(pki.dir, { recursive: true, force: true });
});
const cert = (pem: string): Cert => parseCerts(pem).certs[0] as Cert;

/** The same name and key as `name`'s root, self-signed again with other dates and serial. */
function reissue(name: string, subject: string, days: number, serial: number): string {
  const out = join(pki.dir, `${name}-reissue-${serial}.pem`);
  execFileSync('openssl', [
    'req',
    '-new',
    '-x509',
    '-key',
    join(pki.dir, `${name}.key`),
    '-subj',
    subject,
    '-days',
    String(days),
    '-set_serial',
    String(serial),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    out,
  ]);
  return readFileSync(out, 'utf8');
}

const moz = pki.root('moz', 'Public Root CA', { subjectPrefix: '/O=Public' });
fake.mozilla.push(cert(moz.pem));
const osCopy = reissue('moz', '/O=Public/CN=Public Root CA', 4000, 77);
const otherCopy = reissue('moz', '/O=Public/CN=Public Root CA', 5000, 78);
const corp = pki.root('corp', 'Corp Root CA', { subjectPrefix: '/O=Corp' });

// The OS bundle: the re-issued copy of the "Mozilla" root and a locally added root.
const sysroot = join(dir, 'sys');
mkdirSync(join(sysroot, 'etc/ssl/certs'), { recursive: true });
const osBundle = join(sysroot, 'etc/ssl/certs/ca-certificates.crt');
writeFileSync(osBundle, [osCopy, corp.pem].join(''));

/** A HOME and PATH whose only Node says it is 24.6 (it honours NODE_USE_SYSTEM_CA). */
function context(env: Record<string, string>): Context {
  const home = mkdtempSync(join(dir, 'home-'));
  const bin = join(home, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'node'), '#!/bin/sh\necho v24.6.0\n');
  chmodSync(join(bin, 'node'), 0o755);
  return {
    env: { HOME: home, PATH: bin, ...env },
    home,
    cwd: home,
    platform: 'linux',
    sysroot,
    run: async (cmd) =>
      cmd === join(bin, 'node')
        ? { code: 0, stdout: 'v24.6.0\n', stderr: '' }
        : { code: 127, stdout: '', stderr: '' },
  } as Context;
}

const nodePlan = (fix: Awaited<ReturnType<typeof planFix>>) => fix.plans.find((p) => p.owner === 'node');

describe('an OS copy of a Mozilla root, re-issued', () => {
  it('is counted as the OS store’s, not remembered, and not outside the OS store', async () => {
    expect(cert(osCopy).sha256).not.toBe(cert(moz.pem).sha256);
    // A CA variable naming the OS bundle (as pip.conf's `cert` does on this kind of machine).
    const fix = await planFix([], { clients: ['node'] }, context({ REQUESTS_CA_BUNDLE: osBundle }));
    expect(fix.roots).toEqual([]);
    expect(fix.contents.os.map((c) => c.sha256).sort()).toEqual(
      [cert(osCopy).sha256, cert(corp.pem).sha256].sort(),
    );
    expect(fix.contents.local.map((c) => c.subject)).toEqual(['O=Corp, CN=Corp Root CA']);
    expect(describeCounts(fix.contents.counts)).toBe(
      `${fix.contents.counts.mozilla} Mozilla roots + 2 from the OS store`,
    );
    // Both copies stay in the bundle: a client pointed at it keeps every certificate it trusted.
    const bundle = fix.plans[0]?.changes.find((c) => c.kind === 'file' && c.path === fix.bundlePath);
    const shas = parseCerts(bundle && 'content' in bundle ? bundle.content : '').certs.map((c) => c.sha256);
    expect(shas).toEqual(expect.arrayContaining([cert(moz.pem).sha256, cert(osCopy).sha256]));
    expect(nodePlan(fix)?.changes).toEqual([{ kind: 'env', name: 'NODE_USE_SYSTEM_CA', value: '1' }]);
  });

  it('a re-issue the OS store lacks, in a CA variable’s file, is the same anchor as Mozilla’s', async () => {
    const home = context({});
    const file = join(home.home, 'public.pem');
    writeFileSync(file, otherCopy);
    const ctx = { ...home, env: { ...home.env, REQUESTS_CA_BUNDLE: file } };
    const fix = await planFix([], { clients: ['node'] }, ctx);
    expect(fix.roots).toEqual([]); // nothing kept in roots.pem for `refresh` to carry forever
    expect(describeCounts(fix.contents.counts)).toBe(
      `${fix.contents.counts.mozilla} Mozilla roots + 2 from the OS store + 1 from CA variables`,
    );
    expect(nodePlan(fix)?.changes).toEqual([{ kind: 'env', name: 'NODE_USE_SYSTEM_CA', value: '1' }]);
  });

  it('a root from a CA variable’s file that is nobody’s copy is still remembered and outside the OS store', async () => {
    const other = pki.root('team', 'Team Root CA', { subjectPrefix: '/O=Team' });
    const home = context({});
    const file = join(home.home, 'team.pem');
    writeFileSync(file, other.pem);
    const ctx = { ...home, env: { ...home.env, REQUESTS_CA_BUNDLE: file } };
    const fix = await planFix([], { clients: ['node'] }, ctx);
    expect(fix.roots.map((r) => [r.cert.subject, r.from])).toEqual([
      ['O=Team, CN=Team Root CA', `REQUESTS_CA_BUNDLE=${file}`],
    ]);
    expect(nodePlan(fix)?.changes).toEqual([
      { kind: 'env', name: 'NODE_EXTRA_CA_CERTS', value: fix.bundlePath },
    ]);
    expect(nodePlan(fix)?.notes?.[0]).toMatch(
      /a root to trust is not in the OS store \(O=Team, CN=Team Root CA\)/,
    );
  });
});
