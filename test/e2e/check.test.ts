/**
 * `certifix check` on the pristine company laptop: every installed client runs for real, in a new login
 * shell's environment, behind the real Squid and mitmproxy and against the internal-CA service, and
 * certifix's prediction must agree with each one. After `fix` they all verify; after `undo` the same ones
 * fail again.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../src/commands/check.ts';
import type { ClientId } from '../../src/types.ts';
import { lacks, missing, STRICT } from '../helpers/has.ts';
import { Lab } from '../helpers/lab.ts';
import { type Laptop, REPO } from '../helpers/laptop.ts';
import { npmToolBin } from '../helpers/npm-tools.ts';
import { labVenv, type Venv } from '../helpers/venv.ts';

/** The clients this suite expects to find on the laptop (CI installs them all). */
const NEW_CLIENTS: ClientId[] = [
  'wget',
  'ruby',
  'go',
  'cargo',
  'httpx',
  'aiohttp',
  'urllib3',
  'boto3',
  'java',
  'gcloud',
  'az',
  'deno',
  'bun',
];

function parse(r: { stdout: string; stderr: string }): CheckReport {
  try {
    return JSON.parse(r.stdout) as CheckReport;
  } catch {
    throw new Error(`not JSON:\n${r.stdout}\n${r.stderr}`);
  }
}

const disagreements = (r: CheckReport) => r.clients.filter((c) => !c.agree);

/** What runProcess prints of a client it stopped at its time limit. */
const STOPPED = /^certifix stopped .* after \d+ s: it had not finished$/m;

