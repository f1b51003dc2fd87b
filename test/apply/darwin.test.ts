/**
 * macOS persistence as data: the plan `fix` would apply on a Mac (zsh/bash startup files, the LaunchAgent),
 * applied to a temporary HOME with `launchctl` answered by a stand-in (launchctl cannot run here) that keeps
 * launchd's environment the way launchctl(1) documents getenv/setenv/unsetenv; then undo gives every file and
 * every launchd value back.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  applyPlans,
  type Journal,
  readJournal,
  renderUndoListing,
  undoAll,
  undoListing,
} from '../../src/apply/index.ts';
import { agentPath, launchAgentPlan, renderAgent } from '../../src/apply/launchd.ts';
import type { Plan } from '../../src/core/plan.ts';
import type { Runner } from '../../src/types.ts';
import { cleanupTemp, snapshot, tempDir } from './helpers.ts';

/** launchd's per-user environment, as `launchctl getenv/setenv/unsetenv` change it. */
function fakeLaunchd(initial: Record<string, string> = {}) {
  const env = new Map(Object.entries(initial));
  const calls: string[][] = [];
  const run: Runner = async (cmd, args) => {
    if (cmd !== 'launchctl') throw new Error(`unexpected ${cmd}`);
    calls.push([...args]);
    const [verb, name = '', value = ''] = args;
    if (verb === 'getenv') return { code: 0, stdout: env.has(name) ? `${env.get(name)}\n` : '', stderr: '' };
    if (verb === 'setenv') env.set(name, value);
    if (verb === 'unsetenv') env.delete(name);
    return { code: 0, stdout: '', stderr: '' };
  };
  return { env, calls, run };
}

afterEach(cleanupTemp);

describe('macOS persistence', () => {
  const bundle = '/Users/ana/Library/Application Support/certifix/bundle.pem';
  const plans = (home: string): Plan[] => {
    const base: Plan[] = [
      { owner: 'node', summary: '', changes: [{ kind: 'env', name: 'NODE_EXTRA_CA_CERTS', value: bundle }] },
      {
        owner: 'python-requests',
        summary: '',
        changes: [{ kind: 'env', name: 'REQUESTS_CA_BUNDLE', value: bundle }],
      },
    ];
    const agent = launchAgentPlan(base, { home });
    return agent ? [...base, agent] : base;
  };

  it('the plan: zsh and login-shell files, and a LaunchAgent that sets the variables at login', async () => {
    const home = tempDir();
    const ctx = { home, platform: 'darwin' as const, env: { HOME: home, SHELL: '/bin/zsh' } };
    const r = await applyPlans(plans(home), ctx, { dryRun: true, run: fakeLaunchd().run });
    expect(r.changed.map((c) => c.path).sort()).toEqual(
      [join(home, '.profile'), join(home, '.zshenv'), agentPath({ home })].sort(),
    );
    const plist = renderAgent({ NODE_EXTRA_CA_CERTS: bundle, REQUESTS_CA_BUNDLE: bundle });
    expect(plist).toContain(
      '<string>/bin/launchctl setenv NODE_EXTRA_CA_CERTS &quot;$1&quot;; /bin/launchctl setenv REQUESTS_CA_BUNDLE &quot;$2&quot;</string>',
    );
    expect(plist).toContain(`<string>${bundle}</string>`);
    expect(plist).toContain('<key>RunAtLoad</key>\n  <true/>');
    expect(renderAgent({ X: 'a<b&"c' })).toContain('<string>a&lt;b&amp;&quot;c</string>');
  });

  it('fix sets launchd now and writes the files; undo restores launchd and every byte', async () => {
    const home = tempDir();
    writeFileSync(join(home, '.zshenv'), 'export EDITOR=vim\n');
    const ctx = { home, platform: 'darwin' as const, env: { HOME: home, SHELL: '/bin/zsh' } };
    const launchd = fakeLaunchd({ REQUESTS_CA_BUNDLE: '/Users/ana/old.pem' });
    const before = snapshot(home);

    await applyPlans(plans(home), ctx, { run: launchd.run });
    expect(Object.fromEntries(launchd.env)).toEqual({
      NODE_EXTRA_CA_CERTS: bundle,
      REQUESTS_CA_BUNDLE: bundle,
    });
    expect(readFileSync(join(home, '.zshenv'), 'utf8')).toContain(`export NODE_EXTRA_CA_CERTS='${bundle}'`);
    expect(existsSync(agentPath({ home }))).toBe(true);

    // What undo lists before asking: the files and launchd's values, each with what it returns to.
    const listing = undoListing((await readJournal(ctx)) as Journal);
    expect(listing.launchd.sort()).toEqual([
      'launchctl NODE_EXTRA_CA_CERTS: unset',
      'launchctl REQUESTS_CA_BUNDLE: back to /Users/ana/old.pem',
    ]);
    expect(listing.files).toContain(agentPath({ home }));
    expect(renderUndoListing(listing)).toContain('macOS session environment (launchd):');

    const undone = await undoAll({ ...ctx, run: launchd.run });
    expect(undone.conflicts).toEqual([]);
    expect(Object.fromEntries(launchd.env)).toEqual({ REQUESTS_CA_BUNDLE: '/Users/ana/old.pem' });
    expect(snapshot(home)).toEqual(before);
    expect((await undoAll({ ...ctx, run: launchd.run })).nothing).toBe(true);
  });
});
