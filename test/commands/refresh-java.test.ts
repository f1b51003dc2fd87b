/**
 * `refresh` after `fix --java-cacerts` re-applies Java the same way: the roots imported into the JDK's keystore
 * again (here after a JDK update put back the original file), no truststore built, no JAVA_TOOL_OPTIONS set.
 * A Java home of the test's own (helpers/fake-jdk.ts); HOME and the sysroot are temporary, and this Java is
 * the only tool on PATH.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { certifixPaths } from '../../src/apply/index.ts';
import { fix } from '../../src/commands/fix.ts';
import { refresh } from '../../src/commands/refresh.ts';
import { undo } from '../../src/commands/undo.ts';
import { runProcess } from '../../src/context.ts';
import type { Context } from '../../src/types.ts';
import { fakeJdkSetUp, keystoreAliases } from '../helpers/fake-jdk.ts';
import { lacks, missing } from '../helpers/has.ts';
import { snapshotTree } from '../helpers/snapshot.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A temporary Java home (fake-jdk.ts), HOME and sysroot; only this Java is on PATH. */
function setUp() {
  const { dir, jdk, home, root } = fakeJdkSetUp('Refresh Corp Root');
  dirs.push(dir);
  const sysroot = join(dir, 'sysroot');
  mkdirSync(sysroot);
  const env = { HOME: home, PATH: jdk.bin, SHELL: '/bin/bash', LANG: 'C.UTF-8' };
  const ctx: Context = { env, home, cwd: home, platform: 'linux', sysroot, run: runProcess };
  return { ctx, cacerts: jdk.cacerts, root };
}

describe.skipIf(lacks('keytool', 'openssl'))(
  `refresh after fix --java-cacerts ${missing('keytool', 'openssl')}`,
  { timeout: 120_000 }, // keytool starts a JVM for each listing and import: seconds each on a loaded machine
  () => {
    it('imports into the JDK keystore again, and never switches Java to a truststore', async () => {
      const { ctx, cacerts, root } = setUp();
      const original = readFileSync(cacerts);
      const home = await snapshotTree(ctx.home);
      const fixed = await fix({ ca: [root], clients: ['java'], javaCacerts: true }, ctx);
      expect(fixed.changed.map((c) => c.path)).toContain(cacerts);
      expect(keystoreAliases(cacerts).filter((a) => a?.startsWith('certifix-'))).toHaveLength(1);

      // A JDK update puts its own file back: the import is gone.
      writeFileSync(cacerts, original);
      const dry = await refresh({ dryRun: true }, ctx);
      // (refresh looks at every client: certifix's own Node gets NODE_EXTRA_CA_CERTS in the shell files.)
      const java = dry.changed.filter((c) => c.owners.includes('java'));
      expect(java.map((c) => [c.path, c.kinds])).toEqual([[cacerts, ['cacerts']]]);
      expect(java[0]?.added).toEqual([expect.stringMatching(/^trusted certifix-.*Refresh Corp Root/)]);
      expect(JSON.stringify(dry.changed)).not.toContain('JAVA_TOOL_OPTIONS');

      const done = await refresh({}, ctx);
      expect(done.changed.map((c) => c.path)).toContain(cacerts);
      expect(keystoreAliases(cacerts).sort()).toEqual([expect.stringMatching(/^certifix-/), 'old']);
      const data = certifixPaths(ctx).dir;
      expect(existsSync(join(data, 'java-truststore.jks'))).toBe(false);
      expect(JSON.stringify(await snapshotTree(ctx.home))).not.toContain('JAVA_TOOL_OPTIONS');

      // Undo still gives back the bytes from before the first fix.
      await undo({}, ctx);
      expect(readFileSync(cacerts).equals(original)).toBe(true);
      expect(await snapshotTree(ctx.home)).toEqual(home);
    });
  },
);
