/**
 * "Trust only widens", measured: on a company laptop whose OS store holds four locally-added roots (the
 * inspection proxy's root, an internal-services CA, a legacy CA that still signs an old service, and the
 * public-style origin's root as a stand-in for a Mozilla root the OS ships), every client × every site, in a
 * new login shell and a new interactive shell, before `certifix fix URL --yes`, after it, and after `undo`:
 *  - nothing that worked before fails after `fix`;
 *  - the target (the origin through Squid) works for every client after `fix` (and, since the bundle holds
 *    the whole OS store, so does every other site);
 *  - after `undo` the matrix equals the one before (and HOME holds its original bytes).
 * The three matrices are printed with the test output.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from '../helpers/clients.ts';
import { lacks, missing } from '../helpers/has.ts';
import { Lab } from '../helpers/lab.ts';
import type { ShellKind } from '../helpers/laptop.ts';
import { makeChain, Origin } from '../helpers/servers.ts';
import { CLIENT_NOISE } from '../helpers/snapshot.ts';
import { inShell } from './fix-probes.ts';

interface Site {
  name: string;
  origin: () => Origin;
  proxy?: () => { url: string };
}

type Probe = (on: client.Runs, o: Origin, proxy?: { url: string }) => Promise<client.ClientResult>;

/** Each client as a user runs it; the URL each needs (a page, a package index, a repository, a registry). */
const CLIENTS: Record<string, Probe> = {
  'python-requests': (on, o, proxy) => client.pythonRequests(on, o.url, { proxy }),
  'urllib (ssl)': (on, o, proxy) => client.pythonUrllib(on, o.url, { proxy }),
  pip: (on, o, proxy) => client.pipDownload(on, o.pypiIndex, { proxy }),
  curl: (on, o, proxy) => client.curl(on, o.url, { proxy }),
  git: (on, o, proxy) => client.gitLsRemote(on, o.gitRepo, { proxy }),
  node: (on, o, proxy) => client.nodeHttps(on, o.url, { proxy }),
  npm: (on, o, proxy) => client.npmPing(on, o.npmRegistry, { proxy }),
};

const SHELLS: ShellKind[] = ['login', 'interactive'];

/** "client | site | shell" → verifies? */
type Matrix = Record<string, boolean>;
const key = (c: string, s: string, sh: ShellKind) => `${c} | ${s} | ${sh}`;

/** Runs `tasks` with at most `n` at once (70 client processes at a time would only measure the machine). */
async function pool<T>(tasks: Array<() => Promise<T>>, n: number): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await (tasks[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: n }, worker));
  return out;
}

function render(title: string, m: Matrix, sites: readonly Site[]): string {
  const w = Math.max(...Object.keys(CLIENTS).map((c) => c.length));
  const cols = sites.map((s) => Math.max(s.name.length, 5));
  const cell = (c: string, s: string) => SHELLS.map((sh) => (m[key(c, s, sh)] ? '✓' : '✗')).join(' ');
  const ok = Object.values(m).filter(Boolean).length;
  const lines = [
    `${title}: ${ok}/${Object.keys(m).length} verify (each cell: login interactive)`,
    `  ${''.padEnd(w)}  ${sites.map((s, i) => s.name.padEnd(cols[i] ?? 0)).join('  ')}`,
    ...Object.keys(CLIENTS).map(
      (c) => `  ${c.padEnd(w)}  ${sites.map((s, i) => cell(c, s.name).padEnd(cols[i] ?? 0)).join('  ')}`,
    ),
  ];
  return lines.join('\n');
}

