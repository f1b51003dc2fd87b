/**
 * `check` as a library call: run every installed client for real against a URL, in the environment a new
 * login shell has (through the proxy when one applies), next to what certifix predicts for it. A client
 * whose real result differs from the prediction is a bug in certifix's model of that client.
 *
 * `checkInstalls` is the core, shared with `fix`'s proof: given installations and an environment, it returns
 * each one's predicted and actual verdict.
 */
import { directClients } from '../clients/loopback.ts';
import { NOT_VERIFIED } from '../clients/messages.ts';
import { registry } from '../clients/registry.ts';
import type { Client } from '../clients/types.ts';
import { processContext } from '../context.ts';
import { resolveProxy } from '../net/proxy.ts';
import { parseTarget } from '../net/target.ts';
import { loginShellEnv, type ShellEnv } from '../shell-env.ts';
import type { ClientId, Context, Installation, Verdict } from '../types.ts';
import { diagnose } from './diagnose.ts';
import { runChecks } from './run-clients.ts';

export interface ClientCheck {
  id: ClientId;
  /** Which copy ran: the Python environment (prefix) for Python clients, else the executable. */
  environment: string;
  version?: string | undefined;
  predicted: { ok: boolean; code: string; message: string };
  actual: { ok: boolean; code: string; message: string; printed: string };
  agree: boolean;
  /**
   * The client ended without a TLS verdict (TIMEOUT: stopped at its time limit; UNKNOWN: it failed for a
   * reason certifix does not recognise, such as a timeout of its own): nothing to compare with the prediction,
   * so `agree` is false, but the difference is not known to be certifix's.
   */
  inconclusive: boolean;
}

/** A client whose real result cannot be observed here (Client.unobservable): predicted, not run. */
export interface NotRun {
  id: ClientId;
  environment: string;
  version?: string | undefined;
  predicted: { ok: boolean; code: string; message: string };
  /** Why it was not run. */
  reason: string;
}

export interface CheckReport {
  url: string;
  proxy: string | null;
  /** Where the clients' environment came from: a new login shell, or (when none could run) this process. */
  environment: { source: ShellEnv['source']; shell: string | null; note?: string | undefined };
  clients: ClientCheck[];
  /** Clients certifix cannot run for a real result here, with the prediction and why (not in the exit code). */
  notRun: NotRun[];
}

export interface CheckOptions {
  /** Explicit proxy URL; `null` forces direct connections; undefined = the environment's. */
  proxy?: string | null | undefined;
  timeoutMs?: number | undefined;
  clients?: readonly ClientId[] | undefined;
  /** Use `ctx.env` as it is instead of a new login shell's environment. */
  currentEnv?: boolean | undefined;
}

type Install = { client: Client; inst: Installation };

/** Codes that say "verification failed" without saying why: they agree with any predicted failure. */
const UNSPECIFIC = new Set<string>([NOT_VERIFIED.UNSPECIFIED]);

/**
 * A run that ended without a TLS verdict agrees with no prediction: one certifix stopped at its time limit
 * (TIMEOUT), or a failure certifix does not recognise (UNKNOWN) whose line names nothing of certificates or
 * TLS (a read timeout, a crash). An UNKNOWN that does name them is a TLS failure worded in a way certifix
 * does not know: a disagreement, which is what check is for.
 */
const TLS_WORDS = /certificat|x509|ssl|tls|pkix|verif|trust/i;

/** The client's run ended without a TLS verdict (see ClientCheck.inconclusive). */
export function inconclusive(actual: Pick<Verdict, 'ok' | 'code' | 'printed'>): boolean {
  if (actual.ok) return false;
  if (actual.code === NOT_VERIFIED.TIMEOUT) return true;
  return actual.code === NOT_VERIFIED.UNKNOWN && !TLS_WORDS.test(actual.printed ?? '');
}

/**
 * Prediction and reality agree: same verdict and, when the client names a reason, the same reason. A run
 * with no TLS verdict (a timeout, a failure certifix does not recognise) agrees with nothing: counting it as
 * a predicted failure would call any hung client "as predicted".
 */
export function agrees(
  predicted: Pick<Verdict, 'ok' | 'code'>,
  actual: Pick<Verdict, 'ok' | 'code' | 'printed'>,
): boolean {
  if (predicted.ok !== actual.ok || inconclusive(actual) || actual.code === NOT_VERIFIED.UNKNOWN)
    return false;
  return actual.ok || predicted.code === actual.code || UNSPECIFIC.has(actual.code);
}

const PROXY_VARS = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY'];
const NO_PROXY_VARS = ['no_proxy', 'NO_PROXY'];

/**
 * The clients' environment with the proxy decision applied: `--no-proxy` removes every proxy variable,
 * `--proxy URL` sets the https ones (and drops NO_PROXY, as an explicit proxy wins), and otherwise a proxy
 * set only in this process (`HTTPS_PROXY=… certifix check`) is carried over to the clients.
 */
