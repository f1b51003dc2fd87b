/**
 * The whole fix/undo on macOS as data, on Linux: the store read through a `security` stand-in that replays the
 * fixtures in test/stores/fixtures (README there cites each): Apple's roots for SystemRootCertificates, a root
 * in System.keychain, and the admin domain's trust settings as recorded by `security trust-settings-export -d`
 * on a real Mac ("Never Trust" on AddTrust Class 1 CA Root, no constraints on the System keychain's root). The
 * roots it yields are planned into a bundle under ~/Library/Application Support, the zsh/login-shell blocks and
 * the LaunchAgent, applied with `launchctl` answered as launchctl(1) documents it, then undone byte for byte.
 * Only `node` is planned (its detection finds this process's Node), so the plan does not depend on what else
 * this machine has installed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyPlans, undoAll } from '../../src/apply/index.ts';
import { agentPath } from '../../src/apply/launchd.ts';
import { type Cert, toPem } from '../../src/core/cert.ts';
import { osLocalRoots } from '../../src/fix/contents.ts';
import { planFix } from '../../src/fix/plan.ts';
import { systemStore } from '../../src/stores/index.ts';
import { parsePemCached } from '../../src/stores/load.ts';
import type { Context, Runner } from '../../src/types.ts';
import { cleanupTemp, snapshot, tempDir } from '../apply/helpers.ts';
import { ADMIN_2017, fakeSecurity, fixture as fx } from '../helpers/fake-security.ts';

afterEach(cleanupTemp);

/** `security` answering from the recordings (fake-security.ts), and launchd's environment as launchctl keeps it. */
function fakeMac(launchd: Map<string, string>, login: string): Runner {
  const security = fakeSecurity({ ...ADMIN_2017, login });
  return async (cmd, args, opts) => {
    if (cmd !== 'launchctl') return security(cmd, args, opts);
    const [verb, name = '', value = ''] = args;
    if (verb === 'setenv') launchd.set(name, value);
    if (verb === 'unsetenv') launchd.delete(name);
    const stdout = verb === 'getenv' && launchd.has(name) ? `${launchd.get(name)}\n` : '';
    return { code: 0, stdout, stderr: '' };
  };
}

describe('macOS fix and undo, as data', () => {
  it('"Never Trust" removes a root even from the roots Apple ships', async () => {
    const store = await systemStore({ env: {}, platform: 'darwin', run: fakeMac(new Map(), '') });
    const addTrust = (c: Cert) => c.subject.includes('CN=AddTrust Class 1 CA Root');
    // Listed among the shipped roots, then removed by the admin domain's Deny for its SHA-1.
    expect(store.shipped?.filter(addTrust)).toHaveLength(1);
    expect(store.certs.filter(addTrust)).toEqual([]);
    expect(store.certs).toHaveLength(store.shipped?.length ?? 0); // one denied, the System keychain's root added
  });

  it('trusts the "Always Trust" root, not the "Never Trust" one; plans zsh, launchd and the agent; undo restores', async () => {
    const home = tempDir();
    const launchd = new Map([['NODE_EXTRA_CA_CERTS', '/Users/ana/old.pem']]);
    // In the login keychain too, the root the admin domain marks "Never Trust" (kSecTrustSettingsResultDeny).
    const denied = parsePemCached(fx('security-find-certificate-system-roots.txt')).find((c) =>
      c.subject.includes('CN=AddTrust Class 1 CA Root'),
    );
    if (!denied) throw new Error('fixture');
    const ctx: Context = {
      env: { HOME: home, SHELL: '/bin/zsh', PATH: process.env.PATH },
      home,
      cwd: home,
      platform: 'darwin',
      run: fakeMac(launchd, toPem(denied)),
    };
    const local = await osLocalRoots(ctx);
    // The System keychain's root, which the admin domain trusts without constraints; not Apple's own roots.
    expect(local.map((c) => c.subject)).toEqual([
      'C=US, O=GeoTrust Inc., OU=(c) 2008 GeoTrust Inc. - For authorized use only, CN=GeoTrust Primary Certification Authority - G3',
    ]);

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
    expect(bundleText).toContain('GeoTrust Primary Certification Authority - G3');
    expect(bundleText).not.toContain(toPem(denied).split('\n')[1]);

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
