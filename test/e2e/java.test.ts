/**
 * Java on the sandboxed laptop: a real java.net.http.HttpClient program (the adapter's probe, run by the
 * `java` launcher) through Squid, through mitmproxy and straight to the internal-CA service, in NEW login
 * shells. Before `certifix fix --yes` the JDK's cacerts lacks the company roots (PKIX path building failed);
 * after it the JVM reads certifix's truststore through JAVA_TOOL_OPTIONS; after `undo` it fails the same way
 * again, HOME has its bytes back, and a second undo has nothing to do. A user whose JAVA_TOOL_OPTIONS names
 * a PKCS#12 trust store of their own, with its password: certifix's truststore is a whole copy of it (its
 * password-protected certificates read by the JDK's keytool) plus the bundle's roots, and the JVM verifies
 * through it after fix, as through the user's own store alone after undo.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { java } from '../../src/clients/java.ts';
import type { Context, Verdict } from '../../src/types.ts';
import { lacks, missing, which } from '../helpers/has.ts';
import { Lab } from '../helpers/lab.ts';
import type { Laptop } from '../helpers/laptop.ts';
import { CLIENT_NOISE } from '../helpers/snapshot.ts';
import { inShell } from './fix-probes.ts';

const PKIX =
  'javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target';

describe.skipIf(lacks('sandbox', 'squid', 'mitmproxy', 'java'))(
  `Java fix and undo ${missing('sandbox', 'squid', 'mitmproxy', 'java')}`,
  () => {
    let lab: Lab;
    beforeAll(async () => {
      lab = await Lab.start();
    });
    afterAll(() => lab?.close());

    /** The probe against each target, in a new login shell (only what the dotfiles set counts). */
    async function outcomes(laptop: Laptop): Promise<Record<string, Verdict>> {
      const ctx: Context = { ...laptop.context(), run: inShell(laptop, 'login').run };
      const [inst] = await java.detect(ctx);
      if (!inst) throw new Error('java is not found on the laptop');
      const targets = [
        ['via squid', lab.origin.url, lab.squid?.url],
        ['via mitmproxy', lab.origin.url, lab.mitmproxy?.url],
        ['internal', lab.internal.url, undefined],
      ] as const;
      const results = await Promise.all(
        targets.map(([, url, proxy]) =>
          java.check(inst, url, { ...ctx, env: { ...ctx.env, ...(proxy ? { https_proxy: proxy } : {}) } }),
        ),
      );
      return Object.fromEntries(targets.map(([name], i) => [name, results[i] as Verdict]));
    }

    /** `certifix <args>`: every target verifies in new shells; then undo: the outcomes and HOME as before. */
    async function fixThenUndo(
      laptop: Laptop,
      args: string[],
      before: Record<string, Verdict>,
      home: Awaited<ReturnType<Laptop['snapshotHome']>>,
    ) {
      const fix = await laptop.certifix(args);
      expect(fix.code, fix.stderr + fix.stdout).toBe(0);
      const after = await outcomes(laptop);
      for (const v of Object.values(after)) expect(v, JSON.stringify(after)).toMatchObject({ ok: true });
      const undo = await laptop.certifix(['undo', '--yes']);
      expect(undo.code, undo.stderr).toBe(0);
      expect(await outcomes(laptop)).toEqual(before);
      expect(await laptop.snapshotHome({ ignore: CLIENT_NOISE })).toEqual(home);
      return fix;
    }

    it('HttpClient fails on the company roots, verifies after fix in new shells, fails again after undo', async () => {
      const laptop = await lab.laptop(); // corporate and internal roots in the OS store, not in the JDK's cacerts
      const before = await outcomes(laptop);
      for (const v of Object.values(before))
        expect(v, JSON.stringify(before)).toMatchObject({ ok: false, code: 'VERIFY_FAILED', printed: PKIX });
      const home = await laptop.snapshotHome({ ignore: CLIENT_NOISE });

      const dry = await laptop.certifix(['fix', '--dry-run']);
      expect(dry.stdout).toContain('java-truststore.jks');
      expect(dry.stdout).toContain('JAVA_TOOL_OPTIONS');
      // The truststore is summed up, with only the roots it adds to the JDK's list spelled out.
      expect(dry.stdout).toMatch(/\(\d+ trusted certificates, 2 added from the bundle\)/);
      expect(dry.stdout).toMatch(/\+ trusted certifix-[0-9a-f]{16}: .*Example Corp Proxy Root CA/);

      await fixThenUndo(laptop, ['fix', '--yes'], before, home);
      expect((await laptop.certifix(['undo', '--yes'])).stdout).toContain('Nothing to undo');
    });

    it('a PKCS#12 trust store named with its password in JAVA_TOOL_OPTIONS is copied whole; HttpClient verifies through the copy', async () => {
      // IT put only the proxy's root in the OS store; the internal CA's root is in the user's own store only.
      const laptop = await lab.laptop({ corporateRoots: [lab.corporateRoot] });
      const store = join(laptop.home, 'company.p12');
      const pass = ['-storetype', 'PKCS12', '-storepass', 'secret77'];
      const root = lab.internalChain.root.certPath;
      execFileSync(
        which('keytool') as string,
        ['-importcert', '-noprompt', '-alias', 'internal', '-file', root, '-keystore', store, ...pass],
        { stdio: 'ignore', env: { PATH: '/usr/bin:/bin' } },
      );
      // As a user sets it: the store, its password and its type (what keytool made: PKCS#12, certificates encrypted).
      laptop.env.JAVA_TOOL_OPTIONS = `-Djavax.net.ssl.trustStore=${store} -Djavax.net.ssl.trustStorePassword=secret77 -Djavax.net.ssl.trustStoreType=PKCS12`;
      const before = await outcomes(laptop);
      expect(before, JSON.stringify(before)).toMatchObject({
        'via squid': { ok: false, code: 'VERIFY_FAILED', printed: PKIX },
        'via mitmproxy': { ok: false, code: 'VERIFY_FAILED', printed: PKIX },
        internal: { ok: true },
      });
      const home = await laptop.snapshotHome({ ignore: CLIENT_NOISE });

      // After fix, the internal root reaches the JVM only through the copy of the user's store: the bundle lacks it.
      const fix = await fixThenUndo(laptop, ['fix', '--client', 'java', '--yes'], before, home);
      expect(fix.stdout).toContain('java-truststore.jks');
    });
  },
);
