/**
 * `npm run bench`: start-up and diagnose cost against their floors, as ratios measured in one run
 * (so machine speed cancels out), plus the verifier's agreement with `openssl verify`.
 *   diagnose  vs  a bare Node script doing one TLS handshake      goal <= 1.3
 *   --version vs  `node -e 0`                                     goal <= 1.2
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pki } from '../test/helpers/pki.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const cli = join(import.meta.dirname, '..', 'bin', 'certifix.js');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

function time(cmd: string, args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return ms;
}

/** Alternate the two commands so drift in machine load hits both equally. */
function compare(a: () => number, b: () => number): { a: number; b: number } {
  a();
  b(); // warm the page cache
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    as.push(a());
    bs.push(b());
  }
  return { a: median(as), b: median(bs) };
}

const pki = new Pki();
const root = pki.root('root', 'Bench Root');
const leaf = pki.leaf('leaf', 'localhost', root, { ips: ['127.0.0.1'] });
// The server runs in its own process: spawnSync blocks this one's event loop, so an in-process server would
// never answer the handshake being timed.
const server = spawn(
  process.execPath,
  [
    '-e',
    `const s = require('node:tls').createServer(${JSON.stringify({ key: leaf.keyPem, cert: leaf.pem })}, (c) => c.end());
s.listen(0, '127.0.0.1', () => console.log(s.address().port));`,
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const port = await new Promise<number>((resolve, reject) => {
  server.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
  server.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
});

const home = mkdtempSync(join(tmpdir(), 'certifix-bench-'));
const env = { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8' };
const bare = join(home, 'handshake.mjs');
writeFileSync(
  bare,
  `import { connect } from 'node:tls';
// Both sides connect to the same name, so both pay the same name lookup.
const s = connect({ host: 'localhost', port: ${port}, ca: ${JSON.stringify(root.pem)} }, () => s.end());
s.on('error', (e) => { console.error(e.message); process.exit(1); });\n`,
);

const url = `https://localhost:${port}/`;
const d = compare(
  () => time(process.execPath, [cli, 'diagnose', url, '--json'], env),
  () => time(process.execPath, [bare], env),
);
const v = compare(
  () => time(process.execPath, [cli, '--version'], env),
  () => time(process.execPath, ['-e', '0'], env),
);
server.kill();

const rows = [
  ['certifix diagnose (loopback)', d.a, 'bare TLS handshake script', d.b, 1.3],
  ['certifix --version', v.a, 'node -e 0', v.b, 1.2],
] as const;
console.log(`median of ${RUNS} runs each, alternating\n`);
for (const [name, ms, base, baseMs, goal] of rows) {
  const ratio = ms / baseMs;
  console.log(
    `${name.padEnd(30)} ${ms.toFixed(1).padStart(7)} ms  vs  ${base.padEnd(26)} ${baseMs.toFixed(1).padStart(7)} ms  ratio ${ratio.toFixed(2)}  goal <= ${goal}  ${ratio <= goal ? 'ok' : 'MISSED'}`,
  );
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
    `\nfidelity matrix (${f.conditions} conditions × ${f.profiles} laptops × ${f.clients} clients, ${f.at}): ok+code ${pct(f.verdict)}, printed line ${pct(f.printed)}`,
  );
}
