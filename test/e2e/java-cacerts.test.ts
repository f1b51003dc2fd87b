/**
 * `certifix fix --java-cacerts` on a COPY of the installed JDK, never the real one: the copy's bin/java and
 * lib/server/libjvm.so are real files (the launcher and hotspot find java.home from their own paths, so
 * symlinks would lead back to the real JDK), everything else links to the real JDK, and lib/security/cacerts
 * is a symlink to a copy of the real keystore elsewhere, as Debian's JDKs link theirs to
 * /etc/ssl/certs/java/cacerts. A real java.net.http.HttpClient program (the adapter's probe) run without
 * JAVA_TOOL_OPTIONS fails on the internal CA, verifies after the import, and fails again after `undo`, which
 * gives the keystore back byte for byte. After a JDK update put the original keystore back, `refresh` imports
 * again the same way.
 */
import { execFileSync } from 'node:child_process';
import {
  chownSync,
  copyFileSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { java } from '../../src/clients/java.ts';
import type { Context, Verdict } from '../../src/types.ts';
import { lacks, missing, which } from '../helpers/has.ts';
import { Lab } from '../helpers/lab.ts';
import type { Laptop } from '../helpers/laptop.ts';
import { CLIENT_NOISE } from '../helpers/snapshot.ts';

/** A Java home at `dir/jdk` whose cacerts links to `dir/etc-java/cacerts`, a copy of the real one. */
function copyJdk(dir: string): { home: string; cacerts: string; target: string } {
  const real = dirname(dirname(realpathSync(which('java') as string)));
  const home = join(dir, 'jdk');
  const linkAll = (from: string, to: string, except: string[]) => {
    mkdirSync(to, { recursive: true });
    for (const n of readdirSync(from)) if (!except.includes(n)) symlinkSync(join(from, n), join(to, n));
  };
  linkAll(real, home, ['bin', 'lib']);
  linkAll(join(real, 'lib'), join(home, 'lib'), ['server', 'security']);
  linkAll(join(real, 'lib', 'server'), join(home, 'lib', 'server'), ['libjvm.so']);
  copyFileSync(join(real, 'lib', 'server', 'libjvm.so'), join(home, 'lib', 'server', 'libjvm.so'));
  mkdirSync(join(home, 'bin'));
  for (const b of ['java', 'keytool']) copyFileSync(join(real, 'bin', b), join(home, 'bin', b));
  linkAll(join(real, 'lib', 'security'), join(home, 'lib', 'security'), ['cacerts']);
  const target = join(dir, 'etc-java', 'cacerts');
  mkdirSync(dirname(target));
  copyFileSync(join(real, 'lib', 'security', 'cacerts'), target);
  const cacerts = join(home, 'lib', 'security', 'cacerts');
  symlinkSync(target, cacerts);
  return { home, cacerts, target };
}

const keytool = (home: string, args: string[]) =>
  execFileSync(join(home, 'bin', 'keytool'), args, {
    encoding: 'utf8',
    env: { PATH: '/usr/bin:/bin' },
    stdio: ['ignore', 'pipe', 'ignore'], // keytool warns about a file named cacerts opened with -keystore
  });

describe.skipIf(lacks('sandbox', 'java'))(`Java fix --java-cacerts ${missing('sandbox', 'java')}`, () => {
  let lab: Lab;
  const dirs: string[] = [];
  beforeAll(async () => {
    lab = await Lab.start();
  });
  afterAll(async () => {
    await lab?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** A laptop whose only Java is a fresh copy of the JDK (first on PATH, and JAVA_HOME). */
  async function setUp(): Promise<{ laptop: Laptop; jdk: ReturnType<typeof copyJdk> }> {
    const dir = mkdtempSync(join(tmpdir(), 'certifix-jdk-'));
    dirs.push(dir);
    const jdk = copyJdk(dir);
    const laptop = await lab.laptop({ env: { JAVA_HOME: jdk.home } });
    laptop.env.PATH = `${join(jdk.home, 'bin')}:${laptop.env.PATH}`;
    return { laptop, jdk };
  }

  /** The probe against the internal-CA service, with no JAVA_TOOL_OPTIONS or other JVM options at all. */
  async function internal(laptop: Laptop): Promise<Verdict> {
    const ctx: Context = laptop.context();
    for (const v of ['JAVA_TOOL_OPTIONS', 'JDK_JAVA_OPTIONS', '_JAVA_OPTIONS']) delete ctx.env[v];
    const [inst] = await java.detect(ctx);
    if (!inst) throw new Error('the copied java is not found on the laptop');
    return java.check(inst, lab.internal.url, ctx);
  }

  const aliases = (home: string, store: string, pass = 'changeit') =>
    keytool(home, ['-list', '-keystore', store, '-storepass', pass])
      .split('\n')
      .filter((l) => /trustedCertEntry/.test(l))
      .map((l) => l.split(',')[0] as string);

  it('imports the roots into the copied cacerts, a real HttpClient verifies, undo restores every byte', async () => {
    const { laptop, jdk } = await setUp();
    const original = readFileSync(jdk.target);
    const had = aliases(jdk.home, jdk.target);
    expect(await internal(laptop)).toMatchObject({ ok: false, code: 'VERIFY_FAILED' });
    const home = await laptop.snapshotHome({ ignore: CLIENT_NOISE });

    const dry = await laptop.certifix(['fix', '--client', 'java', '--java-cacerts', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`would modify ${jdk.cacerts} → ${jdk.target}`);
    expect(dry.stdout.match(/\+ trusted certifix-[0-9a-f]{16}: /g)).toHaveLength(2);
    expect(dry.stdout).not.toContain('JAVA_TOOL_OPTIONS=');
    expect(readFileSync(jdk.target).equals(original)).toBe(true);

    const fix = await laptop.certifix(['fix', '--client', 'java', '--java-cacerts', '--yes']);
    expect(fix.code, fix.stderr + fix.stdout).toBe(0);
    expect(lstatSync(jdk.cacerts).isSymbolicLink()).toBe(true); // the link stays; its target changed
    const now = aliases(jdk.home, jdk.target);
    expect(now.filter((a) => a.startsWith('certifix-'))).toHaveLength(2);
    expect(now.filter((a) => !a.startsWith('certifix-')).sort()).toEqual([...had].sort());
    expect(await internal(laptop)).toMatchObject({ ok: true });
    // A second fix finds Java verifying and changes nothing.
    const again = await laptop.certifix(['fix', '--client', 'java', '--java-cacerts', '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect(aliases(jdk.home, jdk.target)).toHaveLength(now.length);

    const status = await laptop.certifix(['status']);
    expect(status.stdout).toContain(`✓ ${jdk.cacerts}`);

    // A JDK update puts its own keystore back; `refresh` imports again, the same way (no JAVA_TOOL_OPTIONS).
    writeFileSync(jdk.target, original);
    expect(await internal(laptop)).toMatchObject({ ok: false, code: 'VERIFY_FAILED' });
    const refresh = await laptop.certifix(['refresh']);
    expect(refresh.code, refresh.stderr + refresh.stdout).toBe(0);
    expect(refresh.stdout).not.toContain('JAVA_TOOL_OPTIONS');
    expect(aliases(jdk.home, jdk.target).sort()).toEqual([...now].sort());
    expect(await internal(laptop)).toMatchObject({ ok: true });

    const undo = await laptop.certifix(['undo', '--yes']);
    expect(undo.code, undo.stderr).toBe(0);
    expect(readFileSync(jdk.target).equals(original)).toBe(true);
    expect(lstatSync(jdk.cacerts).isSymbolicLink()).toBe(true);
    expect(await internal(laptop)).toMatchObject({ ok: false, code: 'VERIFY_FAILED' });
    expect(await laptop.snapshotHome({ ignore: CLIENT_NOISE })).toEqual(home);
    expect((await laptop.certifix(['undo', '--yes'])).stdout).toContain('Nothing to undo');
    expect(readFileSync(jdk.target).equals(original)).toBe(true);
  });

  it('a keystore changed since the import is reported by status and left as it is by undo', async () => {
    const { laptop, jdk } = await setUp();
    expect((await laptop.certifix(['fix', '--client', 'java', '--java-cacerts', '--yes'])).code).toBe(0);
    const victim = aliases(jdk.home, jdk.target).find((a) => !a.startsWith('certifix-')) as string;
    keytool(jdk.home, ['-delete', '-alias', victim, '-keystore', jdk.target, '-storepass', 'changeit']);
    const changed = readFileSync(jdk.target);
    const status = await laptop.certifix(['status']);
    expect(status.stdout).toMatch(/changed after certifix wrote it/);
    const undo = await laptop.certifix(['undo', '--yes']);
    expect(undo.stdout + undo.stderr).toMatch(/keytool -delete -alias/);
    expect(readFileSync(jdk.target).equals(changed)).toBe(true);
  });

  it('refuses a keystore another user owns, and a password keytool rejects, changing nothing', async () => {
    const { laptop, jdk } = await setUp();
    const original = readFileSync(jdk.target);
    chownSync(jdk.target, 4242, 4242);
    const owned = await laptop.certifix(['fix', '--client', 'java', '--java-cacerts', '--yes']);
    expect(owned.code).toBe(1);
    expect(owned.stderr).toContain(`${jdk.target} belongs to uid 4242, not to you`);
    expect(owned.stderr).toContain('sudo -H certifix fix --client java --java-cacerts');
    chownSync(jdk.target, 0, 0);

    keytool(jdk.home, [
      '-storepasswd',
      '-new',
      'secret99',
      '-keystore',
      jdk.target,
      '-storepass',
      'changeit',
    ]);
    const renamed = readFileSync(jdk.target);
    const wrong = await laptop.certifix(['fix', '--client', 'java', '--java-cacerts', '--yes']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`keytool says the password is wrong for ${jdk.target}`);
    expect(wrong.stderr).toContain('CERTIFIX_JAVA_STOREPASS');
    expect(readFileSync(jdk.target).equals(renamed)).toBe(true);

    const env = { CERTIFIX_JAVA_STOREPASS: 'secret99' };
    const right = await laptop.certifix(['fix', '--client', 'java', '--java-cacerts', '--yes'], { env });
    expect(right.code, right.stderr).toBe(0);
    expect(aliases(jdk.home, jdk.target, 'secret99').filter((a) => a.startsWith('certifix-'))).toHaveLength(
      2,
    );
    expect(await internal(laptop)).toMatchObject({ ok: true });
    expect((await laptop.certifix(['undo', '--yes'])).code).toBe(0);
    expect(readFileSync(jdk.target).equals(renamed)).toBe(true);
    expect(original.equals(renamed)).toBe(false);
  });
});
