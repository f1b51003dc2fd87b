/**
 * The do-no-harm matrix: every real client on the laptop × every site, each cell run in a NEW shell (so only
 * what the dotfiles say counts), with the client's whole output kept so a regression can show what it printed
 * before and after. The clients are the lab's own probes (test/helpers/clients.ts) and, for every other
 * client, the adapter's `check()`: the same real process `certifix check` runs (a Java HttpClient program,
 * `go mod download`, `cargo search`, `composer show`, `mvn validate`, a few lines of httpx, ...).
 */
import { registry } from '../../src/clients/registry.ts';
import { pool } from '../../src/core/pool.ts';
import type { ClientId, Context, Installation, Runner } from '../../src/types.ts';
import * as client from '../helpers/clients.ts';
import type { Laptop, ShellKind } from '../helpers/laptop.ts';
import type { Address } from '../helpers/servers.ts';
import { inShell } from './fix-probes.ts';

export interface Site {
  name: string;
  /** Through a proxy, the origin's `proxied` address: a name that is not loopback (see PROXIED_HOST). */
  origin: Address;
  proxy?: { url: string } | undefined;
  /** The same chain served with ALPN h2, for gRPC (the HTTP/1.1 origin ends its handshake first). */
  h2?: string | undefined;
}

export interface Cell {
  ok: boolean;
  /** Everything the client printed (the command line of each process, then its stdout and stderr). */
  out: string;
  /** Wall time of the cell. */
  ms?: number;
}

export interface Column {
  name: string;
  /** The kinds of new shell it runs in. */
  shells: readonly ShellKind[];
  /** Why it does not run against `site` (the matrix shows n/a), or null. */
  skip(site: Site): string | null;
  run(on: client.Runs, site: Site, laptop: Laptop): Promise<Cell>;
}

const BOTH: readonly ShellKind[] = ['login', 'interactive'];
const LOGIN: readonly ShellKind[] = ['login'];

const cell = (r: client.ClientResult): Cell => ({ ok: r.ok, out: `${r.stdout}\n${r.stderr}`.trim() });
const always = () => null;

type Probe = (on: client.Runs, o: Address, proxy?: { url: string }) => Promise<client.ClientResult>;
const probe = (name: string, p: Probe): Column => ({
  name,
  shells: BOTH,
  skip: always,
  run: async (on, s) => cell(await p(on, s.origin, s.proxy)),
});

/** The lab's own probes, each as a user runs it, in both a new login and a new interactive shell. */
export const PROBES: Column[] = [
  probe('python-requests', (on, o, proxy) => client.pythonRequests(on, o.url, { proxy })),
  probe('urllib (ssl)', (on, o, proxy) => client.pythonUrllib(on, o.url, { proxy })),
  probe('pip', (on, o, proxy) => client.pipDownload(on, o.pypiIndex, { proxy })),
  probe('curl', (on, o, proxy) => client.curl(on, o.url, { proxy })),
  probe('git', (on, o, proxy) => client.gitLsRemote(on, o.gitRepo, { proxy })),
  probe('node', (on, o, proxy) => client.nodeHttps(on, o.url, { proxy })),
  probe('npm', (on, o, proxy) => client.npmPing(on, o.npmRegistry, { proxy })),
];

/** Every other client, run by its adapter's real `check()`. */
export const ADAPTER_CLIENTS: ClientId[] = [
  'wget',
  'httpx',
  'aiohttp',
  'urllib3',
  'boto3',
  'httplib2',
  'grpc',
  'java',
  'maven',
  'ruby',
  'go',
  'cargo',
  'php',
  'composer',
  'yarn',
  'pnpm',
  'deno',
  'bun',
];

/**
 * gRPC needs ALPN h2, which only the h2 twins offer (Squid speaks no HTTP/2). Maven verifies with the JVM's trust, the java column's, at ~15 s a run: it runs where that
 * trust is at stake, the target (through Squid) and the site the user's own truststore is for.
 */
const MAVEN_SITES = ['via squid', 'legacy-internal'];

function skipFor(id: ClientId, site: Site): string | null {
  if (id === 'maven' && !MAVEN_SITES.includes(site.name)) return 'the JVM trust of the java column';
  if (id === 'grpc' && !site.h2) return 'no HTTP/2 on this path';
  return null;
}

/**
 * A column for one detected installation: its adapter's `check()` with the laptop's shell as the runner,
 * recording every process's output. Login shells only: which dotfile a shell reads is the same question for
 * every client, and the probes above answer it for both kinds.
 */
