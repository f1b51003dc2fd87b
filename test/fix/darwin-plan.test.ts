/**
 * The whole fix/undo on macOS as data, on Linux: the store read through a `security` stand-in that replays the
 * listings in test/stores/fixtures (README there says which are recordings and which are assembled), the
 * roots it yields planned into a bundle under ~/Library/Application Support, the zsh/login-shell blocks and
 * the LaunchAgent, applied with `launchctl` answered as launchctl(1) documents it, then undone byte for byte.
 * Only `node` is planned (its detection finds this process's Node), so the plan does not depend on what else
 * this machine has installed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyPlans, undoAll } from '../../src/apply/index.ts';
import { agentPath } from '../../src/apply/launchd.ts';
import { osLocalRoots } from '../../src/fix/contents.ts';
import { planFix } from '../../src/fix/plan.ts';
import { systemStore } from '../../src/stores/index.ts';
import type { Context, Runner } from '../../src/types.ts';
import { cleanupTemp, snapshot, tempDir } from '../apply/helpers.ts';
import { Pki } from '../helpers/pki.ts';

const fx = (n: string) => readFileSync(join(import.meta.dirname, '..', 'stores', 'fixtures', n), 'utf8');
afterEach(cleanupTemp);

/** `security` answering from the fixtures, and launchd's environment as launchctl getenv/setenv/unsetenv keep it. */
function fakeMac(launchd: Map<string, string>, login: string, extraRoots = ''): Runner {
  return async (cmd, args) => {
    const ok = (stdout: string) => ({ code: 0, stdout, stderr: '' });
    if (cmd === 'security' && args[0] === 'find-certificate') {
      const keychain = args[3] ?? '';
      if (keychain.includes('SystemRootCertificates'))
        return ok(fx('security-find-certificate-system-roots.txt') + extraRoots);
      if (keychain === '/Library/Keychains/System.keychain')
        return ok(fx('security-find-certificate-system-keychain.txt'));
      return ok(login); // the login keychain (the default search list)
    }
    if (cmd === 'security' && args[0] === 'dump-trust-settings') {
      // -d: the admin domain (an "Always Trust" and a "Never Trust" root); none: the user domain, recorded.
      return ok(
        fx(
          args[1] === '-d'
            ? 'security-dump-trust-settings-admin.txt'
            : 'security-dump-trust-settings-go24652.txt',
        ),
      );
    }
    if (cmd === 'launchctl') {
      const [verb, name = '', value = ''] = args;
      if (verb === 'getenv') return ok(launchd.has(name) ? `${launchd.get(name)}\n` : '');
      if (verb === 'setenv') launchd.set(name, value);
      if (verb === 'unsetenv') launchd.delete(name);
      return ok('');
    }
    return { code: 127, stdout: '', stderr: `${cmd}: not found` };
  };
}

describe('macOS fix and undo, as data', () => {
  it('"Never Trust" removes a root even from the roots Apple ships', async () => {
    const denied = new Pki().root('untrusted-shipped', 'Untrusted Test CA');
    const run = fakeMac(new Map(), '', denied.pem);
    const ctx = { env: {}, platform: 'darwin' as const, run };
    const shipped = await systemStore({ ...ctx, run: fakeMac(new Map(), '') });
    const store = await systemStore(ctx);
    // Listed among the shipped roots, then removed by the admin domain's Deny for its label.
    expect(store.certs.map((c) => c.sha256)).toEqual(shipped.certs.map((c) => c.sha256));
    expect(store.certs.some((c) => c.subject.includes('Untrusted Test CA'))).toBe(false);
    const listed = await fakeMac(
      new Map(),
      '',
      denied.pem,
    )('security', [
      'find-certificate',
      '-a',
      '-p',
      '/System/Library/Keychains/SystemRootCertificates.keychain',
    ]);
    expect(listed.stdout).toContain(denied.pem.trim());
  });

  it('trusts the "Always Trust" root, not the "Never Trust" one; plans zsh, launchd and the agent; undo restores', async () => {
    const home = tempDir();
    const launchd = new Map([['NODE_EXTRA_CA_CERTS', '/Users/ana/old.pem']]);
    // In the login keychain, the root the admin domain marks "Never Trust" (kSecTrustSettingsResultDeny).
    const denied = new Pki().root('untrusted', 'Untrusted Test CA');
    const ctx: Context = {
      env: { HOME: home, SHELL: '/bin/zsh', PATH: process.env.PATH },
      home,
      cwd: home,
      platform: 'darwin',
      run: fakeMac(launchd, denied.pem),
    };
    const local = await osLocalRoots(ctx);
    expect(local.map((c) => c.subject)).toEqual(['O=Example Corp, CN=Example Corp Root CA']);

    const fix = await planFix(
      local.map((cert) => ({ cert, origin: 'os-store' as const })),
      { clients: ['node'] },
      ctx,
    );
    const bundle = join(home, 'Library', 'Application Support', 'certifix', 'bundle.pem');
    const changes = fix.plans.flatMap((p) =>
      p.changes.map((c) => ('path' in c ? c.path : `${c.kind}:${'name' in c ? c.name : ''}`)),
    );
    expect(changes).toEqual([
      bundle,
      join(home, 'Library', 'Application Support', 'certifix', 'roots.pem'),
      'env:NODE_EXTRA_CA_CERTS',
      agentPath({ home }),
    ]);
    const bundleText =
      fix.plans[0]?.changes[0] && 'content' in fix.plans[0].changes[0] ? fix.plans[0].changes[0].content : '';
    expect(bundleText).toContain('Example Corp Root CA');
    expect(bundleText).not.toContain(denied.pem.split('\n')[1]);

    const before = snapshot(home);
    const applied = await applyPlans(fix.plans, ctx);
    expect(applied.changed.map((c) => c.path).sort()).toEqual(
      [
        bundle,
        join(home, 'Library', 'Application Support', 'certifix', 'roots.pem'),
        join(home, '.profile'),
        join(home, '.zshenv'),
        agentPath({ home }),
      ].sort(),
    );
    expect(readFileSync(join(home, '.zshenv'), 'utf8')).toContain(`export NODE_EXTRA_CA_CERTS='${bundle}'`);
    expect(launchd.get('NODE_EXTRA_CA_CERTS')).toBe(bundle);
    expect(readFileSync(agentPath({ home }), 'utf8')).toContain(`<string>${bundle}</string>`);

    const undone = await undoAll(ctx);
    expect(undone.conflicts).toEqual([]);
    expect(undone.restored).toContain('launchctl NODE_EXTRA_CA_CERTS');
    expect(launchd.get('NODE_EXTRA_CA_CERTS')).toBe('/Users/ana/old.pem');
    expect(existsSync(agentPath({ home }))).toBe(false);
    expect(snapshot(home)).toEqual(before);
  });
});
