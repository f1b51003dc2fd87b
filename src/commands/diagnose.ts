/**
 * `diagnose` as a library call: capture the chain as the server sends it, resolve every installed client's
 * effective store, and predict each client's verdict with the offline verifier. The only I/O is here and in
 * the modules it calls; the reasoning lives in core/analyze.ts.
 */

import { isClientId } from '../clients/ids.ts';
import { envLabelOf } from '../clients/python-envs.ts';
import { renderOf } from '../clients/renders.ts';
import { policyOf } from '../clients/stacks.ts';
import type { Client } from '../clients/types.ts';
import { processContext } from '../context.ts';
import type { Analysis, ClientInput } from '../core/analysis.ts';
import { analyze, findAnchor, toReport } from '../core/analyze.ts';
import { isIssuedBy } from '../core/cert.ts';
import { collapseEnvironments } from '../core/environments.ts';
import { hasAuthorityInfoAccess } from '../core/extensions.ts';
import type { VerifyPolicy } from '../core/predict.ts';
import type { DiagnoseReport } from '../core/report.ts';
import { captureChain } from '../net/capture.ts';
import { resolveProxy } from '../net/proxy.ts';
import { parseTarget } from '../net/target.ts';
import { systemStore } from '../stores/index.ts';
import { systemTrustIndex, trustIndex } from '../stores/load.ts';
import { mozillaIndex } from '../stores/mozilla.ts';
import { memoByReads } from '../stores/read-memo.ts';
import type { ClientId, Context, Installation, Runner, TrustSource } from '../types.ts';

export interface DiagnoseOptions {
  /** Explicit proxy URL; `null` forces a direct connection; undefined = from the environment. */
  proxy?: string | null | undefined;
  timeoutMs?: number | undefined;
  /** Only these clients (default: every installed one). */
  clients?: readonly ClientId[] | undefined;
  /** Validation time (default now). */
  at?: Date | undefined;
  /** Fetch missing issuers from private/loopback addresses too (AIA). */
  allowPrivateAia?: boolean | undefined;
  /** Do not fetch missing issuers at all. */
  noAia?: boolean | undefined;
  /** Exactly these installations, in this order (default: the first installation of every client). */
  installs?: ReadonlyArray<{ client: Client; inst: Installation }> | undefined;
}

export interface Diagnosis {
  report: DiagnoseReport;
  analysis: Analysis;
}

/** One installation resolved: plain data, kept between runs by stores/read-memo.ts. */
interface Resolved {
  id: ClientId;
  inst: Installation;
  source: TrustSource;
  policy: VerifyPolicy;
}

/**
 * Every installed client's store (file reads only, no spawning), one entry per installation; from the
 * previous run's answer when none of the files it read has changed since (stores/read-memo.ts).
 */
