/**
 * The acceptance test of `certifix diagnose`: on a pristine company laptop, behind the real Squid ssl-bump, the
 * real mitmproxy, and against the internal-CA service reached directly, certifix's prediction for every client
 * must be what that client really does — ok or not, and the reason in the client's own words — and the chain,
 * anchor and interception verdict must be what was really on the wire.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REASONS } from '../../src/clients/messages.ts';
import { PIP_PROBE_PROJECT } from '../../src/clients/printed.ts';
import type { DiagnoseReport } from '../../src/core/report.ts';
import * as client from '../helpers/clients.ts';
import { lacks, missing, STRICT } from '../helpers/has.ts';
import { Lab } from '../helpers/lab.ts';
import { type Laptop, REPO } from '../helpers/laptop.ts';
import { freePort, LOOPBACK } from '../helpers/net.ts';
import type { Issued } from '../helpers/pki.ts';
import type { InterceptingProxy } from '../helpers/proxies.ts';
import type { Origin } from '../helpers/servers.ts';
import { labVenv, type Venv } from '../helpers/venv.ts';

type Env = Record<string, string>;
type Real = client.ClientResult;

const sha256 = (c: { raw: Buffer } | Issued) =>
  createHash('sha256')
    .update('raw' in c ? c.raw : new X509Certificate(c.pem).raw)
    .digest('hex');

/** One way the laptop reaches a server: how certifix is told, and what the connection really goes through. */
interface Scenario {
  name: string;
  /** 'origin' (public-like, behind a proxy) or 'internal' (internal CA). */
  server: 'origin' | 'internal';
  /** The proxy the connection really goes through (null: direct). */
  via: 'squid' | 'mitmproxy' | null;
  /** How the proxy is given: `--proxy` or the environment (the real clients get the same environment). */
  proxyBy?: 'flag' | 'env';
  /** Extra environment for certifix and the clients. */
  env?: (lab: Lab) => Env;
  /** Which `python3` comes first on PATH: the system one (pip 23.2) or the lab venv (pip 26). */
  python: 'system' | 'venv';
}

const SCENARIOS: Scenario[] = [
  { name: 'Squid ssl-bump, --proxy', server: 'origin', via: 'squid', proxyBy: 'flag', python: 'system' },
  { name: 'mitmproxy, --proxy', server: 'origin', via: 'mitmproxy', proxyBy: 'flag', python: 'system' },
  { name: 'Squid ssl-bump, HTTPS_PROXY', server: 'origin', via: 'squid', proxyBy: 'env', python: 'system' },
  { name: 'internal CA, direct', server: 'internal', via: null, python: 'system' },
  {
    name: 'internal CA, HTTPS_PROXY set but NO_PROXY=localhost',
    server: 'internal',
    via: null,
    env: (lab) => ({ HTTPS_PROXY: lab.squid?.url ?? '', NO_PROXY: 'localhost' }),
    python: 'system',
  },
  {
    name: 'Squid ssl-bump, --proxy, venv pip 26',
    server: 'origin',
    via: 'squid',
    proxyBy: 'flag',
    python: 'venv',
  },
  {
    name: 'mitmproxy, HTTPS_PROXY, venv pip 26',
    server: 'origin',
    via: 'mitmproxy',
    proxyBy: 'env',
    python: 'venv',
  },
  { name: 'internal CA, direct, venv pip 26', server: 'internal', via: null, python: 'venv' },
];

/** certifix's client id → the real client run the same way. */
const REAL_CLIENTS = ['python-requests', 'python-ssl', 'pip', 'curl', 'git', 'node', 'npm'] as const;
type Id = (typeof REAL_CLIENTS)[number];

/**
 * Runs every real client against `server` as the laptop's user would: with `env`, through `proxy` (given as
 * https_proxy unless `env` already names one: the clients then pick it, or skip it for NO_PROXY, themselves).
 */
