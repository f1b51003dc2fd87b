import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { drift } from '../../src/apply/drift.ts';
import { applyPlans } from '../../src/apply/execute.ts';
import { readJournal } from '../../src/apply/journal.ts';
import { certifixPaths } from '../../src/apply/paths.ts';
import type { EnvTargetId } from '../../src/apply/shells.ts';
import { undoAll } from '../../src/apply/undo.ts';
import { cleanupTemp, ctxFor, debianHome, samplePlans, snapshot } from './helpers.ts';

afterAll(cleanupTemp);

const ALL: EnvTargetId[] = ['profile', 'bashrc', 'zshenv', 'fish', 'environment.d'];

function setup(envTargets = ALL) {
  const home = debianHome();
  writeFileSync(join(home, '.npmrc'), 'registry=https://registry.npmjs.org/\n');
  writeFileSync(join(home, '.gitconfig'), '[user]\n\tname = Me\n[http]\n\tproxy = http://proxy:3128\n');
  const ctx = ctxFor(home);
  const bundle = certifixPaths(ctx).bundle;
  return { home, ctx, bundle, plans: samplePlans(home, bundle), opts: { envTargets } };
}

const read = (p: string) => readFileSync(p, 'utf8');

describe('applyPlans', () => {
  it('dry run describes every change and writes nothing', async () => {
    const { home, ctx, plans, opts } = setup();
    const before = snapshot(home);
    const r = await applyPlans(plans, ctx, { ...opts, dryRun: true });
    expect(snapshot(home)).toEqual(before);
    expect(r.dryRun).toBe(true);
    const byPath = Object.fromEntries(r.changed.map((c) => [c.path.slice(home.length), c]));
    expect(Object.keys(byPath).sort()).toEqual(
      [
        '/.bashrc',
        '/.config/environment.d/60-certifix.conf',
        '/.config/fish/conf.d/certifix.fish',
        '/.config/pip/pip.conf',
        '/.gitconfig',
        '/.local/share/certifix/bundle.pem',
        '/.npmrc',
        '/.profile',
        '/.zshenv',
      ].sort(),
    );
    expect(byPath['/.gitconfig']).toMatchObject({ action: 'modify', removed: [], owners: ['git'] });
    expect(byPath['/.gitconfig']?.added).toEqual([`\tsslCAInfo = ${certifixPaths(ctx).bundle}`]);
    expect(byPath['/.zshenv']?.action).toBe('create');
    expect(byPath['/.bashrc']?.added).toContain(`export REQUESTS_CA_BUNDLE='${certifixPaths(ctx).bundle}'`);
  });

  it('applies, then a second run changes nothing (not even rewrites)', async () => {
    const { home, ctx, plans, opts } = setup();
    const first = await applyPlans(plans, ctx, opts);
    expect(first.changed).toHaveLength(9);
    const after = snapshot(home);
    const journalMtime = statSync(certifixPaths(ctx).journal).mtimeMs;
    const second = await applyPlans(plans, ctx, opts);
    expect(second.changed).toEqual([]);
    expect(second.unchanged).toHaveLength(9);
    expect(snapshot(home)).toEqual(after);
    expect(statSync(certifixPaths(ctx).journal).mtimeMs).toBe(journalMtime);
    expect(read(join(home, '.bashrc')).startsWith('# >>> certifix >>>\n')).toBe(true);
    expect(existsSync(certifixPaths(ctx).lock)).toBe(false);
  });

  it('undo restores every byte of HOME; a second undo is a no-op', async () => {
    const { home, ctx, plans, opts } = setup();
    const before = snapshot(home);
    await applyPlans(plans, ctx, opts);
    const u = await undoAll(ctx);
    expect(u.conflicts).toEqual([]);
    expect(u.nothing).toBe(false);
    expect(u.restored.map((p) => p.slice(home.length)).sort()).toEqual([
      '/.bashrc',
      '/.gitconfig',
      '/.npmrc',
      '/.profile',
    ]);
    expect(u.removed).toHaveLength(5);
    expect(snapshot(home)).toEqual(before);
    expect(await undoAll(ctx)).toEqual({ restored: [], removed: [], conflicts: [], nothing: true });
    expect(snapshot(home)).toEqual(before);
  });

  it('a second fix with another bundle and more variables keeps the original bytes for undo', async () => {
    const { home, ctx, opts } = setup();
    const before = snapshot(home);
    // Bundles in the test's HOME: a plan's file change is written for real.
    const [a, b] = [join(home, '.a.pem'), join(home, '.b b.pem')];
    await applyPlans(samplePlans(home, a), ctx, opts);
    await applyPlans(samplePlans(home, b, { NODE_EXTRA_CA_CERTS: b }), ctx, opts);
    const bashrc = read(join(home, '.bashrc'));
    expect(bashrc.match(/# >>> certifix >>>/g)).toHaveLength(1);
    expect(bashrc).toContain(`export NODE_EXTRA_CA_CERTS='${b}'`);
    expect(bashrc).not.toContain(a);
    expect(read(join(home, '.gitconfig'))).toContain(`sslCAInfo = ${b}\n`);
    expect(read(join(home, '.gitconfig')).match(/sslCAInfo/g)).toHaveLength(1);
    await undoAll(ctx);
    expect(snapshot(home)).toEqual(before);
  });

  it('undo keeps the user’s later edits and removes only certifix’s lines', async () => {
    const { home, ctx, plans, opts } = setup();
    const orig = { bashrc: read(join(home, '.bashrc')), npmrc: read(join(home, '.npmrc')) };
    await applyPlans(plans, ctx, opts);
    writeFileSync(join(home, '.bashrc'), `${read(join(home, '.bashrc'))}alias ll='ls -l'\n`);
    writeFileSync(join(home, '.npmrc'), `${read(join(home, '.npmrc'))}save-exact=true\n`);
    const git = read(join(home, '.gitconfig')).replace(/sslCAInfo = .*/, 'sslCAInfo = /their/own.pem');
    writeFileSync(join(home, '.gitconfig'), git);

    const d = Object.fromEntries((await drift(ctx)).map((x) => [x.path.slice(home.length), x]));
    expect(d['/.bashrc']?.state).toBe('ok'); // our block is intact; the alias is theirs
    expect(d['/.profile']?.state).toBe('ok');
    expect(d['/.gitconfig']).toMatchObject({
      state: 'edited',
      problems: [expect.stringMatching(/now \/their\/own.pem/)],
    });

    const u = await undoAll(ctx);
    expect(read(join(home, '.bashrc'))).toBe(`${orig.bashrc}alias ll='ls -l'\n`);
    expect(read(join(home, '.npmrc'))).toBe(`${orig.npmrc}save-exact=true\n`);
    expect(read(join(home, '.gitconfig'))).toBe(git);
    expect(u.conflicts.map((c) => c.path.slice(home.length)).sort()).toEqual([
      '/.bashrc',
      '/.gitconfig',
      '/.npmrc',
    ]);
    expect(u.conflicts.find((c) => c.path.endsWith('.gitconfig'))?.reason).toMatch(
      /changed to "\/their\/own.pem"/,
    );
  });

  it('edits the target of a symlinked ~/.bashrc and keeps the link', async () => {
    const { home, ctx, plans, opts } = setup();
    mkdirSync(join(home, 'dotfiles'));
    writeFileSync(join(home, 'dotfiles', 'bashrc'), read(join(home, '.bashrc')));
    await import('node:fs/promises').then((f) => f.rm(join(home, '.bashrc')));
    symlinkSync('dotfiles/bashrc', join(home, '.bashrc'));
    const before = snapshot(home);
    const r = await applyPlans(plans, ctx, opts);
    expect(r.changed.find((c) => c.path === join(home, '.bashrc'))?.target).toBe(
      join(home, 'dotfiles', 'bashrc'),
    );
    expect(lstatSync(join(home, '.bashrc')).isSymbolicLink()).toBe(true);
    expect(read(join(home, 'dotfiles', 'bashrc'))).toMatch(/^# >>> certifix >>>/);
    await undoAll(ctx);
    expect(snapshot(home)).toEqual(before);
  });

  it('preserves mode 0600 (and the owner, when run as root)', async () => {
    const { home, ctx, plans, opts } = setup();
    chmodSync(join(home, '.bashrc'), 0o600);
    chmodSync(join(home, '.npmrc'), 0o640);
    const root = process.getuid?.() === 0;
    if (root) chownSync(join(home, '.bashrc'), 4321, 4321);
    const before = snapshot(home);
    await applyPlans(plans, ctx, opts);
    expect(statSync(join(home, '.bashrc')).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, '.npmrc')).mode & 0o777).toBe(0o640);
    if (root) expect(statSync(join(home, '.bashrc')).uid).toBe(4321);
    await undoAll(ctx);
    expect(snapshot(home)).toEqual(before);
  });

  it('puts the block below a user export of the same variable, and undo gives the user’s world back', async () => {
    const { home, ctx, plans, opts } = setup();
    writeFileSync(
      join(home, '.bashrc'),
      `${read(join(home, '.bashrc'))}export REQUESTS_CA_BUNDLE=/their/file\n`,
    );
    const before = snapshot(home);
    const r = await applyPlans(plans, ctx, opts);
    expect(r.warnings).toEqual([]);
    const text = read(join(home, '.bashrc'));
    expect(text.indexOf('# >>> certifix >>>')).toBeGreaterThan(
      text.indexOf('REQUESTS_CA_BUNDLE=/their/file'),
    );
    expect((await drift(ctx)).find((x) => x.path.endsWith('.bashrc'))?.problems).toEqual([]);
    await undoAll(ctx);
    expect(snapshot(home)).toEqual(before);
  });

  it('reports a user export added after the block, and undo keeps it', async () => {
    const { home, ctx, plans, opts } = setup();
    await applyPlans(plans, ctx, opts);
    writeFileSync(
      join(home, '.bashrc'),
      `${read(join(home, '.bashrc'))}export REQUESTS_CA_BUNDLE=/their/file\n`,
    );
    expect((await drift(ctx)).find((x) => x.path.endsWith('.bashrc'))?.problems).toEqual([
      expect.stringMatching(/sets REQUESTS_CA_BUNDLE again after the certifix block/),
    ]);
    await undoAll(ctx);
    expect(read(join(home, '.bashrc'))).toMatch(/export REQUESTS_CA_BUNDLE=\/their\/file\n$/);
  });

  it('keeps its files under $XDG_DATA_HOME and records what it configured', async () => {
    const { home, opts } = setup();
    const ctx = ctxFor(home, { XDG_DATA_HOME: join(home, 'data') });
    const bundle = certifixPaths(ctx).bundle;
    expect(bundle).toBe(join(home, 'data', 'certifix', 'bundle.pem'));
    const before = snapshot(home);
    await applyPlans(samplePlans(home, bundle), ctx, opts);
    const j = await readJournal(ctx);
    expect(j?.env).toEqual({ REQUESTS_CA_BUNDLE: bundle, SSL_CERT_FILE: bundle });
    expect(j?.createdDirs).toEqual([join(home, 'data'), join(home, 'data', 'certifix')]);
    const bashrc = j?.entries.find((e) => e.path === join(home, '.bashrc'));
    expect(bashrc).toMatchObject({
      existedBefore: true,
      kinds: ['env'],
      edits: [{ kind: 'block', where: 'top' }],
    });
    expect(Buffer.from(bashrc?.beforeBytes ?? '', 'base64').toString()).toBe(read('/etc/skel/.bashrc'));
    await undoAll(ctx);
    expect(snapshot(home)).toEqual(before);
  });

  it('refuses relative paths and multi-line values before writing anything', async () => {
    const { home, ctx, opts } = setup();
    const before = snapshot(home);
    await expect(
      applyPlans(
        [{ owner: 'x', summary: '', changes: [{ kind: 'npmrc', path: '.npmrc', key: 'a', value: 'b' }] }],
        ctx,
        opts,
      ),
    ).rejects.toMatchObject({ code: 'USAGE' });
    await expect(
      applyPlans(
        [{ owner: 'x', summary: '', changes: [{ kind: 'env', name: 'A', value: 'x\ny' }] }],
        ctx,
        opts,
      ),
    ).rejects.toMatchObject({ code: 'REFUSED' });
    expect(snapshot(home)).toEqual(before);
  });
});
