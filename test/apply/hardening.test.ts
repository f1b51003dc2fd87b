/**
 * Undo and partial failure, and a hostile HOME, with real files: user lines inside the managed block, a
 * deleted end marker, a write that fails half-way on an immutable directory (chattr +i stops root too), a
 * journal tampered to point outside HOME, symlinks planted in certifix's directory, a foreign-owned journal.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { drift } from '../../src/apply/drift.ts';
import { applyPlans } from '../../src/apply/execute.ts';
import { type Journal, sha256 } from '../../src/apply/journal.ts';
import { certifixPaths } from '../../src/apply/paths.ts';
import { undoAll } from '../../src/apply/undo.ts';
import { cleanupTemp, ctxFor, debianHome, samplePlans, snapshot, tempDir } from './helpers.ts';

const immutable: string[] = [];
afterAll(() => {
  for (const p of immutable.splice(0)) chattr('-i', p);
  cleanupTemp();
});

function chattr(flag: '+i' | '-i', path: string): boolean {
  const ok = spawnSync('chattr', [flag, path]).status === 0;
  if (ok && flag === '+i') immutable.push(path);
  return ok;
}

/** chattr +i needs root (CAP_LINUX_IMMUTABLE) and a file system that has the flag (ext4, xfs, btrfs). */
const canImmutable = (() => {
  const d = tempDir();
  const ok = chattr('+i', d) && chattr('-i', d);
  immutable.splice(0);
  return ok;
})();
const isRoot = process.getuid?.() === 0;

function setup() {
  const home = debianHome();
  writeFileSync(join(home, '.npmrc'), 'registry=https://registry.npmjs.org/\n');
  const ctx = ctxFor(home);
  const bundle = certifixPaths(ctx).bundle;
  return { home, ctx, bundle, plans: samplePlans(home, bundle), opts: { envTargets: ['profile' as const] } };
}

const read = (p: string) => readFileSync(p, 'utf8');

describe('undo after the user edited the managed block', () => {
  it('keeps a line the user added inside the block, and says so', async () => {
    const { home, ctx, plans, opts } = setup();
    const profile = join(home, '.profile');
    const original = read(profile);
    await applyPlans(plans, ctx, opts);
    const withBlock = read(profile);
    writeFileSync(
      profile,
      withBlock.replace(/^(export SSL_CERT_FILE=.*\n)/m, '$1export MY_PROXY=http://p:3128\n'),
    );
    const d = (await drift(ctx)).find((f) => f.path === profile);
    expect(d?.problems).toEqual([
      'line(s) added inside the certifix block (undo keeps them): export MY_PROXY=http://p:3128',
    ]);
    const u = await undoAll(ctx);
    expect(read(profile)).toBe(`${original}export MY_PROXY=http://p:3128\n`);
    expect(u.conflicts).toEqual([
      {
        path: profile,
        reason: expect.stringContaining(
          'kept the line(s) you added inside the certifix block: export MY_PROXY=http://p:3128',
        ),
      },
    ]);
  });

  it('a deleted end marker: status and undo name the file; undo removes only certifix’s lines', async () => {
    const { home, ctx, plans, opts } = setup();
    const profile = join(home, '.profile');
    writeFileSync(profile, `${read(profile)}# my own tail\n`);
    const original = read(profile);
    await applyPlans(plans, ctx, opts);
    // The user deletes the end marker and adds a line after the block.
    writeFileSync(profile, `${read(profile).replace('# <<< certifix <<<\n', '')}alias ll='ls -l'\n`);
    const d = (await drift(ctx)).find((f) => f.path === profile);
    expect(d?.state).toBe('edited');
    expect(d?.problems[0]).toMatch(/lost its begin or end marker/);
    const u = await undoAll(ctx);
    expect(read(profile)).toBe(`${original}alias ll='ls -l'\n`);
    expect(u.conflicts.find((c) => c.path === profile)?.reason).toMatch(
      /begin or end marker was missing; removed only the lines certifix wrote/,
    );
    expect(existsSync(certifixPaths(ctx).dir)).toBe(false);
  });
});