async function runClients(
  laptop: Laptop,
  server: Origin,
  env: Env,
  proxy: InterceptingProxy | undefined,
): Promise<Record<Id, Real>> {
  // `python3` through PATH, as certifix resolves it. A proxy not already in `env` goes in as https_proxy.
  const opts = { env, python: 'python3', proxy: env.HTTPS_PROXY ? undefined : proxy };
  const [requests, urllib, pip, curl, git, node, npm] = await Promise.all([
    client.pythonRequests(laptop, server.url, opts),
    client.pythonUrllib(laptop, server.url, opts),
    client.pipDownload(laptop, server.pypiIndex, opts),
    client.curl(laptop, server.url, opts),
    client.gitLsRemote(laptop, server.gitRepo, opts),
    // Node's https module ignores the proxy variables: the probe tunnels itself when a proxy is in use.
    client.nodeHttps(laptop, server.url, { env, proxy }),
    client.npmPing(laptop, server.npmRegistry, opts),
  ]);
  return {
    'python-requests': requests,
    'python-ssl': urllib,
    pip,
    curl,
    git,
    node,
    npm,
  };
}

/** The certificates the server (or proxy) really sends, as `openssl s_client -showcerts` sees them. */
async function wireChain(laptop: Laptop, server: Origin, proxy: InterceptingProxy | undefined) {
  const args = ['s_client', '-connect', `localhost:${server.port}`, '-servername', 'localhost', '-showcerts'];
  if (proxy) args.push('-proxy', new URL(proxy.url).host);
  const r = await laptop.run('openssl', args, { input: '', timeoutMs: 20_000 });
  const pems = r.stdout.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  expect(pems.length, r.stderr).toBeGreaterThan(0);
  return pems.map((p) => new X509Certificate(p));
}

