import { formatFingerprint } from '../core/cert.ts';
import type { DiagnoseReport } from '../core/report.ts';
import { type Io, styler } from './io.ts';
import { warningsOnce } from './warnings.ts';

const day = (iso: string) => iso.slice(0, 10);

/** The human report: the user's problem in their words first, then the evidence. */
export function renderReport(r: DiagnoseReport, io: Io): string {
  const s = styler(io);
  const out: string[] = [];
  const failing = r.clients.filter((c) => !c.ok);
  // A client with rows in several Python environments counts once.
  const ids = [...new Set(r.clients.map((c) => c.id))];
  const failingIds = [...new Set(failing.map((c) => c.id))];
  const via = r.target.proxy ? ` via ${r.target.proxy}` : '';
  const headline =
    r.clients.length === 0
      ? 'No supported client is installed here.'
      : failing.length === 0
        ? s.green(`Every client verifies ${r.target.host}.`)
        : s.red(
            `${failingIds.length} of ${ids.length} ${ids.length === 1 ? 'client' : 'clients'} ${failingIds.length === 1 ? 'fails' : 'fail'} to verify ${r.target.host}: ${failingIds.join(', ')}.`,
          );
  out.push(`${s.bold(`certifix diagnose ${r.target.url}`)}${via}`, headline, '');

  out.push(
    s.bold(
      `Chain as ${r.target.proxy ? 'received through the proxy' : 'sent by the server'}${r.protocol ? ` (${r.protocol})` : ''}:`,
    ),
  );
  r.chain.forEach((c, i) => {
    const pad = i === 0 ? '  ' : `  ${'   '.repeat(i - 1)}└─ `;
    const tags = [c.selfSigned ? 'self-signed' : '', c.ca ? 'CA' : '', `expires ${day(c.notAfter)}`].filter(
      Boolean,
    );
    out.push(`${pad}${i} ${c.subject}  ${s.dim(`[${tags.join(', ')}]`)}`);
  });
  if (r.anchor) {
    const a = r.anchor;
    const where = `${a.inSystemStore ? s.green('in OS store') : s.red('not in OS store')}, ${a.inMozilla ? 'a Mozilla root' : s.yellow('not a Mozilla root')}`;
    out.push(`  ${'   '.repeat(Math.max(0, r.chain.length - 1))}⚓ ${a.subject}  ${s.dim(`(${where})`)}`);
    out.push(`     ${s.dim(`sha256 ${formatFingerprint(a.sha256)}`)}`);
  } else {
    out.push(`  ${s.yellow('No root found that anchors this chain.')}`);
  }
  if (r.interception.detected) {
    out.push(
      '',
      `${s.yellow('Interception:')} yes${r.interception.product ? `, by ${r.interception.product}` : ''}`,
    );
  }

  if (r.clients.length > 0) {
    out.push('', s.bold('Clients:'));
    const w = Math.max(...r.clients.map((c) => c.id.length));
    const warnings = warningsOnce();
    for (const c of r.clients) {
      const mark = c.ok ? s.green('✓') : s.red('✗');
      const store = `${c.trustStore.source}${c.trustStore.path ? ` ${c.trustStore.path}` : ''}`;
      out.push(
        `  ${mark} ${c.id.padEnd(w)}  ${c.ok ? 'ok' : `${c.message} (${c.code})`}  ${s.dim(store)}${environmentNote(c, r.clients)}`,
      );
      for (const x of warnings(c.id, c.trustStore.warnings)) out.push(`    ${' '.repeat(w)}${s.yellow(x)}`);
      // npm prints two lines (code, then the request): keep both under the client.
      if (!c.ok && c.printed)
        for (const line of c.printed.split('\n')) out.push(`    ${' '.repeat(w)}${s.dim(line)}`);
    }
  }
  if (r.findings.length > 0) {
    out.push('', s.bold('Findings:'));
    for (const f of r.findings) {
      const mark =
        f.severity === 'error' ? s.red('✗') : f.severity === 'warning' ? s.yellow('!') : s.cyan('i');
      out.push(`  ${mark} ${f.message}`, `    ${s.bold('fix:')} ${f.fix}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** Where a row's environment is worth naming: its client has rows in several environments. */
function environmentNote(c: DiagnoseReport['clients'][number], rows: DiagnoseReport['clients']): string {
  if (!c.environment) return '';
  const others = rows.filter((o) => o.id === c.id).length > 1;
  const also = c.alsoIn?.length ?? 0;
  if (!others && also === 0) return '';
  return `  in ${c.environment}${also ? ` (+${also} more with the same store and verdict)` : ''}`;
}