describe.skipIf(lacks('sandbox', 'squid', 'mitmproxy'))(
  `certifix check ${missing('sandbox', 'squid', 'mitmproxy')}`,
  () => {
    let lab: Lab;
    let laptop: Laptop;
    beforeAll(async () => {
      if (!existsSync(join(REPO, 'dist', 'cli.js'))) throw new Error('build the CLI first: npm run build');
      lab = await Lab.start();
      laptop = await lab.laptop();
    }, 60_000);
    afterAll(() => lab?.close());

    const where = () => [
      // By a name only the proxies resolve, so that Go and Ruby (which never proxy loopback) use them too.
      { name: 'Squid', url: lab.origin.proxied.url, proxy: lab.squid?.url },
      { name: 'mitmproxy', url: lab.origin.proxied.url, proxy: lab.mitmproxy?.url },
      { name: 'internal CA', url: lab.internal.url, proxy: undefined },
    ];

    it('agrees with every real client before fix, after fix, and after undo', async () => {
      const run = async (w: ReturnType<typeof where>[number]) => {
        const args = ['check', w.url, '--json', ...(w.proxy ? ['--proxy', w.proxy] : [])];
        // Each check runs every installed client (about thirty, Java, Maven, az and pdm among them, three at a
        // time): ~25 s alone on a two-core machine.
        const r = await laptop.certifix(args, { timeoutMs: 180_000 });
        const report = parse(r);
        // A client the check had to stop (pdm, 4 s alone, has run past 90 s on a two-core CI machine at load 8)
        // is run once more on its own; every other answer counts as it came.
        let code = r.code;
        for (const c of disagreements(report).filter((c) => STOPPED.test(c.actual.printed))) {
          const again = parse(await laptop.certifix([...args, '--client', c.id], { timeoutMs: 180_000 }));
          const same = again.clients.find((x) => x.id === c.id && x.environment === c.environment);
          if (same) Object.assign(c, same);
          code = report.clients.every((x) => x.agree && x.actual.ok) ? 0 : 1;
        }
        expect(disagreements(report), `${w.name}: ${r.stdout}`).toEqual([]);
        expect(report.environment.source).toBe('login-shell');
        expect(report.proxy).toBe(w.proxy ?? null);
        return { code, report };
      };
      // One place after the other: three checks at once starve each other's clients on a small machine.
      const all = async () => {
        const out: Awaited<ReturnType<typeof run>>[] = [];
        for (const w of where()) out.push(await run(w));
        return out;
      };
      const before = await all();
      for (const b of before) {
        const ids = b.report.clients.map((c) => c.id);
        expect(ids).toEqual(expect.arrayContaining(['curl', 'node', 'python-requests']));
        // requests and node take their own Mozilla copy: they fail on the company roots.
        const failing = b.report.clients.filter((c) => !c.actual.ok).map((c) => c.id);
        expect(failing).toEqual(expect.arrayContaining(['node', 'python-requests']));
        expect(b.code).toBe(1);
      }

      const fix = await laptop.certifix(['fix', '--yes']);
      let undoneOk = false;
      try {
        expect(fix.code, fix.stdout + fix.stderr).toBe(0);
        const after = await all();
        for (const a of after) {
          // Every client verifies, through either proxy and at the internal service.
          const failing = a.report.clients.filter((c) => !c.actual.ok).map((c) => c.id);
          expect(failing, JSON.stringify(a.report)).toEqual([]);
          expect(a.code).toBe(0);
        }
        expect((await laptop.certifix(['undo', '--yes'])).code).toBe(0);
        undoneOk = true;
      } finally {
        // A failure above leaves the laptop as it was before fix for the next test.
        if (!undoneOk) await laptop.certifix(['undo', '--yes']);
      }
      const undone = await all();
      undone.forEach((u, i) => {
        const fails = (r: CheckReport) =>
          r.clients.filter((c) => !c.actual.ok).map((c) => `${c.id}:${c.actual.code}`);
        expect(fails(u.report)).toEqual(fails((before[i] as (typeof before)[number]).report));
      });
    }, 600_000);

    it('fix --ca: every client reaches the internal-CA server and passes both proxies in new shells; undo takes it back', async (t) => {
      // The roots are NOT in this laptop's OS store: every client fails until certifix configures it.
      const bare = await lab.laptop({ corporateRoots: [] });
      // Under CI=true a venv that cannot be built fails the run instead of skipping (as in diagnose.test.ts).
      const build = () => labVenv({ packages: ['httpx', 'aiohttp', 'boto3', 'urllib3'] });
      const libs: Venv | undefined = STRICT ? await build() : await build().catch(() => undefined);
      if (!libs) t.skip('the Python libraries venv could not be built from the wheelhouse');
      // A user whose profile puts a project venv first, as `source venv/bin/activate` in ~/.profile would.
      await bare.appendHome('.profile', `\nexport PATH='${(libs as Venv).dir}/bin':"$PATH"\n`);
      // Deno and Bun as their npm platform packages install them, on the user's PATH.
      await bare.appendHome(
        '.profile',
        `\nexport PATH='${npmToolBin('deno')}:${npmToolBin('bun')}':"$PATH"\n`,
      );
      const run = async (url: string, proxy?: string, clients = NEW_CLIENTS) => {
        // The clients this issue added (the first test covers the others, on the same lab).
        const args = [
          'check',
          url,
          '--json',
          '--client',
          clients.join(','),
          ...(proxy ? ['--proxy', proxy] : []),
        ];
        const r = await bare.certifix(args, { timeoutMs: 240_000 });
        const report = parse(r);
        expect(disagreements(report), r.stdout).toEqual([]);
        return report;
      };
      // Debian's own urllib3 (/usr) loads the OS bundle whatever the environment says (urllib3.ts): a root
      // only certifix's bundle holds never reaches it, and check predicts exactly that.
      const osOnly = (c: CheckReport['clients'][number]) =>
        c.id === 'urllib3' && c.environment.startsWith('/usr ');
      const failing = (r: CheckReport) =>
        r.clients.filter((c) => !c.actual.ok && !osOnly(c)).map((c) => c.id);
      const found = (r: CheckReport) => new Set(r.clients.map((c) => c.id));

      const before = await run(lab.internal.url);
      const present = NEW_CLIENTS.filter((id) => found(before).has(id));
      expect(failing(before)).toEqual(expect.arrayContaining(present));
      // Go and Ruby through each proxy, by a name that is not loopback (they never proxy loopback).
      const proxied = lab.origin.proxied.url;
      const goRuby = async () =>
        Promise.all([lab.squid, lab.mitmproxy].map((p) => run(proxied, p?.url, ['go', 'ruby'])));
      const proxiedBefore = await goRuby();
      for (const r of proxiedBefore)
        expect(failing(r)).toEqual(present.filter((id) => id === 'go' || id === 'ruby'));

      const fix = await bare.certifix([
        'fix',
        '--ca',
        lab.internalChain.root.certPath,
        '--ca',
        lab.corporateRoot.certPath,
        '--yes',
      ]);
      expect(fix.code, fix.stdout + fix.stderr).toBe(0);
      // One after the other: each runs every client once, which is plenty for a small machine.
      const internal = await run(lab.internal.url);
      const squid = await run(proxied, lab.squid?.url);
      const mitm = await run(proxied, lab.mitmproxy?.url);
      expect(failing(internal)).toEqual([]);
      for (const r of [squid, mitm]) expect(failing(r), JSON.stringify(r)).toEqual([]);

      expect((await bare.certifix(['undo', '--yes'])).code).toBe(0);
      const undone = await run(lab.internal.url);
      const codes = (r: CheckReport) => r.clients.map((c) => `${c.id}:${c.actual.code}`);
      expect(codes(undone)).toEqual(codes(before));
      expect((await goRuby()).map(codes)).toEqual(proxiedBefore.map(codes));
    }, 900_000);

    it("runs the clients in a new login shell's environment, not this one's", async () => {
      // A variable set only in the calling shell: a new terminal would not have it, so check ignores it...
      const env = { NODE_EXTRA_CA_CERTS: lab.internalChain.root.certPath };
      const fresh = parse(
        await laptop.certifix(['check', lab.internal.url, '--json', '--client', 'node'], { env }),
      );
      expect(fresh.clients.map((c) => c.actual.ok)).toEqual([false]);
      // ...unless asked to use it.
      const current = parse(
        await laptop.certifix(['check', lab.internal.url, '--json', '--client', 'node', '--current-env'], {
          env,
        }),
      );
      expect(current.environment.source).toBe('current');
      expect(current.clients.map((c) => [c.actual.ok, c.agree])).toEqual([[true, true]]);
      // What the user's profile exports is what the clients get.
      await laptop.appendHome(
        '.profile',
        `\nexport NODE_EXTRA_CA_CERTS='${lab.internalChain.root.certPath}'\n`,
      );
      const profiled = parse(
        await laptop.certifix(['check', lab.internal.url, '--json', '--client', 'node']),
      );
      expect(profiled.clients.map((c) => [c.actual.ok, c.agree])).toEqual([[true, true]]);
    }, 120_000);

    it('a proxy set only in the calling shell still applies; --no-proxy goes direct', async () => {
      const env = { HTTPS_PROXY: lab.squid?.url ?? '' };
      const viaEnv = parse(
        await laptop.certifix(['check', lab.origin.url, '--json', '--client', 'curl'], { env }),
      );
      expect(viaEnv.proxy).toBe(lab.squid?.url);
      expect(disagreements(viaEnv)).toEqual([]);
      const direct = parse(
        await laptop.certifix(['check', lab.internal.url, '--json', '--client', 'curl', '--no-proxy'], {
          env,
        }),
      );
      expect(direct.proxy).toBeNull();
      expect(direct.clients.map((c) => c.actual.ok)).toEqual([true]);
    }, 120_000);
  },
);
