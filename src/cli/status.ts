import { type StatusReport, status } from '../commands/status.ts';
import { parse } from './args.ts';
import { contextFromIo } from './context.ts';
import { type Io, styler } from './io.ts';
import { warningsOnce } from './warnings.ts';

export const STATUS_HELP = `Usage: certifix status [--json]

Show what certifix configured and whether it still holds: the merged bundle (path, how many roots, oldest
and newest expiry), how each installed client resolves its CA store right now, and drift:
  - a root your OS trusts locally that the bundle lacks (a rotated company root: run certifix refresh)
  - a trusted root expiring within 30 days
  - a CA variable (REQUESTS_CA_BUNDLE, SSL_CERT_FILE, ...) pointing at a missing file or at a file
    without any public root
  - a setting that switches verification off (NODE_TLS_REJECT_UNAUTHORIZED=0, PYTHONHTTPSVERIFY=0,
    GIT_SSL_NO_VERIFY, npm strict-ssl=false, pip trusted-host, git http.sslVerify=false, curl insecure)
  - a file certifix changed that was edited since

Examples:
  certifix status
  certifix status --json

Exit codes: 0 nothing needs attention (a note, such as "this shell started before fix", is not counted),
1 something needs attention, 2 usage error.
`;

function render(r: StatusReport, io: Io): string {
  const s = styler(io);
  const out: string[] = [];
  if (!r.configured)
    out.push(
      'certifix has not configured this machine (run `certifix fix --dry-run` to see what it would do).',
    );
  if (r.bundle) {
    const b = r.bundle;
    const state = {
      ok: '',
      missing: ' (missing)',
      symlink: ' (replaced by a symlink)',
      unreadable: ' (unreadable)',
    };
    out.push(`${s.bold('Bundle:')} ${b.path}${state[b.state] ? s.red(state[b.state]) : ''}`);
    if (b.exists)
      out.push(
        `  ${b.count} certificates (${b.added} added); expiries ${b.oldestExpiry?.slice(0, 10)} … ${b.newestExpiry?.slice(0, 10)}`,
      );
  }
  if (r.clients.length) {
    out.push('', s.bold('Clients:'));
    const w = Math.max(...r.clients.map((c) => c.id.length));
    const warnings = warningsOnce();
    for (const c of r.clients) {
      const mark = c.usesBundle ? s.green('✓') : s.dim('·');
      out.push(
        `  ${mark} ${c.id.padEnd(w)}  ${c.source}${c.via ? ` via ${c.via}` : ''}${c.storePath ? `  ${s.dim(c.storePath)}` : ''}`,
      );
      for (const x of warnings(c.id, c.warnings)) out.push(`    ${' '.repeat(w)}${s.yellow(x)}`);
      for (const i of c.ignores ?? []) out.push(`    ${' '.repeat(w)}${s.yellow('!')} ${i}`);
    }
  }
  if (r.files.length) {
    out.push('', s.bold('Files certifix changed:'));
    for (const f of r.files)
      out.push(
        `  ${f.state === 'ok' ? s.green('✓') : s.yellow('!')} ${f.path}  ${s.dim(f.owners.join(', '))}`,
      );
  }
  if (r.notes?.length) {
    out.push('', s.bold('Already using the Windows store:'));
    for (const n of r.notes) out.push(`  ${s.green('✓')} ${n}`);
  }
  const attention = r.findings.filter((f) => f.severity !== 'info');
  const notes = r.findings.filter((f) => f.severity === 'info');
  if (attention.length) {
    out.push('', s.bold('Needs attention:'));
    for (const f of attention)
      out.push(
        `  ${f.severity === 'error' ? s.red('✗') : s.yellow('!')} ${f.message}`,
        `    ${s.bold('fix:')} ${f.fix}`,
      );
  } else {
    out.push('', s.green('Nothing needs attention.'));
  }
  for (const f of notes) out.push(`  ${s.cyan('i')} ${f.message}`, `    ${f.fix}`);
  return `${out.join('\n')}\n`;
}

export async function statusCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    io.stdout(STATUS_HELP);
    return 0;
  }
  const report = await status({}, contextFromIo(io));
  io.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : render(report, io));
  return report.findings.some((f) => f.severity !== 'info') ? 1 : 0;
}
