/**
 * `status()` on a temporary HOME: CA variables are judged by whether their file replaces a client's
 * defaults (then it needs public roots) or is added to them (NODE_EXTRA_CA_CERTS).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { certifixPaths } from '../../src/apply/paths.ts';
import { statusCommand } from '../../src/cli/status.ts';
import { status } from '../../src/commands/status.ts';
import { runProcess } from '../../src/context.ts';
import { memoryIo } from '../helpers/io.ts';
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

it("shows what is wrong with a client's store as the client resolves it, as diagnose does", async () => {
  const gone = join(home, 'gone-ssl.pem');
  const env = { PATH: process.env.PATH, HOME: home, SSL_CERT_FILE: gone };
  const report = await status({}, { env, home, cwd: home, platform: 'linux', run: runProcess });
  expect(report.clients.find((c) => c.id === 'curl')?.warnings).toEqual([
    expect.stringContaining(`SSL_CERT_FILE points to ${gone}, which does not exist`),
  ]);
});

it('prints a store warning several clients share once, and refers to it under the others', async () => {
  const gone = join(home, 'gone-shared.pem');
  const { io, out } = memoryIo({ PATH: process.env.PATH, HOME: home, SSL_CERT_FILE: gone }, home);
  expect(await statusCommand([], io)).toBe(1);
  const text = `SSL_CERT_FILE points to ${gone}, which does not exist`;
  const whole = out.stdout.split('\n').filter((l) => l.trim() === `warning: ${text}`);
  const refs = out.stdout.split('\n').filter((l) => /warning: the same as for [\w-]+, above$/.test(l));
  expect(whole).toHaveLength(1);
  expect(refs.length).toBeGreaterThan(0);
  // --json keeps each client's own
  const json = memoryIo(io.env, home);
  await statusCommand(['--json'], json.io);
  const shared = JSON.parse(json.out.stdout).clients.filter((c: { warnings?: string[] }) =>
    c.warnings?.includes(text),
  );
  expect(shared.length).toBe(refs.length + 1);
});

it('notes, without counting it in the exit code, a shell that started before fix set its variables', async () => {
  const h = mkdtempSync(join(home, 'stale-'));
  const env = { PATH: process.env.PATH, HOME: h };
  const paths = certifixPaths({ env, home: h, platform: 'linux' });
  mkdirSync(paths.dir, { recursive: true });
  const now = new Date().toISOString();
  const set = {
    REQUESTS_CA_BUNDLE: paths.bundle,
    NODE_EXTRA_CA_CERTS: paths.bundle,
    JAVA_TOOL_OPTIONS: `-Djavax.net.ssl.trustStore=${join(paths.dir, 'java-truststore.jks')}`,
  };
  const journal = { version: 1, createdAt: now, updatedAt: now, createdDirs: [], env: set, entries: [] };
  writeFileSync(paths.journal, JSON.stringify(journal));
  writeFileSync(paths.bundle, new Pki().root('stale', 'Stale Root').pem);
  const json = memoryIo(env, h);
  await statusCommand(['--json'], json.io);
  const findings = JSON.parse(json.out.stdout).findings as Array<{ id: string; severity: string }>;
  expect(findings.find((f) => f.id === 'shell-not-reloaded')?.severity).toBe('info');
  // (this machine's OS store adds findings of its own: the exit code counts those, never the note)
  const others = findings.some((f) => f.severity !== 'info');
  const stale = memoryIo(env, h);
  expect(await statusCommand([], stale.io)).toBe(others ? 1 : 0);
  expect(stale.out.stdout).toContain(
    'In this shell REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS, JAVA_TOOL_OPTIONS are not set (it started before `certifix fix`)',
  );
  expect(stale.out.stdout).toContain('run `exec $SHELL -l` in this one');
  const attention = stale.out.stdout.split('Needs attention:')[1] ?? '';
  expect(attention.split('\n  i ')[0]).not.toContain('In this shell');
  // the user's own JVM options changed since: the trust store is what counts
  const fresh = memoryIo({ ...env, ...set, JAVA_TOOL_OPTIONS: `-Xmx2g ${set.JAVA_TOOL_OPTIONS}` }, h);
  await statusCommand(['--json'], fresh.io);
  expect(JSON.parse(fresh.out.stdout).findings.map((f: { id: string }) => f.id)).not.toContain(
    'shell-not-reloaded',
  );
});

it('reads its own bundle, but never through a symlink: a planted link is drift, reported as such', async () => {
  const root = new Pki().root('own', 'Own Bundle Root');
  const report = async (make: (bundle: string) => void) => {
    const h = mkdtempSync(join(home, 'linked-'));
    const ctx = { env: { PATH: process.env.PATH, HOME: h }, home: h, cwd: h, platform: 'linux' as const };
    const paths = certifixPaths(ctx);
    mkdirSync(paths.dir, { recursive: true });
    const now = new Date().toISOString();
    const journal = { version: 1, createdAt: now, updatedAt: now, createdDirs: [], env: {}, entries: [] };
    writeFileSync(paths.journal, JSON.stringify(journal));
    make(paths.bundle);
    return { paths, report: await status({}, { ...ctx, run: runProcess }) };
  };
  const plain = await report((b) => writeFileSync(b, root.pem));
  expect(plain.report.bundle).toMatchObject({ exists: true, state: 'ok', count: 1 });

  const linked = await report((b) => symlinkSync(root.certPath, b));
  expect(linked.report.bundle).toMatchObject({ exists: false, state: 'symlink', count: 0 });
  const ids = linked.report.findings.map((f) => f.id);
  expect(ids).toContain('bundle-replaced');
  expect(ids).not.toContain('bundle-missing');
  const found = linked.report.findings.find((f) => f.id === 'bundle-replaced');
  expect(found?.message).toBe(
    `The bundle ${linked.paths.bundle} was replaced by a symlink to ${root.certPath}: clients pointed at the bundle now trust whatever that link leads to, and certifix does not read or write through it.`,
  );
  expect(found?.fix).toBe(
    `Remove the link (\`rm ${linked.paths.bundle}\`), then run \`certifix refresh\` to rebuild the bundle, or \`certifix undo\`.`,
  );

  // A FIFO in its place is not opened for a read that would wait for a writer.
  const fifo = await report((b) => execFileSync('mkfifo', [b]));
  expect(fifo.report.bundle).toMatchObject({ exists: false, state: 'unreadable' });
  expect(fifo.report.findings.find((f) => f.id === 'bundle-unreadable')?.message).toMatch(
    /is not a regular file/,
  );

  const gone = await report(() => {});
  expect(gone.report.bundle).toMatchObject({ exists: false, state: 'missing' });
  expect(gone.report.findings.map((f) => f.id)).toContain('bundle-missing');
}, 60_000); // four status() runs, each detecting every client on PATH
