/** Shared adapter pieces: a client that is one executable on PATH, the variable plans, a check's one run. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Plan } from '../core/plan.ts';
import { which } from '../host-files.ts';
import type { ClientId, Context, Installation, Runner, Verdict } from '../types.ts';
import { verdictFromOutput } from './messages.ts';

/** `detect()` for a client that is the first `name` on PATH. */
export function onPath(id: ClientId, name: string): (ctx: Context) => Promise<Installation[]> {
  return async (ctx) => {
    const path = await which(name, ctx);
    return path ? [{ client: id, path }] : [];
  };
}

/**
 * `detect()` for a client that is the first `name` on PATH and says its version when run with `args`: the
 * first group of `re` in its output (none when it cannot be run).
 */
export function versionedOnPath(
  id: ClientId,
  name: string,
  args: readonly string[],
  re: RegExp,
): (ctx: Context) => Promise<Installation[]> {
  return async (ctx) => {
    const path = await which(name, ctx);
    if (!path) return [];
    const r = await ctx.run(path, args, { env: ctx.env, timeoutMs: 10_000 }).catch(() => null);
    const version = r ? re.exec(`${r.stdout}\n${r.stderr}`)?.[1] : undefined;
    return [{ client: id, path, ...(version ? { version } : {}) }];
  };
}

/** A plan that sets one variable for new shells and sessions: the CA switch most clients document. */
export function envPlan(
  owner: ClientId,
  name: string,
  bundlePath: string,
  summary: string,
  notes?: string[],
): Plan {
  return { owner, summary, changes: [{ kind: 'env', name, value: bundlePath }], ...(notes ? { notes } : {}) };
}

/**
 * Point an OpenSSL-default-paths client at the bundle with SSL_CERT_FILE, OpenSSL's own variable
 * (https://docs.openssl.org/3.0/man3/SSL_CTX_load_verify_locations/): every program that loads the default
 * paths follows it, so one line serves all of them.
 */
export function sslCertFilePlan(
  owner: ClientId,
  bundlePath: string,
  summary: string,
  notes?: string[],
): Plan {
  return envPlan(owner, 'SSL_CERT_FILE', bundlePath, summary, notes);
}

/** Run `fn` in a fresh temporary directory, removed afterwards: where a check's caches and projects go. */
export async function inTempDir<T>(name: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), `certifix-${name}-`));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => {});
  }
}

/**
 * A check's one run of the real client: in the caller's environment with a 60 s limit unless `opts` says
 * otherwise, its verdict read from all it printed (by `read`, for a client with wording of its own).
 */
export async function runVerdict(
  ctx: Context,
  cmd: string,
  args: readonly string[],
  opts: Parameters<Runner>[2] = {},
  read: (output: string, code: number | null) => Verdict = verdictFromOutput,
): Promise<Verdict> {
  const r = await ctx.run(cmd, args, { env: ctx.env, timeoutMs: 60_000, ...opts });
  return read(`${r.stdout}\n${r.stderr}`, r.code);
}
