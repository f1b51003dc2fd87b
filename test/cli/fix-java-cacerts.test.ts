/**
 * `certifix fix --java-cacerts` asked on a terminal: before the question it shows exactly what a yes does to
 * the JDK's keystore (which file, the roots it imports, where its bytes are kept for undo); "no" leaves the
 * keystore's bytes as they were, "yes" imports exactly what was shown. A Java home of the test's own
 * (helpers/fake-jdk.ts, the real keytool), the only tool on PATH, in a temporary HOME.
 */
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { fakeJdkSetUp, keystoreAliases } from '../helpers/fake-jdk.ts';
import { lacks, missing } from '../helpers/has.ts';
import { memoryIo } from '../helpers/io.ts';
import { snapshotTree } from '../helpers/snapshot.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function setUp() {
  const s = fakeJdkSetUp('Prompt Corp Root');
  dirs.push(s.dir);
  return s;
}

/** `certifix fix --ca ROOT --client java --java-cacerts` on a terminal that answers `answer`. */
async function fixOnTerminal(s: ReturnType<typeof setUp>, answer: boolean) {
  const env = { HOME: s.home, PATH: s.jdk.bin, SHELL: '/bin/bash', LANG: 'C.UTF-8', NO_COLOR: '1' };
  const { io, out } = memoryIo(env, s.home, true);
  const asked: Array<{ question: string; shown: string }> = [];
  io.confirm = async (question) => {
    asked.push({ question, shown: out.stdout });
    return answer;
  };
  const code = await main(['fix', '--ca', s.root, '--client', 'java', '--java-cacerts'], io);
  return { code, ...out, asked };
}

describe.skipIf(lacks('keytool', 'openssl'))(
  `fix --java-cacerts on a terminal ${missing('keytool', 'openssl')}`,
  { timeout: 120_000 }, // keytool starts a JVM for each listing and import: seconds each on a loaded machine
  () => {
    it('shows the keystore, the roots it imports and where its bytes are kept, before asking', async () => {
      const s = setUp();
      const original = readFileSync(s.jdk.cacerts);
      const no = await fixOnTerminal(s, false);
      expect(no.code).toBe(1);
      expect(no.stderr).toContain('nothing changed');
      expect(no.asked.map((a) => a.question)).toEqual(['Trust this root and make these changes?']);
      const shown = no.asked[0]?.shown ?? '';
      expect(shown).toContain('What a yes changes (nothing is changed yet):');
      expect(shown).toContain(`Import the chosen roots this keystore lacks into ${s.jdk.cacerts}`);
      expect(shown).toMatch(/its current bytes are saved first in certifix's journal \(.*certifix\)/);
      expect(shown).toContain(`would modify ${s.jdk.cacerts}\n`);
      expect(shown).toContain('(1 imported; every entry it had is kept)');
      expect(shown).toMatch(/\+ trusted certifix-[0-9a-f]{16}: O=Example Corp, CN=Prompt Corp Root\n/);
      expect(shown).not.toContain('JAVA_TOOL_OPTIONS=');
      expect(readFileSync(s.jdk.cacerts).equals(original)).toBe(true);
      expect(await snapshotTree(s.home, { ignore: /^\.cache(\/|$)/ })).toEqual({});

      const yes = await fixOnTerminal(s, true);
      expect(yes.code, yes.stderr).toBe(0);
      const alias = /\+ trusted (certifix-[0-9a-f]{16})/.exec(yes.asked[0]?.shown ?? '')?.[1];
      expect(keystoreAliases(s.jdk.cacerts).sort()).toEqual([alias, 'old']);
      // Afterwards only the files are listed again: the question showed their lines.
      const after = yes.stdout.slice((yes.asked[0]?.shown ?? '').length);
      expect(after).toContain(`modified ${s.jdk.cacerts}`);
      expect(after).not.toContain('+ trusted');
    });
  },
);
