/**
 * VS Code cannot run here: its adapter goes through the contract on recorded settings (fixtures/vscode) and a
 * PKI made in the test, with the client's verdict taken from its store (stores/load.ts trustIndex +
 * core/predict.ts) instead of a real run: detect → fails → plan → apply → verifies → undo → fails → undo
 * again is a no-op, the plans applied and undone by the real executor in a temporary HOME.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlans, certifixPaths, undoAll } from '../../src/apply/index.ts';
import { vscode, vscodeSetting } from '../../src/clients/vscode.ts';
import { renderBundle } from '../../src/core/bundle.ts';
import { type Cert, parseCerts } from '../../src/core/cert.ts';
import type { Plan } from '../../src/core/plan.ts';
import { defaultPolicy, predict } from '../../src/core/predict.ts';
import { envAfter } from '../../src/fix/plan.ts';
import { trustIndex } from '../../src/stores/load.ts';
import { mozillaRoots } from '../../src/stores/mozilla.ts';
import type { Context, Installation } from '../../src/types.ts';
import { lacks, missing } from '../helpers/has.ts';
import { Pki } from '../helpers/pki.ts';
import { makeChain } from '../helpers/servers.ts';

const FIX = join(import.meta.dirname, 'fixtures', 'vscode');
const dir = mkdtempSync(join(tmpdir(), 'certifix-vscode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const home = join(dir, 'home');
const sysroot = join(dir, 'sys');
const user = join(home, '.config', 'Code', 'User');

const ctx = (env: NodeJS.ProcessEnv = {}): Context => ({
  env: { PATH: join(dir, 'bin'), HOME: home, ...env },
  home,
  cwd: home,
  platform: 'linux',
  sysroot,
  run: async () => ({ code: 1, stdout: '', stderr: 'not run' }),
});

describe('vscode settings', () => {
  it('reads a boolean written in JSON with comments', () => {
    expect(vscodeSetting('{\n\t"http.systemCertificates": false,\n}', 'http.systemCertificates')).toBe(false);
    expect(
      vscodeSetting('{\n  // "http.systemCertificates": false\n}', 'http.systemCertificates'),
    ).toBeNull();
    expect(vscodeSetting('{ "http.proxyStrictSSL": true }', 'http.proxyStrictSSL')).toBe(true);
  });
});

describe.skipIf(lacks('openssl'))(`vscode contract on recorded settings ${missing('openssl')}`, () => {
  let leaf: Cert;
  let untrusted: Cert[];
  let root: string;
  beforeAll(() => {
    const chain = makeChain(new Pki(), 'vscode', 'VSCode Corp');
    [leaf, ...untrusted] = parseCerts(chain.leaf.pem + chain.intermediate.pem).certs as [Cert, ...Cert[]];
    root = chain.root.pem;
    // The OS bundle @vscode/proxy-agent reads: Mozilla's roots, not the company's.
    mkdirSync(join(sysroot, 'etc', 'ssl', 'certs'), { recursive: true });
    writeFileSync(
      join(sysroot, 'etc', 'ssl', 'certs', 'ca-certificates.crt'),
      renderBundle({ mozilla: mozillaRoots(), extra: [] }),
    );
  });

  const verdict = async (inst: Installation, c: Context) => {
    const source = await vscode.trust(inst, c);
    return predict(defaultPolicy(source.profile), {
      leaf,
      untrusted,
      trusted: trustIndex(source),
      host: 'localhost',
    });
  };

  it.for([
    ['default settings (none written)', null],
    ['http.systemCertificates false', 'settings-system-certificates-off.json'],
  ] as const)('%s', async ([, fixture]) => {
    rmSync(home, { recursive: true, force: true });
    mkdirSync(user, { recursive: true });
    if (fixture) copyFileSync(join(FIX, fixture), join(user, 'settings.json'));
    const c = ctx();
    const [inst] = await vscode.detect(c);
    expect(inst).toMatchObject({ client: 'vscode', path: user });
    const i = inst as Installation;
    const t = await vscode.trust(i, c);
    expect(t.files).toEqual(fixture ? [] : [join(sysroot, 'etc', 'ssl', 'certs', 'ca-certificates.crt')]);
    expect(t.ignores?.some((x) => /http\.systemCertificates is false/.test(x))).toBe(fixture !== null);

    const before = await verdict(i, c);
    expect(before.ok).toBe(false);

    const bundle = certifixPaths(c).bundle;
    const content = renderBundle({ mozilla: mozillaRoots(), extra: parseCerts(root).certs });
    const plans: Plan[] = [
      { owner: 'certifix', summary: 'bundle', changes: [{ kind: 'file', path: bundle, content }] },
      vscode.plan(i, bundle, c),
    ];
    expect((await applyPlans(plans, c)).changed.length).toBeGreaterThan(0);
    expect(await verdict(i, { ...c, env: envAfter(plans, c.env) })).toMatchObject({ ok: true });
    expect((await applyPlans(plans, c)).changed).toEqual([]);

    expect((await undoAll(c)).nothing).toBe(false);
    expect(await verdict(i, c)).toMatchObject({ ok: false, code: before.code });
    expect((await undoAll(c)).nothing).toBe(true);
  });
});
