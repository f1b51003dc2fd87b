import { type CheckReport, check } from '../commands/check.ts';
import { CertifixError } from '../core/errors.ts';
import { clientIdsHelp, NETWORK_OPTIONS, networkOptions, PYTHON_OPTION, parse, withPythons } from './args.ts';
import { contextFromIo } from './context.ts';
import { clientIds } from './diagnose.ts';
import { type Io, type Style, styler } from './io.ts';

export const CHECK_HELP = `Usage: certifix check <url> [options]

Run every installed client for real against URL - in a fresh environment, as a new login shell has it, and
through the proxy when one applies - and print each one's actual result next to certifix's prediction.
A disagreement is a bug in certifix: the output says what to send.

Options:
  --client IDS       only these clients, comma-separated (e.g. pip,node), of:
${clientIdsHelp(21)}
  --python PATH      also this Python interpreter (repeatable)
  --current-env      run the clients in this shell's environment instead of a new login shell's
  --proxy URL / --no-proxy / --timeout SECONDS   as for diagnose
  --json             print one JSON document (stable; see README)
  -h, --help         show this help

Examples:
  certifix check https://pypi.org
  certifix check https://git.internal:8443 --client git,curl --json

Exit codes: 0 every client verifies and agrees with the prediction, 1 otherwise, 2 usage or connection error.
`;

export async function checkCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...NETWORK_OPTIONS,
    ...PYTHON_OPTION,
    client: { type: 'string', multiple: true },
    'current-env': { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(CHECK_HELP);
    return 0;
  }
  const [url, ...extra] = positionals;
  if (!url || extra.length > 0)
    throw new CertifixError('USAGE', 'check takes exactly one URL', {
      hint: 'certifix check https://pypi.org',
    });
  const report = await check(
    url,
    { ...networkOptions(values), clients: clientIds(values.client), currentEnv: values['current-env'] },
    withPythons(contextFromIo(io), values.python),
  );
  if (values.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else io.stdout(renderCheck(report, styler(io)));
  return checkExitCode(report);
}

export function checkExitCode(report: CheckReport): number {
  return report.clients.every((c) => c.actual.ok && c.agree) ? 0 : 1;
}

export function renderCheck(report: CheckReport, s: Style): string {
  const out: string[] = [];
  const via = report.proxy ? ` via ${report.proxy}` : '';
  out.push(s.bold(`certifix check ${report.url}${via}`));
  const env = report.environment;
  out.push(
    s.dim(
      env.source === 'login-shell'
        ? `Clients run as a new login shell (${env.shell}) starts them.`
        : `Clients run in the current environment${env.note ? `: ${env.note}` : '.'}`,
    ),
  );
  if (report.clients.length + report.notRun.length === 0) out.push('', 'No installed client found.');
  const w = Math.max(0, ...[...report.clients, ...report.notRun].map((c) => c.id.length));
  out.push('');
  for (const c of report.clients) {
    const mark = c.actual.ok ? s.green('✓') : s.red('✗');
    const said = c.actual.ok ? 'verifies' : `${c.actual.message} (${c.actual.code})`;
    const pred = c.agree
      ? s.dim('as predicted')
      : s.yellow(`${c.inconclusive ? 'not compared: ' : ''}certifix predicted ${verdictWords(c.predicted)}`);
    out.push(`  ${mark} ${c.id.padEnd(w)}  ${said}  ${pred}  ${s.dim(c.environment)}`);
    if (!c.actual.ok && c.actual.printed) out.push(`    ${s.dim(c.actual.printed)}`);
  }
  for (const c of report.notRun) {
    const pred = c.predicted.ok ? 'would verify' : `would fail: ${c.predicted.message} (${c.predicted.code})`;
    out.push(
      `  ${s.yellow('?')} ${c.id.padEnd(w)}  ${s.yellow('not run')}  certifix predicts it ${pred}  ${s.dim(c.environment)}`,
    );
    out.push(`    ${s.dim(c.reason)}`);
  }
  const wrong = report.clients.filter((c) => !c.agree && !c.inconclusive);
  if (wrong.length > 0) {
    out.push(
      '',
      s.yellow(
        `certifix predicted ${wrong.length === 1 ? 'one client' : `${wrong.length} clients`} wrongly (${wrong.map((c) => c.id).join(', ')}).`,
      ),
      'That is a bug in certifix, not in your setup. Please report it with:',
      `  - the output of: certifix check ${report.url} --json`,
      `  - the output of: certifix diagnose ${report.url} --json`,
      '  - the client and its version (the environment column above)',
      `  - the chain the server sends: openssl s_client -connect <host>:<port> -showcerts </dev/null${report.proxy ? ` -proxy ${report.proxy.replace(/^http:\/\//, '')}` : ''}`,
    );
  }
  const unsure = report.clients.filter((c) => c.inconclusive);
  if (unsure.length > 0) {
    const ids = [...new Set(unsure.map((c) => c.id))].join(',');
    out.push(
      '',
      s.yellow(
        `${unsure.length === 1 ? 'One client' : `${unsure.length} clients`} ended without a TLS verdict (${unsure.map((c) => c.id).join(', ')}): not compared with the prediction.`,
      ),
      'A run certifix stopped at its time limit, or a failure it does not recognise, says nothing about the',
      `certificate. Run again: certifix check ${report.url} --client ${ids}`,
      `If the quoted line names a certificate problem, that is a bug in certifix: send certifix check ${report.url} --json.`,
    );
  }
  const failing = report.clients.filter((c) => !c.actual.ok).length;
  out.push(
    '',
    failing === 0
      ? s.green(`All ${report.clients.length} clients verify ${report.url}.`)
      : `${failing} of ${report.clients.length} clients fail. ${s.bold(`certifix diagnose ${report.url}`)} says why; ${s.bold('certifix fix')} fixes it.`,
  );
  return `${out.join('\n')}\n`;
}

function verdictWords(v: { ok: boolean; code: string; message: string }): string {
  return v.ok ? 'it verifies' : `${v.message} (${v.code})`;
}
