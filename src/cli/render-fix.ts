/** How fix and refresh show what they chose, changed and proved, on a terminal. */
import type { ApplyResult } from '../apply/index.ts';
import type { NotProved, Proof } from '../commands/prove.ts';
import type { FixPlan } from '../fix/index.ts';
import type { Style } from './io.ts';

export function renderProof(
  proof: readonly Proof[],
  url: string,
  s: Style,
  untouched: readonly string[] = [],
  notProved: readonly NotProved[] = [],
  stillFailing: readonly string[] = [],
): string {
  const ids = [...proof, ...notProved].map((p) => p.id).concat(untouched, stillFailing);
  const w = Math.max(0, ...ids.map((id) => id.length));
  const under = (line: string) => `\n    ${' '.repeat(w)}  ${s.dim(line)}`;
  const rows = proof.map(
    (p) =>
      `  ${p.ok ? s.green('✓') : s.red('✗')} ${p.id.padEnd(w)}  ${p.ok ? 'verifies' : `${p.message} (${p.code})`}  ${s.dim(p.path)}` +
      (p.how ? under(`proven by ${p.how}`) : '') +
      // what the client itself printed (npm: two lines), as check shows it
      (!p.ok && p.printed ? p.printed.split('\n').map(under).join('') : ''),
  );
  for (const p of notProved)
    rows.push(`  ${s.yellow('?')} ${p.id.padEnd(w)}  ${s.yellow(`not run: ${p.reason}`)}  ${s.dim(p.path)}`);
  for (const id of stillFailing)
    rows.push(
      `  ${s.red('!')} ${id.padEnd(w)}  ${s.red('still fails: not configured (the Clients list says what would do it)')}`,
    );
  for (const id of untouched)
    rows.push(`  ${s.dim('·')} ${id.padEnd(w)}  ${s.dim('untouched (left alone, not run)')}`);
  return `\n${s.bold(`Proof: the configured clients against ${url} (TLS verification only; an HTTP 404 counts as verified)`)}\n${rows.join('\n')}\n`;
}

/** Each client looked at: configured and why, left alone and why, or not configurable and what would do it. */
export function renderClients(fix: FixPlan, s: Style): string {
  const w = Math.max(0, ...fix.choices.map((c) => c.id.length));
  const rows = fix.choices.map((c) =>
    c.blocked
      ? `  ${s.yellow('!')} ${c.id.padEnd(w)}  ${s.yellow(c.reason)}`
      : `  ${c.configure ? s.green('+') : s.dim('·')} ${c.id.padEnd(w)}  ${c.configure ? c.reason : s.dim(c.reason)}`,
  );
  return `\n${s.bold('Clients:')}\n${rows.join('\n')}\n`;
}

/** What was (or would be) changed, file by file, with the lines added and removed. */
export function renderChanges(fix: FixPlan, result: ApplyResult, s: Style, heading?: string): string {
  const out: string[] = [''];
  out.push(s.bold(heading ?? (result.dryRun ? 'Plan (dry run, nothing changed):' : 'Changes:')));
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
      if (c.kinds.includes('keystore') && c.action === 'create') {
        // A new truststore: its size, and only the entries certifix adds beyond the copied keystore.
        const ours = c.added.filter((l) => l.startsWith('trusted certifix-'));
        out.push(
          `    ${s.dim(`(${c.added.length} trusted certificates, ${ours.length} added from the bundle)`)}`,
        );
        for (const l of ours) out.push(`    ${s.green(`+ ${l}`)}`);
        continue;
      }
      if (c.kinds.includes('cacerts'))
        out.push(`    ${s.dim(`(${c.added.length} imported; every entry it had is kept)`)}`);
      for (const l of c.removed) out.push(`    ${s.red(`- ${l}`)}`);
      for (const l of c.added) out.push(`    ${s.green(`+ ${l}`)}`);
    }
  }
  for (const w of result.warnings) out.push(`  ${s.yellow(`warning: ${w}`)}`);
  return `${out.join('\n')}\n`;
}
