import { spawnSync } from 'node:child_process';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPlans } from '../../src/apply/execute.ts';
import { acquireLock } from '../../src/apply/lock.ts';
import { certifixPaths } from '../../src/apply/paths.ts';
import { undoAll } from '../../src/apply/undo.ts';
import { cleanupTemp, ctxFor, debianHome, samplePlans, snapshot, tempDir } from './helpers.ts';
import { runChild } from './spawn.ts';

afterAll(cleanupTemp);

function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

function lockedHome() {
  const home = debianHome();
  const ctx = ctxFor(home);
  const paths = certifixPaths(ctx);
  mkdirSync(paths.dir, { recursive: true });
  return {
    home,
    ctx,
    paths,
    plans: samplePlans(home, paths.bundle),
    opts: { envTargets: ['profile' as const] },
  };
}

describe('lock', () => {
  it('a second concurrent run fails with LOCKED, naming the holder', async () => {
    const { ctx, paths, plans, opts } = lockedHome();
    const child = runChild('hold-lock', paths.lock);
    try {
      await child.waitFor(/^HELD$/);
      await expect(applyPlans(plans, ctx, opts)).rejects.toMatchObject({
        code: 'LOCKED',
        message: `another certifix run (pid ${child.proc.pid}) is changing this machine; wait for it or remove ${paths.lock} if it crashed`,
      });
      await expect(undoAll(ctx)).rejects.toMatchObject({ code: 'LOCKED' });
    } finally {
      await child.kill9();
    }
    // The holder was killed -9: its lock is stale now and the next run takes it over.
    const r = await applyPlans(plans, ctx, opts);
    expect(r.changed.length).toBeGreaterThan(0);
  });

  it('takes over a stale lock left by a dead pid', async () => {
    const { home, ctx, paths, plans, opts } = lockedHome();
    writeFileSync(
      paths.lock,
      JSON.stringify({ pid: deadPid(), startedAt: Date.now() - 1000, host: hostname() }),
    );
    await applyPlans(plans, ctx, opts);
    writeFileSync(paths.lock, JSON.stringify({ pid: deadPid(), startedAt: Date.now(), host: hostname() }));
    await undoAll(ctx);
    expect(snapshot(home)['/.local/share/certifix']).toBeUndefined();
  });

  it('treats a torn (empty) lock as held while fresh, stale once old', async () => {
    const dir = tempDir();
    const path = join(dir, 'lock');
    writeFileSync(path, '');
    await expect(acquireLock(path)).rejects.toMatchObject({ code: 'LOCKED' });
    utimesSync(path, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const lock = await acquireLock(path);
    await lock.release();
  });

  it('never breaks a lock held on another host (shared HOME)', async () => {
    const path = join(tempDir(), 'lock');
    writeFileSync(path, JSON.stringify({ pid: deadPid(), startedAt: 0, host: `not-${hostname()}` }));
    await expect(acquireLock(path)).rejects.toMatchObject({ code: 'LOCKED' });
  });

  it('is exclusive within one process too', async () => {
    const path = join(tempDir(), 'lock');
    const held = await acquireLock(path);
    const [a, b] = await Promise.allSettled([acquireLock(path), acquireLock(path)]);
    expect(a.status).toBe('rejected');
    expect(b.status).toBe('rejected');
    await held.release();
    await (await acquireLock(path)).release();
  });
});