export function withProxy(
  env: NodeJS.ProcessEnv,
  current: NodeJS.ProcessEnv,
  url: string,
  proxy: string | null | undefined,
): NodeJS.ProcessEnv {
  const out = { ...env };
  if (proxy === null) {
    for (const k of [...PROXY_VARS, ...NO_PROXY_VARS]) delete out[k];
  } else if (proxy !== undefined) {
    for (const k of NO_PROXY_VARS) delete out[k];
    out.https_proxy = proxy;
    out.HTTPS_PROXY = proxy;
  } else {
    const target = parseTarget(url);
    if (!resolveProxy(target, out) && resolveProxy(target, current))
      for (const k of [...PROXY_VARS, ...NO_PROXY_VARS]) if (current[k] !== undefined) out[k] = current[k];
  }
  return out;
}

/** What to call the copy that ran. */
function environmentOf(inst: Installation): string {
  const prefix = inst.details?.prefix;
  return prefix ? `${prefix} (Python ${inst.details?.pythonVersion ?? inst.version ?? '?'})` : inst.path;
}

/**
 * Predict and run each installation against `url` with `ctx.env` as the clients' environment (proxy
 * variables included). Throws CONNECT when certifix itself cannot reach the URL (nothing to predict from).
 */
async function checkInstalls(
  installs: readonly Install[],
  url: string,
  opts: { proxy?: string | null | undefined; timeoutMs?: number | undefined },
  ctx: Context,
): Promise<{ proxy: string | null; clients: ClientCheck[]; notRun: NotRun[] }> {
  const target = parseTarget(url);
  const proxied = opts.proxy !== null && resolveProxy(target, ctx.env, opts.proxy) !== null;
  // Go and Ruby never proxy a loopback target (each by its own rule): predicted from a direct capture.
  const bypass = proxied
    ? await directClients(
        installs.map((x) => x.client.id),
        target.host,
      )
    : new Set<ClientId>();
  const direct = installs.filter((x) => bypass.has(x.client.id));
  const viaProxy = installs.filter((x) => !direct.includes(x));
  const runnable = installs.filter((x) => x.client.unobservable === undefined);
  const [report, directReport, actuals] = await Promise.all([
    diagnose(url, { proxy: opts.proxy, timeoutMs: opts.timeoutMs, installs: viaProxy }, ctx),
    direct.length > 0
      ? diagnose(url, { proxy: null, timeoutMs: opts.timeoutMs, installs: direct }, ctx)
      : null,
    runChecks(runnable, url, ctx),
  ]);
  const predictedOf = (x: Install) => {
    const p = direct.includes(x)
      ? directReport?.clients[direct.indexOf(x)]
      : report.clients[viaProxy.indexOf(x)];
    return { ok: p?.ok ?? false, code: p?.code ?? 'UNKNOWN', message: p?.message ?? '' };
  };
  const clients = runnable.map((x, i): ClientCheck => {
    const a = actuals[i] as Verdict;
    const predicted = predictedOf(x);
    const actual = { ok: a.ok, code: a.code, message: a.message, printed: a.printed ?? '' };
    return {
      id: x.client.id,
      environment: environmentOf(x.inst),
      version: x.inst.version,
      predicted,
      actual,
      agree: agrees(predicted, actual),
      inconclusive: inconclusive(actual),
    };
  });
  const notRun = installs
    .filter((x) => !runnable.includes(x))
    .map(
      (x): NotRun => ({
        id: x.client.id,
        environment: environmentOf(x.inst),
        version: x.inst.version,
        predicted: predictedOf(x),
        reason: x.client.unobservable ?? '',
      }),
    );
  return { proxy: report.target.proxy, clients, notRun };
}

/** Every installation of every chosen client, as the environment's PATH finds them. */
async function detectAll(ctx: Context, only?: readonly ClientId[]): Promise<Install[]> {
  const chosen = registry.list().filter((c) => !only || only.includes(c.id));
  const found = await Promise.all(
    chosen.map(async (client) => (await client.detect(ctx)).map((inst) => ({ client, inst }))),
  );
  return found.flat();
}

/** `certifix check URL --json` as a library call. `ctx` defaults to this process. */
export async function check(
  url: string,
  opts: CheckOptions = {},
  ctx: Context = processContext(),
): Promise<CheckReport> {
  parseTarget(url); // a bad URL is a usage error before any shell starts
  const shell: ShellEnv = opts.currentEnv
    ? { env: ctx.env, source: 'current', shell: null }
    : await loginShellEnv(ctx);
  const env = withProxy(shell.env, ctx.env, url, opts.proxy);
  const clientCtx: Context = { ...ctx, env };
  const installs = await detectAll(clientCtx, opts.clients);
  const result = await checkInstalls(
    installs,
    url,
    { proxy: opts.proxy === null ? null : undefined, timeoutMs: opts.timeoutMs },
    clientCtx,
  );
  return {
    url,
    proxy: result.proxy,
    environment: { source: shell.source, shell: shell.shell, ...(shell.note ? { note: shell.note } : {}) },
    clients: result.clients,
    notRun: result.notRun,
  };
}
