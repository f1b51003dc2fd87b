/**
 * `npm run bench`: certifix's cost against its floor, as ratios measured in one run so that machine speed
 * cancels out, with the clients installed as the user has them (this PATH; a fresh HOME; pyenv's root).
 *   diagnose, complete chain             vs a bare Node TLS handshake to the same server   goal <= 1.3
 *   diagnose, leaf-only chain + AIA      vs the same                                        goal <= 1.3
 *   diagnose through an ssl-bump proxy   vs a bare handshake through the same proxy         goal <= 1.3
 *   --version                            vs `node -e 0`                                     goal <= 1.1
 * and, without a goal, diagnose's first run on empty caches (once per machine and certifix version).
 * BENCH_RUNS sets the runs per pair (default 15); the commands of a pair alternate, so load drift hits both.
 * Each run is timed by bash's `time`: wall clock, and CPU time (user + system, the process and its children).
 * On a shared, loaded machine wall time mostly measures waiting for a core; CPU time is the steadier figure.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/helpers/net.ts';
import { Pki } from '../test/helpers/pki.ts';
import { bareScript, startProxy, startServers } from './targets.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const cli = join(import.meta.dirname, '..', 'bin', 'certifix.js');

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)] ?? Number.NaN;

interface Sample {
  wall: number;
  cpu: number;
}

/** One run of `node ...args`, timed by bash's `time` (whose own start is not counted), in ms. */
function time(args: string[], env: NodeJS.ProcessEnv): Sample {
  const script = `TIMEFORMAT='%3R %3U %3S'; time "$@" >/dev/null 2>"${errFile}"; echo "exit $?"`;
  const r = spawnSync('bash', ['-c', script, 'bench', process.execPath, ...args], { env, encoding: 'utf8' });
  const status = Number(/exit (\d+)/.exec(r.stdout)?.[1] ?? -1);
  if (status !== 0 && status !== 1)
    throw new Error(`node ${args.join(' ')} failed (${status}): ${readFileSync(errFile, 'utf8')}${r.stderr}`);
  const [wall = 0, user = 0, sys = 0] = (r.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
  return { wall: wall * 1000, cpu: (user + sys) * 1000 };
}

interface Pair {
  a: Sample[];
  b: Sample[];
}

/**
 * certifix keeps its work between runs (stores/read-memo.ts, the code cache, which settles after the first
 * four runs write it), so the steady state is what a pair measures: five warm-up runs each first (and the
 * page cache). The first run on empty caches is its own row.
 */
const WARMUP = 5;

/** Alternate the two commands, after WARMUP runs of each. */
function compare(a: () => Sample, b: () => Sample): Pair {
  for (let i = 0; i < WARMUP; i++) {
    a();
    b();
  }
  const p: Pair = { a: [], b: [] };
  for (let i = 0; i < RUNS; i++) {
    p.a.push(a());
    p.b.push(b());
  }
  return p;
}

const dir = mkdtempSync(join(tmpdir(), 'certifix-bench-'));
const errFile = join(dir, 'stderr.txt');
const home = join(dir, 'home');
mkdirSync(home);
// A user's shell: their PATH (python/pip through pyenv shims, node, npm, git, curl), their HOME; none of the
// CA variables this machine exports. pyenv's shims find their root through PYENV_ROOT or ~/.pyenv.
const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8' };
if (process.env.PYENV_ROOT) env.PYENV_ROOT = process.env.PYENV_ROOT;

const pki = new Pki();
const servers = await startServers(dir, pki, await freePort());
const proxy = await startProxy(pki, servers.root);

const rows: Array<{ name: string; base: string; pair: Pair | string; goal: number }> = [];
const diagnose = (name: string, args: string[], bare: string) => {
  const pair = compare(
    () => time([cli, 'diagnose', ...args, '--json'], env),
    () => time([bare], env),
  );
  rows.push({ name, base: 'bare TLS handshake', pair, goal: 1.3 });
};

const COLD_RUNS = 5;
/** The first run on empty caches (a HOME of its own each time): resolving every client, writing the caches. */
const firstRun = (name: string, args: string[], bare: string) => {
  const p: Pair = { a: [], b: [] };
  for (let i = 0; i < COLD_RUNS; i++) {
    const fresh = mkdtempSync(join(dir, 'cold-'));
    p.a.push(time([cli, 'diagnose', ...args, '--json'], { ...env, HOME: fresh }));
    p.b.push(time([bare], env));
  }
  rows.push({ name, base: 'bare TLS handshake', pair: p, goal: Number.POSITIVE_INFINITY });
};

try {
  const url = (port: number) => `https://localhost:${port}/`;
  diagnose(
    'diagnose, complete chain',
    [url(servers.complete)],
    bareScript(dir, 'complete', servers.complete, servers.root.pem),
  );
  diagnose(
    'diagnose, leaf only + AIA',
    [url(servers.leafOnly), '--allow-private-aia'],
    bareScript(dir, 'leaf-only', servers.leafOnly, servers.root.pem),
  );
  firstRun(
    'diagnose, first run (cold)',
    [url(servers.complete)],
    bareScript(dir, 'complete', servers.complete, servers.root.pem),
  );
  if (typeof proxy === 'string') {
    rows.push({ name: 'diagnose, through a proxy', base: '', pair: `skipped: ${proxy}`, goal: 1.3 });
  } else {
    diagnose(
      `diagnose, via ${proxy.kind}`,
      [url(servers.complete), '--proxy', proxy.url],
      bareScript(dir, 'proxied', servers.complete, proxy.ca.pem, proxy.port),
    );
  }
  rows.push({
    name: 'certifix --version',
    base: 'node -e 0',
    pair: compare(
      () => time([cli, '--version'], env),
      () => time(['-e', '0'], env),
    ),
    goal: 1.1,
  });
} finally {
  servers.stop();
  if (typeof proxy !== 'string') await proxy.stop();
}

console.log(
  `median (and best) of ${RUNS} runs each after ${WARMUP} warm-up runs (the first run: ${COLD_RUNS}, each on empty caches), alternating; ms; wall clock, then CPU time (user + system); ratio: the median of each run over the bare run next to it\n`,
);
for (const { name, base, pair, goal } of rows) {
  if (typeof pair === 'string') {
    console.log(`${name.padEnd(28)} ${pair}`);
    continue;
  }
  const line = (what: string, of: (s: Sample) => number) => {
    const [a, b] = [pair.a.map(of), pair.b.map(of)];
    // Each run over the bare run made right after it: the machine's speed drifts (other tenants, frequency)
    // over a row's seconds, and a ratio of neighbours cancels what a ratio of the two medians would not.
    const ratio = median(a.map((x, i) => x / (b[i] ?? Number.NaN)));
    const best = (sorted(a)[0] ?? 0) / (sorted(b)[0] ?? 1);
    return (
      `${name.padEnd(28)} ${what.padEnd(4)} ${median(a).toFixed(0).padStart(5)} vs ${base.padEnd(19)} ${median(b).toFixed(0).padStart(5)}` +
      `  ratio ${ratio.toFixed(2)} (best ${best.toFixed(2)})  ${goal === Number.POSITIVE_INFINITY ? '(no goal: once per machine)' : `goal <= ${goal}  ${ratio <= goal ? 'ok' : 'MISSED'}`}`
    );
  };
  console.log(line('wall', (s) => s.wall));
  console.log(line('cpu', (s) => s.cpu));
}

// Written by test/core/verify/limbo*.test.ts (the differential tests against `openssl verify` and
// `certtool --verify`); a test never writes into the repository, so the figures live in node_modules/.cache.
const agreementDir = join(import.meta.dirname, '..', 'node_modules', '.cache', 'certifix-limbo');
for (const [name, oracle] of [
  ['openssl', 'openssl verify'],
  ['gnutls', 'certtool --verify'],
] as const) {
  const file = join(agreementDir, `${name}.json`);
  if (!existsSync(file)) {
    console.log(
      `\nverifier vs ${oracle} on x509-limbo: no figures yet (run npx vitest run test/core/verify)`,
    );
    continue;
  }
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { report: Record<string, Record<string, number>> };
  console.log(`\nverifier vs ${oracle} on x509-limbo SERVER cases (from the last test run):`);
  for (const [profile, s] of Object.entries(doc.report))
    console.log(
      `  ${profile.padEnd(20)} verdict ${s.verdict}/${s.cases} (${s.verdictPct}%)  ${'code' in s ? `code ${s.code}/${s.cases} (${s.codePct}%)` : `status flags ${s.status}/${s.cases} (${s.statusPct}%), ${s.explained} explained`}`,
    );
}

// The fidelity matrix's figures, written by test/e2e/fidelity.test.ts on its last run.
const fidelity = join(import.meta.dirname, '..', 'node_modules', '.cache', 'certifix', 'fidelity.json');
if (existsSync(fidelity)) {
  const f = JSON.parse(readFileSync(fidelity, 'utf8'));
  const pct = (x: { agree: number; of: number }) =>
    `${x.agree}/${x.of} (${((100 * x.agree) / (x.of || 1)).toFixed(1)}%)`;
  console.log(
    `\nfidelity matrix (${f.conditions} server conditions × ${f.profiles} laptops × up to ${f.clients} clients = ${f.cells} cells, ${f.at}): ok+code ${pct(f.verdict)}, printed line ${pct(f.printed)}`,
  );
}