async function resolveClients(ctx: Context, only?: readonly ClientId[]): Promise<ClientInput[]> {
  // Keyed by everything the adapters are given but the runner: the whole environment (sorted), HOME, cwd,
  // platform, sysroot, --python interpreters, the target (Docker's certs.d/<host>), and the clients asked for.
  const { run: _, env: unsorted, ...rest } = ctx;
  const env = Object.fromEntries(Object.entries(unsorted).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const inputs = [env, rest, only];
  const resolved = await memoByReads(
    'clients',
    inputs,
    async (taint) => {
      const run: Runner = (...args) => {
        taint();
        return ctx.run(...args);
      };
      // The adapters load only here: a kept resolution renders by id (renders.ts).
      const { registry } = await import('../clients/registry.ts');
      const chosen = registry.list().filter((c) => !only || only.includes(c.id));
      const all: Context = { ...ctx, run, pythonScope: 'all' };
      // Every installation (each Python environment; core/environments.ts folds the ones that agree). The
      // first is the one the bare command runs (`python3`, `npm` on PATH).
      const perClient = await Promise.all(
        chosen.map(async (client) => (await client.detect(all)).map((inst) => ({ client, inst }))),
      );
      return resolve(perClient.flat(), { ...ctx, run });
    },
    isResolvedList,
  );
  return resolved.map((r) => inputOf(r, ctx));
}

async function resolve(
  installs: ReadonlyArray<{ client: Client; inst: Installation }>,
  ctx: Context,
): Promise<Resolved[]> {
  return Promise.all(
    installs.map(async ({ client, inst }) => {
      const source = await client.trust(inst, ctx);
      return { id: client.id, inst, source, policy: await policyOf(client.id, inst, source, ctx) };
    }),
  );
}

/** The verifier's input for each installation, in order: its store and its verification stack. */
async function inputsFor(
  installs: ReadonlyArray<{ client: Client; inst: Installation }>,
  ctx: Context,
): Promise<ClientInput[]> {
  const resolved = await resolve(installs, ctx);
  return resolved.map((r) => inputOf(r, ctx));
}

/** Rendered by id (renders.ts), the same whether the resolution was kept or computed now. */
function inputOf({ id, inst, source, policy }: Resolved, ctx: Context): ClientInput {
  const render = renderOf(id);
  return {
    id,
    version: inst.version,
    environment: inst.details?.prefix && inst.details.pythonVersion ? envLabelOf(inst, ctx.home) : undefined,
    source,
    // trustIndex() keeps one index per distinct source, so clients sharing a bundle share its index.
    anchors: trustIndex(source),
    policy,
    render: (v, host, port, detail) => render(v, host, port, inst, detail && { ...detail, trust: source }),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isStrings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string');

/** A cached resolution has the shape this build writes, and names clients it knows. */
function isResolvedList(v: unknown): v is Resolved[] {
  return (
    Array.isArray(v) &&
    v.every(
      (r) =>
        isObject(r) &&
        typeof r.id === 'string' &&
        isClientId(r.id) &&
        isObject(r.inst) &&
        typeof r.inst.path === 'string' &&
        isObject(r.source) &&
        isStrings(r.source.files) &&
        isStrings(r.source.dirs) &&
        (r.source.warnings === undefined || isStrings(r.source.warnings)) &&
        isObject(r.policy),
    )
  );
}

/**
 * `certifix diagnose URL --json` as a library call: the report it prints (every client's predicted verdict,
 * the chain, the findings). `ctx` defaults to this process (its environment, HOME, real programs).
 */
export async function diagnose(
  input: string,
  opts: DiagnoseOptions = {},
  ctx: Context = processContext(),
): Promise<DiagnoseReport> {
  return (await diagnoseTarget(input, opts, ctx)).report;
}

/** The diagnosis with the analysis behind the report (the anchor, the fetched issuers): what fix builds on. */
export async function diagnoseTarget(input: string, opts: DiagnoseOptions, ctx: Context): Promise<Diagnosis> {
  const target = parseTarget(input);
  const started = Date.now();
  const proxy = opts.proxy === null ? null : resolveProxy(target, ctx.env, opts.proxy);
  // The handshake (and the AIA fetches it may need) and the local reads overlap: the network round trips
  // dominate, the rest hides behind them.
  const system = systemStore(ctx);
  system.catch(() => {}); // observed below, once the chain is in; not an unhandled rejection meanwhile
  const chain = captureChain(target, { proxy, timeoutMs: opts.timeoutMs }).then(async (captured) => {
    const systemIndex = systemTrustIndex(await system);
    // Only an incomplete chain costs a fetch: when no root is reachable from what the server sent.
    const fetched =
      opts.noAia || findAnchor(captured.certs, systemIndex) || !captured.certs.some(hasAuthorityInfoAccess)
        ? null
        : await (await import('../net/aia.ts')).fetchMissingIssuers(captured.certs, {
            allowPrivate: opts.allowPrivateAia,
            proxy,
            timeoutMs: opts.timeoutMs ? Math.min(opts.timeoutMs, 5000) : undefined,
            // One budget for the handshake and every AIA fetch: diagnose ends within its --timeout.
            deadline: started + (opts.timeoutMs ?? 10_000),
            isAnchored: (c) => systemIndex.issuersOf(c).some((i) => isIssuedBy(c, i)),
          });
    return { captured, systemIndex, fetched };
  });
  // The target goes to the adapters whose store depends on the server (the Docker daemon's certs.d/<host>).
  const tctx: Context = { ...ctx, target: { host: target.host, port: target.port } };
  const [{ captured, systemIndex, fetched }, clients] = await Promise.all([
    chain,
    opts.installs ? inputsFor(opts.installs, tctx) : resolveClients(tctx, opts.clients),
  ]);
  const analysis = analyze({
    target: { url: target.url, host: target.host, port: target.port, proxy: proxy?.url ?? null },
    protocol: captured.protocol,
    chain: captured.certs,
    system: systemIndex,
    fetched: fetched ? { certs: fetched.fetched, errors: fetched.errors } : undefined,
    mozilla: mozillaIndex(),
    clients,
    at: opts.at,
  });
  const report = toReport(analysis);
  if (!opts.installs) report.clients = collapseEnvironments(report.clients);
  return { report, analysis };
}