describe.skipIf(lacks('sandbox', 'squid', 'mitmproxy'))(
  `do no harm: every client × site before fix URL, after, and after undo ${missing('sandbox', 'squid', 'mitmproxy')}`,
  () => {
    let lab: Lab;
    let legacy: Origin;
    beforeAll(async () => {
      lab = await Lab.start();
      // An old internal service whose chain ends in the legacy CA (not the internal-services CA).
      const chain = makeChain(lab.pki, 'legacy', 'Example Corp Legacy Proxy');
      legacy = await Origin.start({ chain });
    });
    afterAll(async () => {
      await legacy?.close();
      await lab?.close();
    });

    it('nothing that worked stops working, the target works for every client, and undo restores the matrix', async () => {
      const sites: Site[] = [
        { name: 'public', origin: () => lab.origin },
        { name: 'internal', origin: () => lab.internal },
        { name: 'legacy-internal', origin: () => legacy },
        { name: 'via squid', origin: () => lab.origin, proxy: () => lab.squid as { url: string } },
        { name: 'via mitmproxy', origin: () => lab.origin, proxy: () => lab.mitmproxy as { url: string } },
      ];
      const target = 'via squid';
      const laptop = await lab.laptop({
        corporateRoots: [
          lab.corporateRoot, // the inspection proxy's root (Squid and mitmproxy sign with it)
          lab.internalChain.root, // the internal-services CA
          legacy.root, // the legacy CA
          lab.publicChain.root, // the public-style origin's root, as the OS ships Mozilla's
        ],
      });
      const matrix = async (): Promise<{ m: Matrix; details: Record<string, string> }> => {
        const tasks: Array<() => Promise<[string, client.ClientResult]>> = [];
        for (const sh of SHELLS) {
          const on = inShell(laptop, sh);
          for (const [c, probe] of Object.entries(CLIENTS))
            for (const s of sites)
              tasks.push(async () => [key(c, s.name, sh), await probe(on, s.origin(), s.proxy?.())]);
        }
        const results = await pool(tasks, 8);
        const m: Matrix = {};
        const details: Record<string, string> = {};
        for (const [k, r] of results) {
          m[k] = r.ok;
          if (!r.ok) details[k] = (r.reason ?? r.stderr.slice(-300)).trim();
        }
        return { m, details };
      };

      const before = await matrix();
      const home = await laptop.snapshotHome({ ignore: CLIENT_NOISE });
      const fix = await laptop.certifix(['fix', lab.origin.url, '--yes'], {
        env: { https_proxy: (lab.squid as { url: string }).url },
      });
      expect(fix.code, `${fix.stdout}\n${fix.stderr}`).toBe(0);
      expect(fix.stdout).toMatch(/merged bundle: \d+ Mozilla roots \+ 1 chosen \+ 3 from the OS store/);
      const after = await matrix();
      const undo = await laptop.certifix(['undo', '--yes']);
      expect(undo.code, undo.stderr).toBe(0);
      const undone = await matrix();

      console.log(
        [
          render('before fix', before.m, sites),
          render('after fix', after.m, sites),
          render('after undo', undone.m, sites),
        ].join('\n\n'),
      );
      // The pristine laptop: the OS store's clients verify every site, the others none (sanity of the lab).
      for (const sh of SHELLS)
        for (const s of sites) {
          for (const c of ['urllib (ssl)', 'curl', 'git'])
            expect(before.m[key(c, s.name, sh)], before.details[key(c, s.name, sh)]).toBe(true);
          for (const c of ['python-requests', 'node', 'npm'])
            expect(before.m[key(c, s.name, sh)], key(c, s.name, sh)).toBe(false);
        }
      const broken = Object.keys(before.m).filter((k) => before.m[k] && !after.m[k]);
      expect(broken.map((k) => `${k}: ${after.details[k]}`)).toEqual([]);
      const targetFails = Object.keys(after.m).filter((k) => k.includes(`| ${target} |`) && !after.m[k]);
      expect(targetFails.map((k) => `${k}: ${after.details[k]}`)).toEqual([]);
      // Every site's root is in the OS store, and the bundle holds the OS store: every pair verifies now.
      const stillFailing = Object.keys(after.m).filter((k) => !after.m[k]);
      expect(stillFailing.map((k) => `${k}: ${after.details[k]}`)).toEqual([]);
      expect(undone.m).toEqual(before.m);
      expect(await laptop.snapshotHome({ ignore: CLIENT_NOISE })).toEqual(home);
      // Three matrices of 70 real client processes each (plus fix with its proof, and undo): the work is
      // ~3× the fix/undo acceptance test's, and so is the time it is given.
    }, 300_000);
  },
);
