/**
 * The fidelity matrix: every server condition × two laptop profiles × every client certifix predicts. In each
 * cell the real client runs inside the laptop and `certifix diagnose --json` predicts it; certifix's ok and
 * code must be the real client's in every cell, and the line it says the client prints must be in the real
 * output in at least 95% of the failing cells. The figures go to node_modules/.cache/certifix/fidelity.json,
 * where `npm run bench` prints them.
 */
import { once } from 'node:events';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verdictFromOutput } from '../../src/clients/messages.ts';
import { observable } from '../../src/clients/stacks.ts';
import { parseCerts } from '../../src/core/cert.ts';
import type { DiagnoseReport } from '../../src/core/report.ts';
import type { ClientId } from '../../src/types.ts';
import { lacks, missing, systemPython } from '../helpers/has.ts';
import { Lab } from '../helpers/lab.ts';
import { type Laptop, REPO } from '../helpers/laptop.ts';
import { LOOPBACK } from '../helpers/net.ts';
import type { InterceptingProxy } from '../helpers/proxies.ts';
import { Origin } from '../helpers/servers.ts';
import { labVenv, type Venv } from '../helpers/venv.ts';
import { CONDITIONS, type Condition, issueMatrix, type MatrixPki, TRUSTED } from './fidelity-conditions.ts';
import { pool, probe } from './fidelity-probes.ts';

const CLIENTS: ClientId[] = ['python-requests', 'python-ssl', 'pip', 'curl', 'git', 'node', 'npm'];
const OS_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

const PYTHON_CLIENTS: ClientId[] = ['python-requests', 'python-ssl', 'pip'];

interface Profile {
  name: string;
  env: Record<string, string>;
  /** The lab venv (pip 26: truststore) first on PATH; only the Python clients then differ. */
  venv?: boolean;
  clients?: ClientId[];
}

/**
 * The laptops: as IT hands it out; one whose CA settings already name the OS bundle; and the pristine one
 * with a venv's pip >= 24.2 first on PATH (truststore: another stack for pip).
 */
const PROFILES: Profile[] = [
  { name: 'pristine', env: {} },
  { name: 'pristine, venv pip 26', env: {}, venv: true, clients: PYTHON_CLIENTS },
  {
    name: 'CA variables → OS bundle',
    env: Object.fromEntries(
      [
        'REQUESTS_CA_BUNDLE',
        'CURL_CA_BUNDLE',
        'SSL_CERT_FILE',
        'PIP_CERT',
        'GIT_SSL_CAINFO',
        'NODE_EXTRA_CA_CERTS',
        'NPM_CONFIG_CAFILE',
      ].map((k) => [k, OS_BUNDLE]),
    ),
  },
];

/**
 * Cells where the real client is not deterministic, with the reason. Empty: every client here gives the
 * same answer on every run for the same chain.
 */
const NONDETERMINISTIC: { condition: string; client: ClientId; why: string }[] = [];

interface Cell {
  condition: string;
  profile: string;
  client: ClientId;
  real: { ok: boolean; code: string };
  predicted: { ok: boolean; code: string; printed?: string | undefined };
  verdictAgrees: boolean;
  /** null: nothing to compare (the client succeeded). */
  printedAgrees: boolean | null;
  output: string;
}

/** Every line certifix says the client prints is, trimmed, part of what the client printed. */
function printedIn(printed: string | undefined, out: string): boolean {
  if (!printed) return false;
  return printed
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .every((l) => out.includes(l));
}

