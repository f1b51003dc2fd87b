/**
 * The proof after `fix`: each configured client run once, for real, against the URL, in the environment new
 * shells will have. It is `check`'s ground truth, asked of exactly the installations fix configured, scheduled
 * as `check` schedules its runs (run-clients.ts). Installations whose answer provably comes from the same code,
 * trust store and settings share one run (same-question.ts); each is still listed, with how it was proven.
 */
import type { Client } from '../clients/types.ts';
import type { Context, Installation, Verdict } from '../types.ts';
import { checkOnce, scheduled } from './run-clients.ts';
import { questionOf } from './same-question.ts';

export interface Proof extends Verdict {
  id: string;
  path: string;
  /** How the verdict was obtained when not by running this client itself (a run that asks the same question). */
  how?: string | undefined;
}

/** A configured client the proof cannot run for a real result (Client.unobservable), and why. */
export interface NotProved {
  id: string;
  path: string;
  reason: string;
}

type Installs = ReadonlyArray<{ client: Client; inst: Installation }>;

/** The configured installations the proof leaves out, each with its client's reason. */
export function notProvable(installs: Installs): NotProved[] {
  return installs
    .filter(({ client }) => client.unobservable !== undefined)
    .map(({ client, inst }) => ({ id: client.id, path: inst.path, reason: client.unobservable ?? '' }));
}

/**
 * The environment the proof runs in: what new shells will have, with the proxy the diagnosis used. An explicit
 * `--proxy` becomes the variables every client reads; `--no-proxy` removes them; otherwise the clients
 * resolve the variables (and NO_PROXY) themselves, as diagnose did.
 */
export function proofEnv(env: NodeJS.ProcessEnv, proxy: string | null | undefined): NodeJS.ProcessEnv {
  if (proxy === undefined) return env;
  const out = { ...env };
  for (const k of ['https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY']) delete out[k];
  if (proxy !== null) {
    out.https_proxy = proxy;
    out.HTTPS_PROXY = proxy;
  }
  return out;
}

/**
 * Run each configured client's installations once against `url` with the environment new shells will have
 * (all but the unobservable ones: notProvable lists those).
 */
export async function prove(installs: Installs, url: string, ctx: Context): Promise<Proof[]> {
  const runnable = installs.filter(({ client }) => client.unobservable === undefined);
  const questions = await Promise.all(runnable.map(({ client, inst }) => questionOf(client, inst, url, ctx)));
  const runs = [...new Map(questions.map((q) => [q.key, q])).values()];
  const verdicts = await scheduled(runs, ctx, (q, c) => checkOnce(q.client, q.inst, url, c));
  const answer = new Map(runs.map((q, i) => [q.key, verdicts[i] as Verdict]));
  return runnable.map(({ client, inst }, i) => {
    const q = questions[i] as (typeof questions)[number];
    return {
      id: client.id,
      path: inst.path,
      ...(answer.get(q.key) as Verdict),
      ...(q.how ? { how: q.how } : {}),
    };
  });
}
