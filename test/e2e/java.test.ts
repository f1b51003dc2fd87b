/**
 * Java on the sandboxed laptop: a real java.net.http.HttpClient program (the adapter's probe, run by the
 * `java` launcher) through Squid, through mitmproxy and straight to the internal-CA service, in NEW login
 * shells. Before `certifix fix --yes` the JDK's cacerts lacks the company roots (PKIX path building failed);
 * after it the JVM reads certifix's truststore through JAVA_TOOL_OPTIONS; after `undo` it fails the same way
 * again, HOME has its bytes back, and a second undo has nothing to do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { java } from '../../src/clients/java.ts';
import type { Context, Verdict } from '../../src/types.ts';
import { lacks, missing } from '../helpers/has.ts';
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

      const fix = await laptop.certifix(['fix', '--yes']);
      expect(fix.code, fix.stderr + fix.stdout).toBe(0);
      const after = await outcomes(laptop);
      for (const v of Object.values(after)) expect(v, JSON.stringify(after)).toMatchObject({ ok: true });

      const undo = await laptop.certifix(['undo', '--yes']);
      expect(undo.code, undo.stderr).toBe(0);
      expect(await outcomes(laptop)).toEqual(before);
      expect(await laptop.snapshotHome({ ignore: CLIENT_NOISE })).toEqual(home);
      expect((await laptop.certifix(['undo', '--yes'])).stdout).toContain('Nothing to undo');
    });
  },
);
