/**
 * How `check` and `fix`'s proof run real clients: about one at a time per CPU, the slowest first, each under
 * a time limit that fits the tool. Thirty clients started at once on a two-core laptop all finish late, and the
 * slow ones (a JVM, az, pdm) ran past their limits while the cheap ones queued behind them; with one client
 * per core each run takes about what it takes alone, and the slow ones starting first end the whole batch
 * sooner (longest processing time first).
 */
import { availableParallelism } from 'node:os';
import { NOT_VERIFIED } from '../clients/messages.ts';
import type { Client } from '../clients/types.ts';
import { pool } from '../core/pool.ts';
import type { ClientId, Context, Installation, Verdict } from '../types.ts';

/**
 * What one check costs, in ms of wall time alone on the lab laptop (two cores, Debian bookworm packages, JDK 17,
 * measured with the client's check() in sequence: `az rest` 4.3–4.7 s, `pdm lock` 3.2–4.3 s, `mvn validate`
 * 2.6–3.7 s, the Java probe 2.8–3.4 s, gcloud 2.2 s, pipenv 1.5 s, pip 1.1–1.5 s, boto3 1.0 s). Clients not
 * listed start one interpreter or binary and take 0.1–0.7 s. Only the order of the runs depends on it.
 */
const COST_MS: Partial<Record<ClientId, number>> = {
  az: 4500,
  pdm: 4000,
  maven: 3500,
  java: 3000,
  gcloud: 2200,
  pipenv: 1500,
  pip: 1300,
  boto3: 1000,
  composer: 800,
  poetry: 800,
  npm: 700,
  aiohttp: 650,
};
const DEFAULT_COST_MS = 400;

export const costOf = (id: ClientId): number => COST_MS[id] ?? DEFAULT_COST_MS;

/**
 * Each process a check starts is stopped after thirty times what the client takes alone, never before 30 s and
 * never after 3 minutes: room for a machine busy with other work (pdm, 4 s alone, ran past 80 s on a two-core
 * machine at load 10), while a client that hangs (an unreachable proxy, a tool waiting
 * on a lock) is reported as stopped (runProcess says so in the verdict's output) instead of holding the run.
 */
export const limitOf = (id: ClientId): number => Math.min(180_000, Math.max(30_000, 30 * costOf(id)));

/**
 * Clients run at once: one per CPU and one more, which computes while another waits on its files or the
 * network (a check spends about a third of its time not on a CPU: measured on the lab laptop).
 */
const CONCURRENCY = availableParallelism() + 1;

interface ClientRun {
  client: Client;
  inst: Installation;
}

/** `ctx` whose runner stops each process of `id`'s check at the client's limit (or the adapter's, if shorter). */
function limited(id: ClientId, ctx: Context): Context {
  const limit = limitOf(id);
  return {
    ...ctx,
    run: (cmd, args, opts) =>
      ctx.run(cmd, args, { ...opts, timeoutMs: Math.min(opts?.timeoutMs ?? limit, limit) }),
  };
}

/**
 * Run `fn` over `runs` (CONCURRENCY at once, the costliest first), keeping the results in `runs`' order.
 * `fn` gets a context limited to the client's time.
 */
export async function scheduled<T extends ClientRun, R>(
  runs: readonly T[],
  ctx: Context,
  fn: (run: T, ctx: Context) => Promise<R>,
  concurrency = CONCURRENCY,
): Promise<R[]> {
  const order = runs
    .map((_, i) => i)
    .sort((a, b) => costOf((runs[b] as T).client.id) - costOf((runs[a] as T).client.id));
  const done = await pool(order, concurrency, (i) => {
    const run = runs[i] as T;
    return fn(run, limited(run.client.id, ctx));
  });
  const out: R[] = new Array(runs.length);
  order.forEach((i, k) => {
    out[i] = done[k] as R;
  });
  return out;
}

/**
 * One real check. When certifix had to stop one of its processes and the client's verdict found no reason in
 * what it printed before (UNKNOWN), the verdict says it was stopped (TIMEOUT, quoting runProcess's line)
 * instead of "a reason certifix does not recognise": a run that did not finish says nothing about TLS.
 */
export async function checkOnce(
  client: Client,
  inst: Installation,
  url: string,
  ctx: Context,
): Promise<Verdict> {
  let stopped: string | undefined;
  const watched: Context = {
    ...ctx,
    run: async (cmd, args, opts) => {
      const r = await ctx.run(cmd, args, opts);
      if (r.stopped) stopped ??= r.stderr.trim().split('\n').at(-1)?.trim();
      return r;
    },
  };
  const v = await client.check(inst, url, watched);
  if (v.ok || v.code !== NOT_VERIFIED.UNKNOWN || stopped === undefined) return v;
  return {
    ok: false,
    code: NOT_VERIFIED.TIMEOUT,
    message: 'did not finish: certifix stopped it at its time limit',
    printed: stopped,
  };
}

/** Each installation's real check, scheduled. */
export function runChecks(runs: readonly ClientRun[], url: string, ctx: Context): Promise<Verdict[]> {
  return scheduled(runs, ctx, ({ client, inst }, c) => checkOnce(client, inst, url, c));
}