describe('status reads the files certifix changed, bounded and never through a link put in their place', () => {
  it('a dotfile replaced by a symlink is drift naming the link, and is not read', async () => {
    const { home, ctx, plans, opts } = setup();
    await applyPlans(plans, ctx, opts);
    const profile = join(home, '.profile');
    rmSync(profile);
    symlinkSync('/dev/zero', profile); // read whole, it would never end
    const d = (await drift(ctx)).find((f) => f.path === profile);
    expect(d).toMatchObject({
      state: 'edited',
      problems: ['the file was replaced by a symlink to /dev/zero'],
    });
  });

  it("a FIFO in a dotfile's place is drift, not a read that waits for a writer", async () => {
    const { home, ctx, plans, opts } = setup();
    await applyPlans(plans, ctx, opts);
    const profile = join(home, '.profile');
    rmSync(profile);
    execFileSync('mkfifo', [profile]);
    const d = (await drift(ctx)).find((f) => f.path === profile);
    expect(d?.state).toBe('edited');
    expect(d?.problems[0]).toMatch(/could not read .*\.profile \(not a regular file\)/);
  });
});

describe.skipIf(!canImmutable)(
  `a fix that fails half-way${canImmutable ? '' : ' (skipped: chattr +i needs root on ext4/xfs/btrfs)'}`,
  () => {
    it('rolls back what it wrote: HOME is byte for byte as before, status shows nothing configured', async () => {
      const { home, ctx, plans, opts } = setup();
      mkdirSync(join(home, '.config', 'pip'), { recursive: true });
      const before = snapshot(home);
      expect(chattr('+i', join(home, '.config', 'pip'))).toBe(true);
      const err = await applyPlans(plans, ctx, opts).catch((e: Error) => e);
      chattr('-i', join(home, '.config', 'pip'));
      expect(err).toMatchObject({ code: 'IO' });
      expect((err as Error).message).toMatch(
        /could not write .*\.config\/pip\/pip\.conf \(operation not permitted\); the files certifix had changed in this run were put back, nothing changed/,
      );
      expect(snapshot(home)).toEqual(before);
      expect(await drift(ctx)).toEqual([]);
    });

    it('a later run that fails half-way puts back that run’s files and journal', async () => {
      const { home, ctx, bundle, plans, opts } = setup();
      await applyPlans(plans, ctx, opts);
      const before = snapshot(home);
      const again = samplePlans(home, bundle, { CURL_CA_BUNDLE: bundle });
      again[0] = { ...again[0], changes: [{ kind: 'file', path: bundle, content: 'new bundle\n' }] } as never;
      // The new bundle is written first; ~/.profile (its block gains CURL_CA_BUNDLE) cannot be.
      chattr('+i', home);
      const err = await applyPlans(again, ctx, opts).catch((e: Error) => e);
      chattr('-i', home);
      expect((err as Error).message).toMatch(
        /\.profile \(operation not permitted\); .* put back, nothing changed/,
      );
      expect(snapshot(home)).toEqual(before);
      expect((await drift(ctx)).every((f) => f.state === 'ok')).toBe(true);
    });

    it('when putting back fails too, it says exactly to run certifix undo (which then works)', async () => {
      const { home, ctx, plans, opts } = setup();
      const before = snapshot(home);
      const pipDir = join(home, '.config', 'pip');
      const err = await applyPlans(plans, ctx, {
        ...opts,
        // pip.conf is written; before ~/.npmrc is, HOME and ~/.config/pip become immutable.
        onStep: (s) => {
          if (s.at === 'journal' && s.path === join(home, '.npmrc')) {
            chattr('+i', home);
            chattr('+i', pipDir);
          }
        },
      }).catch((e: CertifixLike) => e);
      chattr('-i', home);
      chattr('-i', pipDir);
      expect(err).toMatchObject({ code: 'IO', hint: expect.stringMatching(/^run `certifix undo`/) });
      expect((err as Error).message).toMatch(/undoing the files changed so far failed too/);
      expect((await drift(ctx)).find((f) => f.path.endsWith('pip.conf'))?.state).toBe('ok');
      await undoAll(ctx);
      expect(snapshot(home)).toEqual(before);
    });
  },
);

type CertifixLike = Error & { code?: string; hint?: string };

