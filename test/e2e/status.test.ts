/**
 * `certifix status` as a user runs it in a new terminal: what certifix configured, each client's CA source,
 * and drift (the bundle deleted, verification switched off, a CA variable naming a missing file).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lacks, missing } from '../helpers/has.ts';
import { Lab } from '../helpers/lab.ts';
import { type Laptop, REPO } from '../helpers/laptop.ts';

const CERTIFIX = `'${process.execPath}' '${join(REPO, 'bin', 'certifix.js')}'`;
const CLIENTS = ['python-requests', 'python-ssl', 'pip', 'curl', 'git', 'node', 'npm'];
/** The laptop's OS bundle (a Debian layout, as on the machine it runs on). */
const OS_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

interface Report {
  configured: boolean;
  bundle: { path: string; exists: boolean; count: number; added: number } | null;
  clients: Array<{ id: string; source: string; storePath: string | null; usesBundle: boolean }>;
  files: Array<{ path: string; state: string }>;
  findings: Array<{ id: string; message: string }>;
}

/** `certifix status --json` in a new login shell (so the dotfiles' variables are in effect). */
async function status(
  laptop: Laptop,
  env: Record<string, string> = {},
  kind: 'login' | 'interactive' = 'login',
) {
  const r = await laptop.shell(kind, `${CERTIFIX} status --json`, { env });
  return { code: r.code, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
}

const ids = (r: Report) => r.findings.map((f) => f.id);

describe.skipIf(lacks('sandbox'))(`status ${missing('sandbox')}`, () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await Lab.start({ squid: false, mitmproxy: false });
  });
  afterAll(() => lab?.close());

  it('shows the configured clients, reports drift, and forgets everything after undo', async () => {
    const laptop = await lab.laptop();
    const pristine = await status(laptop);
    expect(pristine.code, pristine.stderr).toBe(0);
    expect(pristine.report).toMatchObject({ configured: false, bundle: null, files: [], findings: [] });
    const text = await laptop.shell('login', `${CERTIFIX} status`);
    expect(text.stdout).toContain('certifix has not configured this machine');

    expect((await laptop.certifix(['fix', '--yes'])).code).toBe(0);
    const bundle = laptop.homePath('.local/share/certifix/bundle.pem');
    for (const kind of ['login', 'interactive'] as const) {
      const { code, report } = await status(laptop, {}, kind);
      expect(code, JSON.stringify(report.findings)).toBe(0);
      expect(report.configured).toBe(true);
      expect(report.bundle).toMatchObject({ path: bundle, exists: true, added: 2 });
      expect(report.findings).toEqual([]);
      expect([...new Set(report.clients.map((c) => c.id))]).toEqual(expect.arrayContaining([...CLIENTS]));
      // fix configures only the clients that need the bundle; the rest read the OS store, which holds the roots:
      // by their source, or by the file they read (Debian's certifi is patched to return the OS bundle, so a
      // package using the distro's certifi, e.g. python3-httplib2, reads it under the label 'certifi').
      const notUsing = report.clients
        .filter((c) => !c.usesBundle && !/(^|\+)system(\+|$)/.test(c.source) && c.storePath !== OS_BUNDLE)
        .map((c) => `${c.id} (${c.source})`);
      expect(notUsing, kind).toEqual([]);
      expect(report.files.every((f) => f.state === 'ok')).toBe(true);
    }
    const human = await laptop.shell('login', `${CERTIFIX} status`);
    expect(human.code).toBe(0);
    for (const id of ['python-requests', 'node', 'npm']) expect(human.stdout).toMatch(new RegExp(`✓ ${id} `));
    for (const id of ['curl', 'git']) expect(human.stdout).toMatch(new RegExp(`· ${id} +system`));
    expect(human.stdout).toContain('Nothing needs attention.');

    // The user deletes the bundle: every client pointed at it now fails.
    rmSync(bundle);
    const gone = await status(laptop);
    expect(gone.code).toBe(1);
    expect(ids(gone.report)).toContain('bundle-missing');
    expect(gone.report.bundle).toMatchObject({ exists: false });
    expect(gone.report.files.find((f) => f.path === bundle)?.state).toBe('missing');
    const human2 = await laptop.shell('login', `${CERTIFIX} status`);
    expect(human2.stdout).toContain(`${bundle} (missing)`);
    expect(human2.stdout).toContain('certifix refresh');
    // refresh rebuilds it, and status is clean again.
    const refresh = await laptop.certifix(['refresh']);
    expect(refresh.code, refresh.stderr).toBe(0);
    expect((await status(laptop)).report.findings).toEqual([]);

    // Verification switched off in the environment.
    const off = await status(laptop, { NODE_TLS_REJECT_UNAUTHORIZED: '0' });
    expect(off.code).toBe(1);
    expect(ids(off.report)).toEqual(['verification-disabled']);
    expect(off.report.findings[0]?.message).toContain('NODE_TLS_REJECT_UNAUTHORIZED');

    // A CA variable naming a file that is not there (set after the dotfiles, as a script would).
    const missingFile = laptop.homePath('nowhere.pem');
    const r = await laptop.shell(
      'login',
      `export REQUESTS_CA_BUNDLE='${missingFile}'; ${CERTIFIX} status --json`,
    );
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    // and a note that the shell's value is not the one certifix set for new shells
    expect(ids(report)).toEqual(['env-missing-file', 'shell-not-reloaded']);
    expect(report.findings[0]?.message).toContain(missingFile);

    expect((await laptop.certifix(['undo', '--yes'])).code).toBe(0);
    const after = await status(laptop);
    expect(after.code).toBe(0);
    expect(after.report).toMatchObject({ configured: false, bundle: null, files: [], findings: [] });
  });
});
