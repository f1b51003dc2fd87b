import { readFileBounded, readStreamBounded } from '../bounded.ts';
import { type ExplainReport, explain } from '../commands/explain.ts';
import { CertifixError, isCertifixError, readError } from '../core/errors.ts';
import { NETWORK_OPTIONS, networkOptions, parse } from './args.ts';
import { contextFromIo } from './context.ts';
import { type Io, type Style, styler } from './io.ts';

export const EXPLAIN_HELP = `Usage: certifix explain [FILE|-] [options]

Paste the error a tool printed (pip, conda, uv, requests, httpx, aiohttp, urllib, npm, Node, git, curl,
Java): certifix says which tool failed to verify which server and why, what to do about it, then diagnoses
that server from here (unless --offline) to show what every client on this machine sees now.

Reads FILE, or standard input with '-' or when input is piped. To paste by hand: run certifix explain -,
paste the error, then press Ctrl-D (Windows: Ctrl-Z, Enter).

Options:
  --offline          explain from the text alone; do not connect
  --proxy URL        diagnose through this HTTP CONNECT proxy (default: HTTPS_PROXY, honouring NO_PROXY)
  --no-proxy         diagnose with a direct connection
  --timeout SECONDS  connection timeout for the diagnosis (default 10)
  --json             print one JSON document
  -h, --help         show this help

Examples:
  pip install requests 2>&1 | certifix explain -
  npm install 2>&1 | certifix explain
  certifix explain build.log --offline
  pbpaste | certifix explain - --json | jq .advice

Exit codes: 0 every client verifies the server now, 1 the error is confirmed or explained, 2 no input, not a
TLS verification error certifix recognises, or a usage or file error.
`;

const PASTE_HINT =
  'pipe the failing command in (`pip install x 2>&1 | certifix explain -`), or run `certifix explain -`, paste the error, then press Ctrl-D';

/** Where the paste comes from when it is not a file: the process's stdin, unless a test supplies one. */
export interface Stdin {
  isTTY: boolean;
  read: () => Promise<string>;
}

const processStdin: Stdin = {
  get isTTY() {
    return Boolean(process.stdin.isTTY);
  },
  read: async () => (await readStreamBounded(process.stdin, 'the input on stdin')).toString('utf8'),
};

export async function explainCommand(argv: string[], io: Io, stdin: Stdin = processStdin): Promise<number> {
  const { values, positionals } = parse(argv, {
    offline: { type: 'boolean' },
    ...NETWORK_OPTIONS,
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(EXPLAIN_HELP);
    return 0;
  }
  if (positionals.length > 1) throw new CertifixError('USAGE', 'explain reads one FILE (or - for stdin)');
  const source = positionals[0];
  if (source === undefined && stdin.isTTY) {
    io.stdout(EXPLAIN_HELP);
    return 2;
  }
  const net = networkOptions(values);

  const fromStdin = source === undefined || source === '-';
  const text = fromStdin ? await stdin.read() : await readText(source);
  if (text.trim() === '') {
    const what = fromStdin ? 'no input was given on standard input' : `${source} is empty`;
    io.stderr(`certifix: nothing to explain: ${what}\n  hint: ${PASTE_HINT}\n`);
    return 2;
  }
  let report: ExplainReport;
  try {
    report = await explain(text, { offline: values.offline, ...net }, contextFromIo(io));
  } catch (e) {
    if (!isCertifixError(e) || e.code !== 'UNRECOGNISED') throw e;
    io.stderr(`certifix: ${e.message}\n  hint: ${e.hint}\n`);
    return 2;
  }
  if (values.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else io.stdout(render(report, styler(io)));
  const clients = report.diagnosis?.clients ?? [];
  return clients.length > 0 && clients.every((c) => c.ok) ? 0 : 1;
}

async function readText(file: string): Promise<string> {
  try {
    return (await readFileBounded(file)).toString('utf8');
  } catch (cause) {
    throw readError(file, cause);
  }
}

function render(e: ExplainReport, s: Style): string {
  const where = e.host ? `${e.host}${e.port ? `:${e.port}` : ''}` : 'a server it does not name';
  const out = [
    s.bold(`This is ${e.client} failing to verify ${where}: ${e.message}.`),
    s.dim(`  ${e.code}, from: ${clip(e.evidence, 160)}`),
    '',
    s.bold('What to do:'),
    ...e.advice.map((a) => `  • ${a}`),
    '',
  ];
  if (!e.diagnosis) {
    out.push(s.yellow(e.note ?? ''));
    return `${out.join('\n')}\n`;
  }
  const r = e.diagnosis;
  const failing = r.clients.filter((c) => !c.ok);
  out.push(s.bold(`Diagnosis of ${r.target.url}${r.target.proxy ? ` via ${r.target.proxy}` : ''}:`));
  if (r.clients.length === 0) out.push('  No supported client is installed here.');
  else if (failing.length === 0)
    out.push(s.green(`  Every client verifies ${r.target.host} now: the error is not reproduced from here.`));
  else
    out.push(
      s.red(
        `  ${failing.length} of ${r.clients.length} clients fail: ${failing.map((c) => c.id).join(', ')}.`,
      ),
    );
  const w = Math.max(0, ...failing.map((c) => c.id.length));
  for (const c of failing) out.push(`  ${s.red('✗')} ${c.id.padEnd(w)}  ${c.message} (${c.code})`);
  if (r.interception.detected)
    out.push(
      `  ${s.yellow('Interception:')} yes${r.interception.product ? `, by ${r.interception.product}` : ''}`,
    );
  for (const f of r.findings) {
    const mark = f.severity === 'error' ? s.red('✗') : f.severity === 'warning' ? s.yellow('!') : s.cyan('i');
    out.push(`  ${mark} ${f.message}`, `    ${s.bold('fix:')} ${f.fix}`);
  }
  out.push('', s.dim(`Full report: certifix diagnose ${r.target.url}`));
  return `${out.join('\n')}\n`;
}

const clip = (line: string, max: number) => (line.length > max ? `${line.slice(0, max - 1)}…` : line);
