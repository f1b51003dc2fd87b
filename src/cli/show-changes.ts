import type { ApplyResult } from '../apply/index.ts';
import type { Client } from '../clients/types.ts';
import type { FixPlan } from '../fix/index.ts';
import type { Context, Installation, Verdict } from '../types.ts';
import type { Style } from './io.ts';

export interface Proof extends Verdict {
  id: string;
  path: string;
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

/** Run each configured client's installations once against `url` with the environment new shells will have. */
export async function prove(
  installs: ReadonlyArray<{ client: Client; inst: Installation }>,
  url: string,
  ctx: Context,
): Promise<Proof[]> {
  return Promise.all(
    installs.map(async ({ client, inst }) => ({
      id: client.id,
      path: inst.path,
      ...(await client.check(inst, url, ctx)),
    })),
  );
}

export function renderProof(
  proof: readonly Proof[],
  url: string,
  s: Style,
  untouched: readonly string[] = [],
): string {
  const w = Math.max(0, ...proof.map((p) => p.id.length), ...untouched.map((id) => id.length));
  const rows = proof.map(
    (p) =>
      `  ${p.ok ? s.green('✓') : s.red('✗')} ${p.id.padEnd(w)}  ${p.ok ? 'verifies' : `${p.message} (${p.code})`}  ${s.dim(p.path)}`,
  );
  for (const id of untouched)
    rows.push(`  ${s.dim('·')} ${id.padEnd(w)}  ${s.dim('untouched (left alone, not run)')}`);
  return `\n${s.bold(`Proof: the configured clients against ${url} (TLS verification only; an HTTP 404 counts as verified)`)}\n${rows.join('\n')}\n`;
}

/** Each client looked at: configured and why, or left alone and why. */
export function renderClients(fix: FixPlan, s: Style): string {
  const w = Math.max(0, ...fix.choices.map((c) => c.id.length));
  const rows = fix.choices.map(
    (c) =>
      `  ${c.configure ? s.green('+') : s.dim('·')} ${c.id.padEnd(w)}  ${c.configure ? c.reason : s.dim(c.reason)}`,
  );
  return `\n${s.bold('Clients:')}\n${rows.join('\n')}\n`;
}

/** What was (or would be) changed, file by file, with the lines added and removed. */
export function renderChanges(fix: FixPlan, result: ApplyResult, s: Style): string {
  const out: string[] = [''];
  out.push(s.bold(result.dryRun ? 'Plan (dry run, nothing changed):' : 'Changes:'));
  for (const p of fix.plans) {
    out.push(`  ${s.cyan(p.owner)}: ${p.summary}`);
    for (const n of p.notes ?? []) out.push(`    ${s.dim(n)}`);
  }
  if (result.changed.length === 0) {
    out.push('', s.green('Already configured: nothing to change.'));
  } else {
    out.push('');
    for (const c of result.changed) {
      const verb =
        c.action === 'create'
          ? result.dryRun
            ? 'would create'
            : 'created'
          : result.dryRun
            ? 'would modify'
            : 'modified';
      out.push(`  ${verb} ${c.path}${c.target ? ` → ${c.target}` : ''}`);
      const isBundle = c.path === fix.bundlePath || c.path === fix.rootsPath;
      if (isBundle) {
        const n = c.added.filter((l) => l.startsWith('-----BEGIN')).length;
        out.push(`    ${s.dim(`(${n} certificate${n === 1 ? '' : 's'})`)}`);
        continue;
      }
      for (const l of c.removed) out.push(`    ${s.red(`- ${l}`)}`);
      for (const l of c.added) out.push(`    ${s.green(`+ ${l}`)}`);
    }
  }
  for (const w of result.warnings) out.push(`  ${s.yellow(`warning: ${w}`)}`);
  return `${out.join('\n')}\n`;
}
