/**
 * A second process for the lock and crash tests (run with `node --import tsx`): holds the lock, or runs
 * applyPlans and pauses at step N so the parent can kill -9 it exactly there.
 *   child.ts hold-lock <lockPath>
 *   child.ts apply '<json: { home, bundle, pauseAt?, slowMs?, targets, extra? }>'
 */
import { applyPlans } from '../../src/apply/execute.ts';
import { acquireLock } from '../../src/apply/lock.ts';
import { ctxFor, samplePlans } from './helpers.ts';

const forever = () => new Promise(() => setInterval(() => {}, 1 << 30));
const say = (line: string) => process.stdout.write(`${line}\n`);

const [mode, arg = ''] = process.argv.slice(2);
if (mode === 'hold-lock') {
  await acquireLock(arg);
  say('HELD');
  await forever();
} else if (mode === 'apply') {
  const o = JSON.parse(arg) as {
    home: string;
    bundle: string;
    pauseAt?: number;
    slowMs?: number;
    targets: never[];
    extra?: Record<string, string>;
  };
  let n = 0;
  say('READY');
  await applyPlans(samplePlans(o.home, o.bundle, o.extra), ctxFor(o.home), {
    envTargets: o.targets,
    onStep: async (step) => {
      n++;
      say(`STEP ${n} ${step.at} ${step.path}`);
      if (n === o.pauseAt) {
        say('PAUSED');
        await forever();
      }
      if (o.slowMs) await new Promise((r) => setTimeout(r, Math.random() * (o.slowMs as number)));
    },
  });
  say(`DONE ${n}`);
}