describe.skipIf(lacks('sandbox', 'squid', 'mitmproxy', 'openssl'))(
  `fidelity matrix ${missing('sandbox', 'squid', 'mitmproxy', 'openssl')}`,
  () => {
    let lab: Lab;
    let laptop: Laptop;
    let aia: Server;
    let venv: Venv | undefined;
    const origins = new Map<string, Origin>();
    const cells: Cell[] = [];

    beforeAll(async () => {
      if (!existsSync(join(REPO, 'dist', 'cli.js'))) throw new Error('build the CLI first: npm run build');
      let intDer: Buffer | undefined;
      aia = createServer((_req, res) => {
        if (intDer) res.writeHead(200, { 'content-type': 'application/pkix-cert' }).end(intDer);
        else res.writeHead(404).end();
      });
      aia.listen(0, LOOPBACK);
      await once(aia, 'listening');
      [lab, venv] = await Promise.all([Lab.start(), labVenv()]);
      const pki: MatrixPki = issueMatrix(
        lab.pki,
        `http://${LOOPBACK}:${(aia.address() as AddressInfo).port}/int.der`,
      );
      intDer = parseCerts(pki.int?.pem ?? '').certs[0]?.der;
      laptop = await lab.laptop({
        corporateRoots: [lab.corporateRoot, lab.internalChain.root, ...TRUSTED.map((n) => pki[n] as never)],
      });
      for (const c of CONDITIONS) {
        if (!c.serve) continue;
        origins.set(
          c.name,
          await Origin.start({
            chain: lab.publicChain,
            serve: c.serve(pki),
            // The server must be able to send SHA-1 and RSA-1024 certificates: the clients judge them.
            tls: { ciphers: 'DEFAULT@SECLEVEL=0' },
          }),
        );
      }
    });

    afterAll(async () => {
      await Promise.all([...origins.values()].map((o) => o.close()));
      await new Promise((r) => aia?.close(r));
      await lab?.close();
    });

    async function runCell(c: Condition, profile: Profile): Promise<Cell[]> {
      const origin = c.via ? lab.origin : (origins.get(c.name) as Origin);
      const url = c.ip ? origin.ipUrl : origin.url;
      const proxy = c.via ? (lab[c.via] as InterceptingProxy).url : undefined;
      const bin = profile.venv ? join((venv as Venv).dir, 'bin') : null;
      const base = { ...profile.env, ...(bin ? { PATH: `${bin}:${laptop.env.PATH}` } : {}) };
      const env = { ...base, ...(proxy ? { HTTPS_PROXY: proxy } : {}) };
      const clients = profile.clients ?? CLIENTS;
      const python = bin ? join(bin, 'python3') : systemPython();
      // A generous handshake deadline: the cells run side by side with the real clients on two cores.
      const args = ['diagnose', url, '--json', '--no-aia', '--timeout', '40', '--client', clients.join(',')];
      const [diag, ...real] = await Promise.all([
        laptop.certifix(args, { env }),
        ...clients.map((id) =>
          probe((cmd, a, o) => laptop.run(cmd === 'python3' ? python : cmd, a, o), id, url, base, proxy),
        ),
      ]);
      const report = JSON.parse(diag.stdout || '{}') as DiagnoseReport;
      return clients.map((id, i) => {
        const p = real[i] as { out: string; exit: number | null };
        const v = verdictFromOutput(p.out, p.exit);
        const r = report.clients?.find((x) => x.id === id);
        const predicted = r
          ? { ok: r.ok, code: observable(id, r.code), printed: r.printed }
          : { ok: false, code: `missing from report: ${diag.stderr.slice(0, 200)}` };
        const real_ = { ok: v.ok, code: observable(id, v.code) };
        return {
          condition: c.name,
          profile: profile.name,
          client: id,
          real: real_,
          predicted,
          verdictAgrees: predicted.ok === real_.ok && predicted.code === real_.code,
          printedAgrees: real_.ok ? null : printedIn(predicted.printed, p.out),
          output: p.out,
        };
      });
    }

    it('certifix predicts every client in every cell', { timeout: 900_000 }, async () => {
      const tasks = PROFILES.flatMap((p) => CONDITIONS.map((c) => () => runCell(c, p)));
      cells.push(...(await pool(2, tasks)).flat());
      const allowed = (x: Cell) =>
        NONDETERMINISTIC.some((n) => n.condition === x.condition && n.client === x.client);
      const judged = cells.filter((x) => !allowed(x));
      const verdicts = judged.filter((x) => x.verdictAgrees).length;
      const withLine = judged.filter((x) => x.printedAgrees !== null);
      const lines = withLine.filter((x) => x.printedAgrees).length;
      const figures = {
        conditions: CONDITIONS.length,
        profiles: PROFILES.length,
        clients: CLIENTS.length,
        pythonVariants: PROFILES.filter((p) => p.venv).length,
        cells: cells.length,
        verdict: { agree: verdicts, of: judged.length },
        printed: { agree: lines, of: withLine.length },
        allowList: NONDETERMINISTIC.length,
        at: new Date().toISOString(),
      };
      const dir = join(REPO, 'node_modules', '.cache', 'certifix');
      mkdirSync(dir, { recursive: true });
      const off = judged.filter((x) => !x.verdictAgrees || x.printedAgrees === false);
      writeFileSync(
        join(dir, 'fidelity.json'),
        `${JSON.stringify({ ...figures, disagreements: off }, null, 1)}\n`,
      );
      const pct = (a: number, b: number) => `${a}/${b} (${((100 * a) / Math.max(b, 1)).toFixed(1)}%)`;
      console.log(
        [
          `fidelity: ${figures.conditions} conditions × ${figures.profiles} laptops × up to ${figures.clients} clients = ${figures.cells} cells`,
          `  ok+code agree: ${pct(verdicts, judged.length)}`,
          `  printed line:  ${pct(lines, withLine.length)}`,
          ...off.map(
            (x) =>
              `  ✗ ${x.condition} | ${x.profile} | ${x.client}: real ${x.real.ok ? 'ok' : x.real.code}, predicted ${x.predicted.ok ? 'ok' : x.predicted.code}${x.printedAgrees === false ? `\n      predicted line: ${x.predicted.printed}\n      real: ${x.output.trim().split('\n').slice(-3).join(' ⏎ ')}` : ''}`,
          ),
        ].join('\n'),
      );
      expect(verdicts, 'ok+code must agree in every cell').toBe(judged.length);
      expect(lines / Math.max(withLine.length, 1)).toBeGreaterThanOrEqual(0.95);
    });
  },
);