export function adapterColumn(id: ClientId, inst: Installation): Column {
  const adapter = registry.get(id);
  if (!adapter) throw new Error(`no adapter ${id}`);
  return {
    name: id,
    shells: LOGIN,
    skip: (site) => skipFor(id, site),
    async run(on, site, laptop) {
      const outs: string[] = [];
      const run: Runner = async (cmd, args, opts) => {
        const r = await on.run(cmd, args, opts);
        outs.push(`$ ${cmd} ${args.join(' ').slice(0, 200)}\n${r.stdout}\n${r.stderr}`.trim());
        return r;
      };
      const proxy = site.proxy ? { https_proxy: site.proxy.url, HTTPS_PROXY: site.proxy.url } : {};
      const ctx: Context = { ...laptop.context(), run };
      ctx.env = { ...ctx.env, ...proxy };
      const v = await adapter.check(inst, id === 'grpc' ? (site.h2 as string) : site.origin.url, ctx);
      return { ok: v.ok, out: outs.join('\n') || (v.printed ?? v.message) };
    },
  };
}

/** "client | site | shell" */
export const key = (c: string, s: string, sh: ShellKind) => `${c} | ${s} | ${sh}`;

/** key → cell; a column that does not apply to a site has no key there. */
export type Matrix = Record<string, Cell>;

/** Runs every column × site × shell, at most `limit` processes at once. */
export async function runMatrix(
  laptop: Laptop,
  columns: readonly Column[],
  sites: readonly Site[],
  limit: number,
): Promise<Matrix> {
  const tasks: Array<{ k: string; go: () => Promise<Cell> }> = [];
  for (const c of columns)
    for (const sh of c.shells)
      for (const s of sites)
        if (!c.skip(s))
          tasks.push({ k: key(c.name, s.name, sh), go: () => c.run(inShell(laptop, sh), s, laptop) });
  const cells = await pool(tasks, limit, async (t) => {
    const t0 = Date.now();
    return { ...(await t.go()), ms: Date.now() - t0 };
  });
  return Object.fromEntries(tasks.map((t, i) => [t.k, cells[i] as Cell]));
}

/** One line per client: ✓/✗ per shell (login, then interactive), n/a where it does not apply. */
export function render(title: string, m: Matrix, columns: readonly Column[], sites: readonly Site[]): string {
  const w = Math.max(...columns.map((c) => c.name.length));
  const cols = sites.map((s) => Math.max(s.name.length, 5));
  const show = (c: Column, s: Site) =>
    c.skip(s) ? 'n/a' : c.shells.map((sh) => (m[key(c.name, s.name, sh)]?.ok ? '✓' : '✗')).join(' ');
  const ok = Object.values(m).filter((x) => x.ok).length;
  return [
    `${title}: ${ok}/${Object.keys(m).length} verify (each cell: login [interactive])`,
    `  ${''.padEnd(w)}  ${sites.map((s, i) => s.name.padEnd(cols[i] ?? 0)).join('  ')}`,
    ...columns.map(
      (c) => `  ${c.name.padEnd(w)}  ${sites.map((s, i) => show(c, s).padEnd(cols[i] ?? 0)).join('  ')}`,
    ),
  ].join('\n');
}

const tail = (s: string | undefined) => (s ?? '(not run)').slice(-1500);

/** Seconds of wall time each client took over the matrices, slowest first: where the file's time goes. */
export function costs(ms: readonly Matrix[]): string {
  const by = new Map<string, number>();
  for (const m of ms)
    for (const [k, c] of Object.entries(m)) {
      const name = k.split(' | ')[0] as string;
      by.set(name, (by.get(name) ?? 0) + (c.ms ?? 0));
    }
  return [...by.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([n, t]) => `${n} ${(t / 1000).toFixed(0)}`)
    .join(', ');
}

/** The cells that verified in `from` and not in `to`, each with both outputs: what a regression shows. */
export function regressions(from: Matrix, to: Matrix, fromName: string, toName: string): string[] {
  return Object.keys(from)
    .filter((k) => from[k]?.ok && !to[k]?.ok)
    .map(
      (k) =>
        `${k.replaceAll(' | ', ' × ')}: verified ${fromName}, fails ${toName}\n--- ${fromName}:\n${tail(from[k]?.out)}\n--- ${toName}:\n${tail(to[k]?.out)}`,
    );
}

/** The cells that fail in `m` (restricted by `which`), each with its output. */
export function failures(m: Matrix, which: (k: string) => boolean = () => true): string[] {
  return Object.keys(m)
    .filter((k) => which(k) && !m[k]?.ok)
    .map((k) => `${k.replaceAll(' | ', ' × ')}:\n${tail(m[k]?.out)}`);
}