describe.skipIf(lacks('sandbox', 'squid', 'mitmproxy', 'openssl'))(
  `certifix diagnose on a pristine company laptop ${missing('sandbox', 'squid', 'mitmproxy', 'openssl')}`,
  () => {
    let lab: Lab;
    let laptop: Laptop;
    let venv: Venv | undefined;
    beforeAll(async () => {
      if (!existsSync(join(REPO, 'dist', 'cli.js'))) throw new Error('build the CLI first: npm run build');
      // Under CI the venv must build; elsewhere its scenarios are skipped, saying why.
      [lab, venv] = await Promise.all([Lab.start(), STRICT ? labVenv() : labVenv().catch(() => undefined)]);
      laptop = await lab.laptop();
    });
    afterAll(() => lab?.close());

    /** What certifix and the clients are run with: the proxy variables and which python3 comes first. */
    function envFor(s: Scenario): Env {
      const env: Env = { ...s.env?.(lab) };
      if (s.proxyBy === 'env' && s.via) env.HTTPS_PROXY = (lab[s.via] as InterceptingProxy).url;
      if (s.python === 'venv') env.PATH = `${join((venv as Venv).dir, 'bin')}:${laptop.env.PATH}`;
      return env;
    }

    describe.each(SCENARIOS)('$name', (s) => {
      it('predicts what every real client does', async (ctx) => {
        if (s.python === 'venv' && !venv) ctx.skip('the lab venv (pip 26) could not be built');
        const server = s.server === 'origin' ? lab.origin : lab.internal;
        const proxy = s.via ? (lab[s.via] as InterceptingProxy) : undefined;
        const env = envFor(s);
        // The clients this suite runs itself (the others are compared with reality by test/e2e/check.test.ts).
        const args = ['diagnose', server.url, '--json', '--client', REAL_CLIENTS.join(',')];
        if (s.proxyBy === 'flag' && proxy) args.push('--proxy', proxy.url);
        const [diag, real, wire, pipVersion] = await Promise.all([
          laptop.certifix(args, { env }),
          runClients(laptop, server, env, proxy),
          wireChain(laptop, server, proxy),
          laptop.run('python3', ['-m', 'pip', '--version'], { env }),
        ]);
        expect(diag.stderr).toBe('');
        const report = JSON.parse(diag.stdout) as DiagnoseReport;

        // The connection went where the user's settings send it.
        expect(report.target).toEqual({
          url: server.url,
          host: 'localhost',
          port: server.port,
          proxy: proxy?.url ?? null,
        });

        // The chain is exactly what was on the wire, in order (Squid's CA possibly twice).
        expect(report.chain.map((c) => c.sha256)).toEqual(wire.map(sha256));
        const leaf = wire[0] as X509Certificate;
        if (s.via) {
          expect(leaf.checkIssued(new X509Certificate(lab.corporateRoot.pem))).toBe(true);
          const rest = report.chain.slice(1).map((c) => c.sha256);
          if (s.via === 'squid') {
            expect(rest.length).toBeGreaterThan(0);
            expect(new Set(rest)).toEqual(new Set([sha256(lab.corporateRoot)]));
          } else expect(rest).toEqual([]); // mitmproxy sends the bare leaf
        } else {
          expect(report.chain.map((c) => c.sha256)).toEqual(
            [lab.internalChain.leaf, lab.internalChain.intermediate].map(sha256),
          );
        }

        // The anchor is the root IT installed: in the OS store, not a Mozilla root.
        const root = s.via ? lab.corporateRoot : lab.internalChain.root;
        expect(report.anchor).toEqual({
          subject: expect.any(String),
          sha256: sha256(root),
          inSystemStore: true,
          inMozilla: false,
        });
        expect(report.interception.detected).toBe(s.via !== null);
        expect(report.findings.map((f) => f.id)).toContain(s.via ? 'interception' : 'private-ca');

        // certifix diagnoses the python3 first on PATH, the one the real clients ran.
        const pipReport = report.clients.find((c) => c.id === 'pip');
        expect(pipVersion.stdout).toMatch(s.python === 'venv' ? /^pip 26\./ : /^pip 23\.2\./);
        expect(pipVersion.stdout).toContain(`pip ${pipReport?.version} `);

        // Every client: certifix's verdict is the real one, and so is the reason, in the client's words. The
        // real clients ran the python3 first on PATH: its rows come first (other pyenv versions follow).
        const first = report.clients.filter((c, i, all) => all.findIndex((o) => o.id === c.id) === i);
        expect(first.map((c) => c.id).sort()).toEqual([...REAL_CLIENTS].sort());
        const table = first.map((c) => {
          const r = real[c.id as Id];
          return { id: c.id, real: r.ok ? 'ok' : r.reason, predicted: c.ok ? 'ok' : c.message };
        });
        for (const c of first) {
          const r = real[c.id as Id];
          const why = `${s.name} / ${c.id}: ${JSON.stringify(table)}\n${r.stderr.slice(-800)}`;
          expect(c.ok, why).toBe(r.ok);
          if (r.ok) continue;
          // git links GnuTLS here: it prints no reason, so only ok/fail can be compared.
          if (c.id === 'git') continue;
          expect(c.message, why).toBe(r.reason);
          expect(REASONS[c.code], why).toBe(r.reason);
          expect(c.printed, why).toContain(r.reason);
          // ...and the line certifix says the client prints is the one it printed.
          const out = `${r.stdout}\n${r.stderr}`;
          const printed = c.printed ?? '';
          switch (c.id) {
            case 'python-requests':
            case 'python-ssl':
              expect(out, why).toContain(printed);
              break;
            case 'pip': // pip wraps Python's line in urllib3's exception text
              expect(out, why).toContain(`Could not fetch URL ${server.pypiIndex}`);
              expect(printed).toContain(`Could not fetch URL ${server.pypiIndex}`);
              // certifix words it for its own probe project; this run asked pip for certifi
              expect(out, why).toContain(printed.replaceAll(PIP_PROBE_PROJECT, 'certifi'));
              break;
            case 'npm':
              for (const line of printed.split('\n')) expect(r.stderr, why).toContain(line);
              break;
            case 'node': // the probe prints Node's error code and message
              expect(r.stderr, why).toContain(`${c.code}: ${r.reason}`);
              expect(printed).toContain(`code: '${c.code}'`);
              break;
            case 'curl':
              expect(r.stderr, why).toContain(printed);
              break;
          }
        }
        expect(diag.code).toBe(Object.values(real).every((r) => r.ok) ? 0 : 1);
      });
    });

    it('predicts every failure, curl and git included, when the root is nowhere on the laptop', async () => {
      // The public-like origin reached directly: its root is trusted by the proxies only, never the laptop.
      const server = lab.origin;
      const [diag, real] = await Promise.all([
        laptop.certifix(['diagnose', server.url, '--json', '--client', REAL_CLIENTS.join(',')], { env: {} }),
        runClients(laptop, server, {}, undefined),
      ]);
      expect(diag.code, diag.stderr).toBe(1);
      const report = JSON.parse(diag.stdout) as DiagnoseReport;
      expect(report.anchor?.inSystemStore ?? false).toBe(false);
      const first = report.clients.filter((c, i, all) => all.findIndex((o) => o.id === c.id) === i);
      expect(first.map((c) => c.id).sort()).toEqual([...REAL_CLIENTS].sort());
      for (const c of first) {
        const r = real[c.id as Id];
        const why = `${c.id}: predicted ${c.message}, real ${r.reason}\n${r.stderr.slice(-600)}`;
        expect(r.ok, why).toBe(false);
        expect(c.ok, why).toBe(false);
        if (c.id !== 'git') expect(c.message, why).toBe(r.reason); // GnuTLS prints no reason
      }
    });

    it('says the same without --json: the failing clients first, each in its own words', async () => {
      const proxy = lab.mitmproxy as InterceptingProxy;
      const [human, json] = await Promise.all([
        laptop.certifix(['diagnose', lab.origin.url, '--proxy', proxy.url]),
        laptop.certifix(['diagnose', lab.origin.url, '--proxy', proxy.url, '--json']),
      ]);
      const report = JSON.parse(json.stdout) as DiagnoseReport;
      const failing = report.clients.filter((c) => !c.ok);
      expect(human.code).toBe(json.code);
      const [title, headline] = human.stdout.split('\n');
      expect(title).toBe(`certifix diagnose ${lab.origin.url} via ${proxy.url}`);
      expect(headline).toBe(
        `${new Set(failing.map((c) => c.id)).size} of ${new Set(report.clients.map((c) => c.id)).size} clients fail to verify localhost: ${[...new Set(failing.map((c) => c.id))].join(', ')}.`,
      );
      // Every printed line is shown indented under its client (npm's two lines included).
      const lines = human.stdout.split('\n');
      for (const c of failing)
        for (const line of c.printed?.split('\n') ?? [])
          expect(lines.filter((l) => /^ {4,}\S/.test(l)).map((l) => l.trim())).toContain(line);
      expect(human.stdout).toContain('Interception: yes');
    });

    describe('fails cleanly (exit 2, one line, no stack trace)', () => {
      let plain: Server;
      beforeAll(async () => {
        plain = createServer((_req, res) => res.end('plain HTTP\n'));
        await new Promise<void>((resolve) => plain.listen(0, LOOPBACK, resolve));
      });
      afterAll(() => new Promise<void>((resolve) => plain?.close(() => resolve())));

      /** The error line (a `hint:` line may follow it); never a stack trace. */
      function expectOneLine(r: { code: number | null; stdout: string; stderr: string }): string {
        expect(r.code, r.stderr).toBe(2);
        expect(r.stdout).toBe('');
        const lines = r.stderr.trimEnd().split('\n');
        expect(
          lines.filter((l) => !l.startsWith('  hint: ')),
          r.stderr,
        ).toHaveLength(1);
        expect(lines[0]).toMatch(/^certifix: /);
        expect(r.stderr).not.toMatch(/^\s+at /m);
        expect(r.stderr).not.toContain('internal error');
        return lines[0] as string;
      }

      it('connection refused', async () => {
        const port = await freePort();
        const line = expectOneLine(
          await laptop.certifix(['diagnose', `https://localhost:${port}/`, '--json']),
        );
        expect(line).toMatch(/refused/i);
      });

      it('an http:// URL', async () => {
        expectOneLine(await laptop.certifix(['diagnose', `http://localhost:${lab.origin.port}/`]));
      });

      it('a proxy that does not answer', async () => {
        const port = await freePort();
        const line = expectOneLine(
          await laptop.certifix(['diagnose', lab.origin.url, '--proxy', `http://${LOOPBACK}:${port}`]),
        );
        expect(line).toMatch(/proxy/i);
      });

      it('a plain-HTTP port', async () => {
        const { port } = plain.address() as { port: number };
        const line = expectOneLine(await laptop.certifix(['diagnose', `https://${LOOPBACK}:${port}/`]));
        expect(line).toContain('did not answer with TLS');
      });
    });
  },
);
