/**
 * kill -9 during apply: a real child process runs applyPlans on a temp HOME and is killed at every step
 * (journal written / temp file ready / renamed) and at random moments. Every file must then hold either its
 * old bytes or its new bytes, and undoAll must give back the exact original HOME.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPlans } from '../../src/apply/execute.ts';
import { certifixPaths } from '../../src/apply/paths.ts';
import type { EnvTargetId } from '../../src/apply/shells.ts';
import { undoAll } from '../../src/apply/undo.ts';
import { cleanupTemp, ctxFor, debianHome, samplePlans, snapshot } from './helpers.ts';
import { runChild } from './spawn.ts';

afterAll(cleanupTemp);

const targets: EnvTargetId[] = ['profile', 'bashrc', 'fish', 'environment.d'];

/** The files of a tree without certifix's own bookkeeping (journal, lock) and without leftover temp files. */
function files(snap: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(snap).filter(
      ([p, v]) =>
        v.startsWith('file') &&
        !/\/certifix\/(journal\.json|lock)$/.test(p) &&
        !/\.certifix-.*\.tmp$/.test(p),
    ),
  );
}

function expectOldOrNew(
  now: Record<string, string>,
  old: Record<string, string>,
  fresh: Record<string, string>,
) {
  for (const [p, v] of Object.entries(files(now))) {
    expect([old[p], fresh[p]], p).toContain(v);
  }
}

/** A HOME plus the before / after snapshots of a complete run (`reapply`: a second fix over a first one). */
async function scenario(reapply: boolean) {
  const home = debianHome();
  const ctx = ctxFor(home);
  const bundle = certifixPaths(ctx).bundle;
  // A second bundle in the test's HOME: a plan's file change is written for real.
  const bundleB = join(home, '.other bundle.pem');
  const original = snapshot(home);
  if (reapply) await applyPlans(samplePlans(home, bundle), ctx, { envTargets: targets });
  const old = snapshot(home);
  const secondBundle = reapply ? bundleB : bundle;
  const extra: Record<string, string> = reapply ? { NODE_EXTRA_CA_CERTS: bundleB } : {};
  await applyPlans(samplePlans(home, secondBundle, extra), ctx, { envTargets: targets });
  const fresh = snapshot(home);
  // Back to the starting point for the crash runs.
  await undoAll(ctx);
  expect(snapshot(home)).toEqual(original);
  if (reapply) await applyPlans(samplePlans(home, bundle), ctx, { envTargets: targets });
  const arg = (pauseAt?: number, slowMs?: number) =>
    JSON.stringify({ home, bundle: secondBundle, extra, targets, pauseAt, slowMs });
  return { home, ctx, original, old, fresh, arg };
}

async function afterKill(s: Awaited<ReturnType<typeof scenario>>) {
  expectOldOrNew(snapshot(s.home), files(s.old), files(s.fresh));
  const journal = join(certifixPaths(s.ctx).dir, 'journal.json');
  if (existsSync(journal)) expect(() => JSON.parse(readFileSync(journal, 'utf8'))).not.toThrow(); // never torn
  await undoAll(s.ctx);
  expect(snapshot(s.home)).toEqual(s.original);
  expect(await undoAll(s.ctx)).toMatchObject({ nothing: true });
}

describe.each([
  ['first fix', false],
  ['second fix over a first one', true],
])('kill -9 during %s', (_name, reapply) => {
  it('at every step, then undo restores the original HOME', { timeout: 180_000 }, async () => {
    const s = await scenario(reapply);
    const dry = runChild('apply', s.arg());
    const done = await dry.waitFor(/^DONE \d+$/);
    await dry.exited;
    await undoAll(s.ctx);
    if (reapply)
      await applyPlans(samplePlans(s.home, certifixPaths(s.ctx).bundle), s.ctx, { envTargets: targets });
    const steps = Number(done.split(' ')[1]);
    expect(steps).toBeGreaterThanOrEqual(3 * 5);
    for (let n = 1; n <= steps; n++) {
      const child = runChild('apply', s.arg(n));
      await child.waitFor(/^PAUSED$/);
      await child.kill9();
      await afterKill(s);
      if (reapply)
        await applyPlans(samplePlans(s.home, certifixPaths(s.ctx).bundle), s.ctx, { envTargets: targets });
    }
  });

  it('at random moments', { timeout: 120_000 }, async () => {
    const s = await scenario(reapply);
    for (let i = 0; i < 6; i++) {
      const child = runChild('apply', s.arg(undefined, 8));
      await child.waitFor(/^READY$/);
      await new Promise((r) => setTimeout(r, Math.random() * 120));
      await child.kill9();
      await afterKill(s);
      if (reapply)
        await applyPlans(samplePlans(s.home, certifixPaths(s.ctx).bundle), s.ctx, { envTargets: targets });
    }
  });
});
