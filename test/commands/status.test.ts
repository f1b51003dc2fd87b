/**
 * `status()` on a temporary HOME: CA variables are judged by whether their file replaces a client's
 * defaults (then it needs public roots) or is added to them (NODE_EXTRA_CA_CERTS).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { certifixPaths } from '../../src/apply/paths.ts';
import { status } from '../../src/commands/status.ts';
import { runProcess } from '../../src/context.ts';
import { Pki } from '../helpers/pki.ts';

const home = mkdtempSync(join(tmpdir(), 'certifix-status-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

it('warns about a replacing CA file without public roots and a missing one, not about an added one', async () => {
  const root = new Pki().root('corp', 'Corp Root CA');
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    REQUESTS_CA_BUNDLE: root.certPath, // replaces certifi: public sites break
    NODE_EXTRA_CA_CERTS: root.certPath, // added to Node's roots: fine
    PIP_CERT: join(home, 'gone.pem'),
  };
  const report = await status({}, { env, home, cwd: home, platform: 'linux', run: runProcess });
  const about = (id: string) =>
    report.findings.filter((f) => f.id === id).map((f) => f.message.split(' ')[0]);
  expect(about('env-no-public-roots')).toEqual(['REQUESTS_CA_BUNDLE']);
  expect(about('env-missing-file')).toEqual(['PIP_CERT']);
  expect(report.configured).toBe(false);
});

it('reads its own bundle, but never through a symlink (a planted link reads as a missing bundle)', async () => {
  const root = new Pki().root('own', 'Own Bundle Root');
  const report = async (link: boolean) => {
    const h = mkdtempSync(join(home, 'linked-'));
    const ctx = { env: { PATH: process.env.PATH, HOME: h }, home: h, cwd: h, platform: 'linux' as const };
    const paths = certifixPaths(ctx);
    mkdirSync(paths.dir, { recursive: true });
    const now = new Date().toISOString();
    const journal = { version: 1, createdAt: now, updatedAt: now, createdDirs: [], env: {}, entries: [] };
    writeFileSync(paths.journal, JSON.stringify(journal));
    if (link) symlinkSync(root.certPath, paths.bundle);
    else writeFileSync(paths.bundle, root.pem);
    return status({}, { ...ctx, run: runProcess });
  };
  expect((await report(false)).bundle).toMatchObject({ exists: true, count: 1 });
  const linked = await report(true);
  expect(linked.bundle).toMatchObject({ exists: false, count: 0 });
  expect(linked.findings.map((f) => f.id)).toContain('bundle-missing');
}, 30_000); // two status() runs, each detecting every client on PATH
