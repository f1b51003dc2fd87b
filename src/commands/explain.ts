/**
 * `explain` as a library call: read a pasted error (pip, npm, git, curl, Java, ...), say which tool failed to
 * verify which server and why (core/explain/), what to do, and diagnose that server from here unless
 * `offline` (a server that cannot be reached leaves the text-only explanation, with a note saying so).
 */
import { processContext } from '../context.ts';
import { CertifixError, isCertifixError } from '../core/errors.ts';
import { advise, type ExplainedError, parseError, type RootSeen } from '../core/explain/index.ts';
import type { DiagnoseReport, Finding } from '../core/report.ts';
import type { Context } from '../types.ts';

export interface ExplainOptions {
  /** Explain from the text alone; do not connect. */
  offline?: boolean | undefined;
  /** Explicit proxy URL for the diagnosis; `null` forces a direct connection; undefined = the environment's. */
  proxy?: string | null | undefined;
  timeoutMs?: number | undefined;
}

/** `certifix explain --json`: the facts in the paste, the diagnosis (or why there is none), the advice. */
export interface ExplainReport extends ExplainedError {
  diagnosis: DiagnoseReport | null;
  /** Why there is no diagnosis; null when there is one. */
  note: string | null;
  advice: string[];
}

/** The diagnosis, or one sentence saying why there is none. */
type Diagnosed = { report: DiagnoseReport; note: null } | { report: null; note: string };

/** Diagnose the server the error names; an unreachable server leaves the text-only explanation. */
async function diagnoseHost(e: ExplainedError, opts: ExplainOptions, ctx: Context): Promise<Diagnosed> {
  if (opts.offline) return { report: null, note: 'Not diagnosed (--offline).' };
  if (!e.host)
    return {
      report: null,
      note: 'Not diagnosed: the error does not name the server; run `certifix diagnose <url>` with it.',
    };
  const url = `https://${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port ?? 443}`;
  // Loaded only when there is a server to diagnose: `--offline` never pays for the network modules.
  const { diagnose } = await import('./diagnose.ts');
  try {
    const report = await diagnose(url, { proxy: opts.proxy, timeoutMs: opts.timeoutMs }, ctx);
    return { report, note: null };
  } catch (err) {
    if (!isCertifixError(err)) throw err;
    return {
      report: null,
      note: `Could not diagnose ${url} from here (${err.message}): explained from the text alone.`,
    };
  }
}

/** Where the diagnosis found the chain's root: what `certifix fix` can take, and what IT must hand over. */
export function rootSeen(report: DiagnoseReport | null): RootSeen {
  if (!report) return { where: 'undiagnosed' };
  const { anchor } = report;
  if (anchor?.inSystemStore) return { where: 'os-store' };
  if (anchor && !anchor.inMozilla) return { where: 'network', sha256: anchor.sha256 };
  // No root anywhere: an unknown anchor, or a proxy that sent only the leaf it minted (core/findings/trust.ts).
  const unseen = (f: Finding) =>
    f.id === 'unknown-anchor' || (f.id === 'interception' && f.details?.anchor === null);
  if (!anchor && report.findings.some(unseen)) return { where: 'none' };
  return { where: 'undiagnosed' }; // a public root the OS lacks, or no verdict on it: say it conditionally
}

/**
 * `certifix explain --json` as a library call, on the pasted text. Throws UNRECOGNISED when the text holds
 * no TLS verification error certifix knows. `ctx` defaults to this process.
 */
export async function explain(
  text: string,
  opts: ExplainOptions = {},
  ctx: Context = processContext(),
): Promise<ExplainReport> {
  const e = parseError(text);
  if (!e)
    throw new CertifixError('UNRECOGNISED', 'not a TLS verification error I recognise', {
      hint: 'paste the whole output, e.g. `pip install x 2>&1 | certifix explain -`',
    });
  const d = await diagnoseHost(e, opts, ctx);
  const { client, host, port, code, message, evidence } = e;
  return {
    client,
    host,
    port,
    code,
    message,
    evidence,
    diagnosis: d.report,
    note: d.note,
    advice: advise(e, { root: rootSeen(d.report), platform: ctx.platform }),
  };
}
