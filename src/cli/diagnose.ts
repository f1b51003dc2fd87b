import { CLIENT_IDS } from '../clients/ids.ts';
import { diagnose } from '../commands/diagnose.ts';
import { CertifixError } from '../core/errors.ts';
import type { DiagnoseReport } from '../core/report.ts';
import type { ClientId } from '../types.ts';
import {
  clientIdsHelp,
  list,
  NETWORK_OPTIONS,
  networkOptions,
  PYTHON_OPTION,
  parse,
  withPythons,
} from './args.ts';
import { contextFromIo } from './context.ts';
import type { Io } from './io.ts';
import { renderReport } from './render-diagnose.ts';

export const DIAGNOSE_HELP = `Usage: certifix diagnose <url|host[:port]> [options]

Connect as your clients would (directly or through the proxy from HTTPS_PROXY / --proxy), show the chain
the server really sends, and say for each installed client (Python's requests, pip, httpx and every Python
environment, curl, git, wget, Node, npm, yarn, Java, Maven, Go, Ruby, Cargo, PHP, Docker, cloud CLIs, ...)
whether it verifies it - and if not, the error exactly as that client prints it.

Options:
  --proxy URL        use this HTTP CONNECT proxy (default: HTTPS_PROXY/ALL_PROXY, honouring NO_PROXY)
  --no-proxy         connect directly even if a proxy is configured
  --client IDS       only these clients, comma-separated (e.g. pip,node), of:
${clientIdsHelp(21)}
  --python PATH      also this Python interpreter (repeatable); PATH, pyenv, conda and ./.venv are found
  --timeout SECONDS  connection timeout (default 10)
  --no-aia           do not fetch missing intermediates from the certificate's AIA URL
  --allow-private-aia  fetch AIA URLs on private/loopback addresses too (refused by default)
  --json             print one JSON document (stable; see README)
  -h, --help         show this help

Examples:
  certifix diagnose https://pypi.org
  certifix diagnose registry.npmjs.org --proxy http://proxy.corp:3128
  certifix diagnose https://git.internal:8443 --json | jq '.clients[] | select(.ok|not)'

Exit codes: 0 every client verifies, 1 at least one fails, 2 usage or connection error.
`;

export async function diagnoseCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...NETWORK_OPTIONS,
    ...PYTHON_OPTION,
    client: { type: 'string', multiple: true },
    'no-aia': { type: 'boolean' },
    'allow-private-aia': { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(DIAGNOSE_HELP);
    return 0;
  }
  const [target, ...extra] = positionals;
  if (!target || extra.length > 0) {
    throw new CertifixError('USAGE', 'diagnose takes exactly one URL or host[:port]', {
      hint: 'certifix diagnose https://pypi.org',
    });
  }
  const net = networkOptions(values);
  const report = await diagnose(
    target,
    {
      ...net,
      clients: clientIds(values.client),
      noAia: values['no-aia'],
      allowPrivateAia: values['allow-private-aia'],
    },
    withPythons(contextFromIo(io), values.python),
  );
  if (values.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else io.stdout(renderReport(report, io));
  return exitCode(report);
}

/** `--client pip,git`: validated against the registry; undefined means every installed client. */
export function clientIds(values: string[] | undefined): ClientId[] | undefined {
  const ids = list(values);
  if (ids.length === 0) return undefined;
  const known = CLIENT_IDS;
  const unknown = ids.filter((id) => !known.includes(id as ClientId));
  if (unknown.length > 0) {
    throw new CertifixError('USAGE', `unknown client ${unknown.join(', ')}; known: ${known.join(', ')}`);
  }
  return ids as ClientId[];
}

function exitCode(report: DiagnoseReport): number {
  return report.clients.every((c) => c.ok) ? 0 : 1;
}