describe('a hostile HOME', () => {
  it('refuses a journal entry pointing outside HOME, changing nothing at all', async () => {
    const { home, ctx, plans, opts } = setup();
    await applyPlans(plans, ctx, opts);
    const victim = join(tempDir(), 'victim.conf');
    writeFileSync(victim, 'system setting\n');
    const path = certifixPaths(ctx).journal;
    const j = JSON.parse(read(path)) as Journal;
    j.entries.push({
      ...(j.entries[0] as Journal['entries'][number]),
      path: victim,
      existedBefore: true,
      beforeBytes: Buffer.from('pwned\n').toString('base64'),
      beforeSha256: sha256('pwned\n'),
      ours: [sha256('system setting\n')],
      edits: [{ kind: 'file' }],
    });
    writeFileSync(path, JSON.stringify(j));
    const configured = snapshot(home);
    const err = await undoAll(ctx).catch((e: CertifixLike) => e);
    expect(err).toMatchObject({ code: 'REFUSED' });
    expect((err as Error).message).toContain(`names files outside what certifix may change: ${victim}`);
    expect(read(victim)).toBe('system setting\n');
    expect(snapshot(home)).toEqual(configured);
  });

  it('refuses a ../ path that only looks like it is in HOME', async () => {
    const { ctx, plans, opts } = setup();
    await applyPlans(plans, ctx, opts);
    const path = certifixPaths(ctx).journal;
    const j = JSON.parse(read(path)) as Journal;
    (j.entries[0] as Journal['entries'][number]).path = join(ctx.home, '.config', '..', '..', 'etc-like');
    writeFileSync(path, JSON.stringify(j));
    await expect(undoAll(ctx)).rejects.toMatchObject({ code: 'REFUSED' });
  });

  it.each(['bundle', 'journal', 'lock'] as const)(
    'never writes through a symlink planted at the %s path',
    async (which) => {
      const { ctx, plans, opts } = setup();
      const paths = certifixPaths(ctx);
      mkdirSync(paths.dir, { recursive: true });
      const outside = join(tempDir(), 'target');
      writeFileSync(outside, 'not certifix’s\n');
      symlinkSync(outside, paths[which]);
      await expect(applyPlans(plans, ctx, opts)).rejects.toMatchObject({
        code: 'REFUSED',
        message: expect.stringContaining(`${paths[which]} (certifix’s own file) is a symbolic link`),
      });
      expect(read(outside)).toBe('not certifix’s\n');
      await expect(undoAll(ctx)).rejects.toMatchObject({ code: 'REFUSED' });
      expect(read(outside)).toBe('not certifix’s\n');
    },
  );

  it('a symlinked data directory is refused too', async () => {
    const { ctx, plans, opts } = setup();
    const paths = certifixPaths(ctx);
    const elsewhere = tempDir();
    mkdirSync(join(paths.dir, '..'), { recursive: true });
    symlinkSync(elsewhere, paths.dir);
    await expect(applyPlans(plans, ctx, opts)).rejects.toMatchObject({ code: 'REFUSED' });
    expect(existsSync(join(elsewhere, 'bundle.pem'))).toBe(false);
  });

  it.skipIf(!isRoot)('sudo in a user’s HOME: certifix’s files are the user’s, and undo works', async () => {
    const { home, ctx, plans, opts } = setup();
    chownSync(home, 4242, 4242);
    const before = snapshot(home);
    await applyPlans(plans, ctx, opts);
    const paths = certifixPaths(ctx);
    for (const p of [join(home, '.local'), paths.dir, paths.journal, paths.bundle]) {
      expect(statSync(p).uid).toBe(4242);
    }
    await undoAll(ctx);
    expect(snapshot(home)).toEqual(before);
    chownSync(home, 0, 0);
  });

  it.skipIf(!isRoot)('as root, refuses a journal that HOME’s owner does not own', async () => {
    const { home, ctx, plans, opts } = setup();
    await applyPlans(plans, ctx, opts);
    // HOME belongs to uid 4242; the journal stays root's, as if someone else had planted it.
    chownSync(home, 4242, 4242);
    const configured = snapshot(home);
    const err = await undoAll(ctx).catch((e: CertifixLike) => e);
    expect(err).toMatchObject({ code: 'REFUSED' });
    expect((err as Error).message).toMatch(/belongs to uid 0, not to .*'s owner \(uid 4242\); refusing/);
    expect(snapshot(home)).toEqual(configured);
    chownSync(home, 0, 0);
    rmSync(certifixPaths(ctx).lock, { force: true });
  });
});
