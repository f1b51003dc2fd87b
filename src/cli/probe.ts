import { type ProbeReport, probe } from '../commands/probe.ts';
import { CertifixError } from '../core/errors.ts';
import type { ChainGroup } from '../core/handshake-groups.ts';
import { NETWORK_OPTIONS, networkOptions, parse } from './args.ts';
import { contextFromIo } from './context.ts';
import { type Io, type Style, styler } from './io.ts';

export const PROBE_HELP = `Usage: certifix probe <url|host[:port]> [options]

For failures that come and go. "pip install works, then fails after ~150 requests with
CERTIFICATE_VERIFY_FAILED, then works again": the name resolves to several servers behind a load
balancer or DNS round robin, and one of them serves a broken chain (often without its intermediate).
Or an inspection proxy intercepts some connections and not others. One handshake cannot see that.

probe resolves every address of the host (A and AAAA), handshakes N times spread over all of them,
verifies each distinct chain against the OS trust store, and shows, per address, which chains were
served and whether they verify. Through a proxy the proxy picks the server: use --no-proxy from a
machine that reaches the server directly to tell backends apart.

Options:
  -n, --count N        handshakes in all (default 20)
  -c, --concurrency C  handshakes at once (default 4)
  --proxy URL          use this HTTP CONNECT proxy (default: HTTPS_PROXY/ALL_PROXY, honouring NO_PROXY)
  --no-proxy           connect directly even if a proxy is configured
  --timeout SECONDS    per handshake (default 10)
  --json               print one JSON document: { target, addresses, endpoints, consistent, findings }
  -h, --help           show this help

Examples:
  certifix probe https://pypi.internal.corp
  certifix probe files.pythonhosted.org -n 100 -c 8 --no-proxy
  certifix probe https://git.corp:8443 --json | jq '.endpoints[] | select(.chains[] | .ok | not)'

Exit codes: 0 every handshake saw the same valid chain, 1 chains differ, fail, or some handshakes
failed, 2 usage error or no handshake completed.
`;

function count(value: string | undefined, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new CertifixError(
      'USAGE',
      `${name} must be a whole number from 1 to ${max}, not ${JSON.stringify(value)}`,
    );
  return n;
}

export async function probeCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    count: { type: 'string', short: 'n' },
    concurrency: { type: 'string', short: 'c' },
    ...NETWORK_OPTIONS,
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(PROBE_HELP);
    return 0;
  }
  const [target, ...extra] = positionals;
  if (!target || extra.length > 0) {
    throw new CertifixError('USAGE', 'probe takes exactly one URL or host[:port]', {
      hint: 'certifix probe https://pypi.org -n 50',
    });
  }
  const n = count(values.count, '--count', 20, 10_000);
  const c = count(values.concurrency, '--concurrency', 4, 64);
  const net = networkOptions(values);
  const bar = io.isTTY ? progressBar(io) : undefined;
  let report: ProbeReport;
  try {
    report = await probe(
      target,
      {
        count: n,
        concurrency: c,
        ...net,
        onProgress: bar,
      },
      contextFromIo(io),
    );
  } finally {
    if (bar) io.stderr('\r\x1b[K');
  }
  if (values.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else io.stdout(renderProbe(report, styler(io)));
  return exitCode(report);
}

function exitCode(r: ProbeReport): number {
  if (r.succeeded === 0) return 2;
  const allOk = r.endpoints.every((e) => !e.errors && e.chains.every((c) => c.ok));
  return r.consistent && allOk ? 0 : 1;
}

/** `\r[#####     ] 12/20` on stderr, redrawn after each handshake. */
function progressBar(io: Io) {
  const width = 20;
  return (done: number, total: number) => {
    const filled = Math.round((done / total) * width);
    io.stderr(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}`);
  };
}

function chainText(c: ChainGroup, s: Style): string {
  const what = c.ok ? s.green('valid chain') : s.red(`FAILS: ${c.message}`);
  const leaf = (c.sha256[0] ?? '').slice(0, 12);
  return `${c.count}× ${what} (leaf ${leaf}…, ${c.sha256.length} cert${c.sha256.length === 1 ? '' : 's'}${c.issuer ? `, top issued by ${c.issuer}` : ''})`;
}

function renderProbe(r: ProbeReport, s: Style): string {
  const out: string[] = [];
  const where = r.target.proxy
    ? `through proxy ${r.target.proxy}`
    : `over ${r.addresses.length} address${r.addresses.length === 1 ? '' : 'es'}`;
  out.push(s.bold(`${r.target.url}: ${r.handshakes} handshakes ${where}, ${r.succeeded} completed`), '');
  const width = Math.max(7, ...r.endpoints.map((e) => e.address.length));
  out.push(`  ${'ADDRESS'.padEnd(width)}  COUNT  RESULT`);
  for (const e of r.endpoints) {
    const lines = [
      ...e.chains.map((c) => chainText(c, s)),
      ...(e.errors ?? []).map((x) => `${x.count}× ${s.yellow(`error: ${x.message}`)}`),
    ];
    lines.forEach((line, i) => {
      const head =
        i === 0 ? `${e.address.padEnd(width)}  ${String(e.handshakes).padStart(5)}` : ' '.repeat(width + 7);
      out.push(`  ${head}  ${line}`);
    });
  }
  out.push('');
  if (r.succeeded === 0) out.push(s.red('No handshake completed: nothing to compare.'));
  else if (r.consistent && exitCode(r) === 0)
    out.push(s.green('Consistent: every handshake saw the same valid chain.'));
  else if (r.consistent) out.push('Every completed handshake saw the same chain.');
  else out.push(s.red('Inconsistent: not every handshake saw the same chain.'));
  for (const f of r.findings) {
    const mark = f.severity === 'error' ? s.red('✗') : f.severity === 'warning' ? s.yellow('!') : s.cyan('i');
    out.push(`${mark} ${f.message}`, `  ${s.dim(`fix: ${f.fix}`)}`);
  }
  return `${out.join('\n')}\n`;
}
