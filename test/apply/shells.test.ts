/**
 * The managed blocks reach real new shells: `env -i` login and interactive bash, and dash as a login
 * shell, on a HOME holding Debian's skeleton dotfiles (the early-return ~/.bashrc included).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPlans } from '../../src/apply/execute.ts';
import { envTargets } from '../../src/apply/shells.ts';
import { undoAll } from '../../src/apply/undo.ts';
import type { Plan } from '../../src/core/plan.ts';
import { lacks, missing } from '../helpers/has.ts';
import { cleanupTemp, ctxFor, debianHome, snapshot } from './helpers.ts';

afterAll(cleanupTemp);

const BUNDLE = "/opt/My Certs/it's $HOME.pem";
const plans: Plan[] = [
  {
    owner: 'python-requests',
    summary: '',
    changes: [
      { kind: 'env', name: 'REQUESTS_CA_BUNDLE', value: BUNDLE },
      { kind: 'env', name: 'SSL_CERT_FILE', value: BUNDLE },
    ],
  },
];

/** `env -i HOME=… <shell> <flags> 'printf %s "$REQUESTS_CA_BUNDLE"'`: what a brand-new shell sees. */
function fresh(home: string, shell: string, flags: string): string {
  const cmd = 'printf %s "$REQUESTS_CA_BUNDLE"';
  return execFileSync('env', ['-i', `HOME=${home}`, 'PATH=/usr/bin:/bin', 'TERM=dumb', shell, flags, cmd], {
    stdio: ['ignore', 'pipe', 'ignore'], // interactive bash without a tty complains about job control
    timeout: 10_000,
  }).toString();
}

describe('new shells pick up the managed block', () => {
  it('detects ~/.profile and ~/.bashrc for a bash user on Debian', () => {
    const home = debianHome();
    const ids = envTargets(
      ctxFor(home),
      undefined,
      (p) => p.startsWith(home) && ['/.bashrc', '/.profile'].includes(p.slice(home.length)),
    );
    expect(ids.map((t) => t.id)).toEqual(['profile', 'bashrc']);
  });

  it('bash -lc, bash -ic and sh -lc (dash) see the variables; after undo they do not', async () => {
    const home = debianHome();
    const ctx = ctxFor(home);
    const before = snapshot(home);
    const r = await applyPlans(plans, ctx);
    expect(r.changed.map((c) => c.path.slice(home.length))).toEqual(
      expect.arrayContaining(['/.profile', '/.bashrc']),
    );
    expect(fresh(home, 'bash', '-lc')).toBe(BUNDLE);
    expect(fresh(home, 'bash', '-ic')).toBe(BUNDLE);
    expect(fresh(home, 'sh', '-lc')).toBe(BUNDLE);
    if (!lacks('dash')) expect(fresh(home, 'dash', '-lc')).toBe(BUNDLE);
    await undoAll(ctx);
    expect(snapshot(home)).toEqual(before);
    expect(fresh(home, 'bash', '-lc')).toBe('');
    expect(fresh(home, 'bash', '-ic')).toBe('');
  });

  it('also writes ~/.bash_profile when the user has one (bash then ignores ~/.profile)', async () => {
    const home = debianHome();
    writeFileSync(join(home, '.bash_profile'), 'export EDITOR=vi\n'); // does not source ~/.profile
    const ctx = ctxFor(home);
    const before = snapshot(home);
    const r = await applyPlans(plans, ctx);
    expect(r.changed.map((c) => c.path.slice(home.length))).toContain('/.bash_profile');
    expect(fresh(home, 'bash', '-lc')).toBe(BUNDLE);
    expect(fresh(home, 'sh', '-lc')).toBe(BUNDLE);
    await undoAll(ctx);
    expect(snapshot(home)).toEqual(before);
  });

  it('a user export in ~/.bashrc: the block goes below it and wins in interactive shells', async () => {
    const home = debianHome();
    writeFileSync(
      join(home, '.bashrc'),
      `${execFileSync('cat', ['/etc/skel/.bashrc'])}export REQUESTS_CA_BUNDLE=/theirs\n`,
    );
    const r = await applyPlans(plans, ctxFor(home));
    expect(r.warnings.join('\n')).not.toMatch(/after the certifix block/);
    expect(fresh(home, 'bash', '-ic')).toBe(BUNDLE);
    await undoAll(ctxFor(home));
    expect(fresh(home, 'bash', '-ic')).toBe('/theirs');
  });

  it.skipIf(lacks('zsh'))(`zsh -c sees the variables (~/.zshenv) ${missing('zsh')}`, async () => {
    const home = debianHome();
    await applyPlans(plans, ctxFor(home), { envTargets: ['zshenv'] });
    expect(fresh(home, 'zsh', '-c')).toBe(BUNDLE);
  });

  it.skipIf(lacks('fish'))(`fish -c sees the variables (conf.d) ${missing('fish')}`, async () => {
    const home = debianHome();
    await applyPlans(plans, ctxFor(home), { envTargets: ['fish'] });
    expect(fresh(home, 'fish', '-c')).toBe(BUNDLE);
  });
});
