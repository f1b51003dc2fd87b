/**
 * What `certifix fix` refuses and how it survives being killed: a site's leaf offered as a root, a root seen
 * only on the network (through Squid, and through a mitmproxy that sends its intermediate and root), and a
 * `kill -9` at a different point of the run each time. Every refusal and every kill leaves HOME as it was
 * (or, for a kill mid-write, each file either old or new) and `undo` restores every byte.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatFingerprint } from '../../src/core/cert.ts';
import * as client from '../helpers/clients.ts';
import { lacks, missing } from '../helpers/has.ts';
import { Lab } from '../helpers/lab.ts';
import { type Laptop, REPO } from '../helpers/laptop.ts';
import { type InterceptingProxy, startMitmproxy } from '../helpers/proxies.ts';
import type { Snapshot } from '../helpers/snapshot.ts';
import { inShell } from './fix-probes.ts';

const DATA = '.local/share/certifix';

/**
 * A kill test runs certifix up to 27 times (the second one also a full `fix` before each kill), each proving
 * every configured client: the per-command limit stays, the test's own budget is the sum.
 */
const KILL_RUNS_MS = 300_000;

describe.skipIf(lacks('sandbox', 'squid', 'mitmproxy'))(
  `fix refusals and crashes ${missing('sandbox', 'squid', 'mitmproxy')}`,
  () => {
    let lab: Lab;
    /** A mitmproxy whose CA is an intermediate under the corporate root, sending both (as Zscaler does). */
    let mitmChain: InterceptingProxy;
    beforeAll(async () => {
      lab = await Lab.start();
      const ca = lab.pki.intermediate('corp-mitm-int', 'Example Corp Proxy Issuing CA', lab.corporateRoot, {
        subjectPrefix: '/O=Example Corp/OU=Security',
      });
      mitmChain = await startMitmproxy({
        ca,
        chain: [lab.corporateRoot],
        upstreamCAs: [lab.publicChain.root, lab.internalChain.root],
      });
    });
    afterAll(async () => {
      await mitmChain?.stop();
      await lab?.close();
    });

    it('refuses a leaf given with --ca (exit 1, nothing changed) and takes it with --allow-non-ca', async () => {
      const laptop = await lab.laptop();
      const home = await laptop.snapshotHome();
      const leaf = lab.internalChain.leaf.certPath;
      const r = await laptop.certifix(['fix', '--ca', leaf, '--yes']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('certifix: refusing to trust "CN=localhost": it is not a CA certificate');
      expect(r.stderr).toContain('--allow-non-ca');
      expect(r.stdout).toContain('✗ CN=localhost');
      expect(await laptop.snapshotHome()).toEqual(home);

      const ok = await laptop.certifix(['fix', '--ca', leaf, '--allow-non-ca', '--yes']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toContain('+ CN=localhost');
      const roots = readFileSync(laptop.homePath(DATA, 'roots.pem'), 'utf8');
      expect(roots).toContain('# CN=localhost');
      expect(roots).toContain(lab.internalChain.leaf.pem.trim().split('\n')[1]);
      expect((await laptop.certifix(['undo', '--yes'])).code).toBe(0);
      expect(await laptop.snapshotHome()).toEqual(home);
    });

    describe.each([
      ['Squid (sends its CA)', () => lab.squid as InterceptingProxy],
      ['mitmproxy sending intermediate + root', () => mitmChain],
    ])('a root seen only on the network, through %s', (_name, proxy) => {
      it('is refused with its fingerprint shown; --trust-fingerprint accepts it and the clients prove it', async () => {
        // IT has not installed the corporate root on this laptop: the proxy is the only one showing it.
        const laptop = await lab.laptop({ corporateRoots: [lab.internalChain.root] });
        const env = { https_proxy: proxy().url, HTTPS_PROXY: proxy().url };
        const home = await laptop.snapshotHome();
        const fp = new X509Certificate(lab.corporateRoot.pem).fingerprint256; // AA:BB:...
        const hex = fp.replaceAll(':', '').toLowerCase();

        const r = await laptop.certifix(['fix', lab.origin.url, '--yes'], { env });
        expect(r.code, r.stderr).toBe(1);
        expect(r.stdout).toContain('✗ O=Example Corp, OU=Security, CN=Example Corp Proxy Root CA');
        expect(r.stdout).toContain('from the network only');
        expect(r.stderr).toContain(
          'certifix: refusing to trust "O=Example Corp, OU=Security, CN=Example Corp Proxy Root CA": it came only from the network, not from your OS store',
        );
        expect(r.stderr).toContain(fp);
        expect(r.stderr).toContain(`--trust-fingerprint ${hex}`);
        expect(await laptop.snapshotHome()).toEqual(home);

        // A wrong fingerprint confirms nothing.
        const wrong = await laptop.certifix(
          ['fix', lab.origin.url, '--trust-fingerprint', 'ab'.repeat(32), '--yes'],
          { env },
        );
        expect(wrong.code).toBe(1);
        expect(wrong.stderr).toContain(
          `--trust-fingerprint ${formatFingerprint('ab'.repeat(32))} matches no certificate here; the root sent is\n  ${fp}\n`,
        );
        expect(await laptop.snapshotHome()).toEqual(home);

        // Go (net/http ProxyFromEnvironment: "if req.URL.Host is "localhost" ... nil URL", https://pkg.go.dev/net/http#ProxyFromEnvironment)
        // and Ruby (URI#find_proxy) never proxy loopback, where the lab's origin lives: their proof would go
        // around Squid to a root nobody trusts. The clients that honour https_proxy for loopback are proved.
        const core = 'python-requests,python-ssl,pip,curl,git,node,npm';
        const ok = await laptop.certifix(
          ['fix', lab.origin.url, '--trust-fingerprint', fp, '--yes', '--client', core],
          { env },
        );
        expect(ok.stdout).toContain('Proof: the configured clients against');
        // Every client, node included (its check tunnels through https_proxy as npm does), verifies.
        expect(ok.stdout).toMatch(/✓ node +verifies/);
        expect(ok.stdout).not.toContain('✗');
        expect(ok.code, ok.stdout + ok.stderr).toBe(0);
        const login = inShell(laptop, 'login');
        const [requests, nodeHttps, npm] = await Promise.all([
          client.pythonRequests(login, lab.origin.url, { proxy: proxy() }),
          client.nodeHttps(login, lab.origin.url, { proxy: proxy() }),
          client.npmPing(login, lab.origin.npmRegistry, { proxy: proxy() }),
        ]);
        for (const r of [requests, nodeHttps, npm]) expect(r, r.stderr).toMatchObject({ ok: true });
        const roots = readFileSync(laptop.homePath(DATA, 'roots.pem'), 'utf8');
        expect(roots).toContain('# origin: network');

        expect((await laptop.certifix(['undo', '--yes'])).code).toBe(0);
        const diff = await laptop.snapshotHome({ ignore: /^\.npm(\/|$)/ });
        expect(diff).toEqual(stripNpm(home));
      });
    });

    it('a mitmproxy sending the bare leaf shows no root at all: refused with a hint to use --ca', async () => {
      const laptop = await lab.laptop({ corporateRoots: [lab.internalChain.root] });
      const home = await laptop.snapshotHome();
      const url = lab.mitmproxy?.url as string;
      const r = await laptop.certifix(['fix', lab.origin.url, '--yes'], { env: { https_proxy: url } });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('no root anchors the chain of localhost');
      expect(r.stderr).toContain('certifix fix --ca root.pem');
      expect(await laptop.snapshotHome()).toEqual(home);
    });

    it(
      'kill -9 at any point of a first fix leaves each file old or new, and undo restores every byte',
      async () => {
        const laptop = await lab.laptop();
        await killRuns(laptop, ['fix', '--yes'], async () => {});
      },
      KILL_RUNS_MS,
    );

    it(
      'kill -9 at any point of a second fix (adding a root) still lets undo restore the first originals',
      async () => {
        const laptop = await lab.laptop();
        const extra = lab.pki.root('extra-root', 'Example Corp Extra Root CA');
        await killRuns(laptop, ['fix', '--ca', extra.certPath, '--yes'], async () => {
          const r = await laptop.certifix(['fix', '--yes']);
          expect(r.code, r.stderr).toBe(0);
        });
      },
      KILL_RUNS_MS,
    );
  },
);

/**
 * Runs `args` to completion once (the "new" side and its duration), then ten times killed with SIGKILL,
 * each time after `prepare()` on a pristine HOME. After every kill, each file holds its bytes from before the
 * run or from a complete run, never a mix; every other time a re-run completes it; then `undo` must give
 * back the pristine HOME. Kill delays bisect towards the moment the files are written: a kill that found
 * nothing written moves the next one later, one that found the run complete moves it earlier, with jitter.
 */
async function killRuns(laptop: Laptop, args: string[], prepare: () => Promise<void>): Promise<void> {
  const pristine = await laptop.snapshotHome();
  await prepare();
  const old = await laptop.snapshotHome();
  const t0 = Date.now();
  expect((await laptop.certifix(args)).code).toBe(0);
  const full = Date.now() - t0;
  const done = await laptop.snapshotHome();
  expect((await laptop.certifix(['undo', '--yes'])).code).toBe(0);
  expect(await laptop.snapshotHome()).toEqual(pristine);

  const argv = [process.execPath, join(REPO, 'bin', 'certifix.js'), ...args].map((a) => `'${a}'`).join(' ');
  const target = Object.keys(done).filter((p) => !isOwn(p) && old[p] !== done[p]);
  let [lo, hi] = [0, full * 1.3];
  const seen = { before: 0, partial: 0, complete: 0 };
  const delays: number[] = [];
  for (let i = 0; i < 10; i++) {
    await prepare();
    const ms = Math.max(1, Math.round((lo + hi) / 2 + (Math.random() - 0.5) * 10));
    delays.push(ms);
    const r = await laptop.run('bash', [
      '-c',
      `${argv} >/dev/null 2>&1 & p=$!; sleep ${ms / 1000}; kill -9 $p 2>/dev/null; wait $p; echo $?`,
    ]);
    const now = await laptop.snapshotHome();
    expect(unexpected(old, done, now), `killed after ${ms} ms (exit ${r.stdout.trim()})`).toEqual([]);
    const journal = laptop.homePath(DATA, 'journal.json');
    if (`${DATA}/journal.json` in now) expect(() => JSON.parse(readFileSync(journal, 'utf8'))).not.toThrow();
    const written = target.filter((p) => now[p] === done[p]).length;
    if (written === 0) {
      seen.before++;
      lo = ms;
    } else if (written < target.length) seen.partial++;
    else {
      seen.complete++;
      hi = ms;
    }
    // Every other time, run it again first: a re-run after a crash must still remember the originals.
    if (i % 2 === 1) {
      const again = await laptop.certifix(args);
      expect(again.code, again.stderr).toBe(0);
      expect(unexpected(old, done, await laptop.snapshotHome())).toEqual([]);
    }
    const undo = await laptop.certifix(['undo', '--yes']);
    expect(undo.code, `undo after a kill at ${ms} ms: ${undo.stderr}`).toBe(0);
    expect(await laptop.snapshotHome(), `after a kill at ${ms} ms`).toEqual(pristine);
  }
  // Kills landed on both sides of the first write (and, usually, between two files: `partial`).
  const what = JSON.stringify({ full, delays, seen });
  expect(seen.before, what).toBeGreaterThan(0);
  expect(seen.partial + seen.complete, what).toBeGreaterThan(0);
}

/** certifix's own bookkeeping, and temp/staging names a killed run may leave (undo removes them). */
function isOwn(p: string): boolean {
  return (
    p === `${DATA}/journal.json` ||
    p === `${DATA}/lock` ||
    /(^|\/)\.[^/]+\.certifix-\d+-[0-9a-f]{8}\.tmp(\/|$)/.test(p)
  );
}

/** Paths of `now` holding neither their bytes from before the run nor from a complete run (or vanished). */
function unexpected(old: Snapshot, done: Snapshot, now: Snapshot): string[] {
  const out: string[] = [];
  for (const [p, h] of Object.entries(now)) {
    if (isOwn(p)) continue;
    if (h !== old[p] && h !== done[p]) out.push(`${p}: ${p in old || p in done ? 'torn' : 'unknown'}`);
  }
  for (const p of Object.keys(old)) if (!isOwn(p) && !(p in now)) out.push(`${p}: removed`);
  return out;
}

function stripNpm(s: Snapshot): Snapshot {
  return Object.fromEntries(Object.entries(s).filter(([p]) => !/^\.npm(\/|$)/.test(p)));
}
