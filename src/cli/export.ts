import { type ExportFormat, type ExportWhat, exportCertificates, renderPem } from '../commands/export.ts';
import type { Distro } from '../core/dockerfile.ts';
import { CertifixError } from '../core/errors.ts';
import { NETWORK_OPTIONS, networkOptions, parse } from './args.ts';
import { contextFromIo } from './context.ts';
import type { Io } from './io.ts';

export const EXPORT_HELP = `Usage: certifix export system|locally-added|chain URL|dockerfile [--format pem|der] [--out FILE] [--json]

Write certificates out, as you would with macOS's \`security export\`, the Windows certificate export
wizard, or \`openssl s_client -showcerts\`, the same way on every platform:
  system           every root your OS trusts (Keychain on macOS, the Windows store, /etc/ssl on Linux)
  locally-added    the roots your OS trusts that are not Mozilla's: where IT puts company roots
  chain URL        the certificates the server (or an intercepting proxy) sends, in the order sent
  dockerfile       the roots \`certifix fix\` trusts (else the locally added ones), one .crt each, into the
                   build context (--out DIR, default the current directory), and the Dockerfile lines
                   that make the image trust them (--distro debian|alpine, default debian)

Options:
  --format pem|der   PEM bundle (default) or DER (one certificate per file: FILE, or FILE-1, FILE-2, ...)
  --out FILE         write to FILE (atomically) instead of standard output; required for DER
  --json             print one JSON document (the certificates, PEM included, and the files written)
  --proxy URL / --no-proxy / --timeout SECONDS   for chain, as for diagnose
  -h, --help         show this help

Examples:
  certifix export locally-added --out corp-roots.pem
  certifix export chain https://pypi.org --proxy http://proxy.corp:3128
  certifix export chain pypi.org --format der --out pypi.der
  certifix export dockerfile --out ./app --distro alpine

Exit codes: 0 written, 1 nothing to export, 2 usage, file or connection error (say, --out in a directory
that does not exist).
`;

const WHAT: readonly ExportWhat[] = ['system', 'locally-added', 'chain', 'dockerfile'];

export async function exportCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    format: { type: 'string' },
    out: { type: 'string', short: 'o' },
    distro: { type: 'string' },
    ...NETWORK_OPTIONS,
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(EXPORT_HELP);
    return 0;
  }
  const [what, url, ...extra] = positionals;
  if (!WHAT.includes(what as ExportWhat)) {
    throw new CertifixError('USAGE', `export what? ${WHAT.join(', ')}`, { hint: 'certifix export --help' });
  }
  if ((what === 'chain') !== (url !== undefined) || extra.length > 0) {
    throw new CertifixError(
      'USAGE',
      what === 'chain' ? 'export chain takes one URL' : `export ${what} takes no URL`,
    );
  }
  const report = await exportCertificates(
    what as ExportWhat,
    {
      url,
      ...networkOptions(values),
      format: values.format as ExportFormat | undefined,
      out: values.out,
      distro: values.distro as Distro | undefined,
    },
    contextFromIo(io),
  );
  if (values.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  const n = report.certificates.length;
  if (n === 0) {
    io.stderr(
      `certifix: nothing to export: no ${what === 'locally-added' ? 'locally added roots' : 'certificates'}\n`,
    );
    return 1;
  }
  if (report.dockerfile) {
    io.stderr(
      `certifix: wrote ${report.files.join(', ')}; add these lines to the Dockerfile next to them:\n`,
    );
    if (!values.json) io.stdout(`${report.dockerfile.join('\n')}\n`);
    return 0;
  }
  if (report.files.length === 0) {
    if (!values.json) io.stdout(renderPem(report.certificates));
    return 0;
  }
  io.stderr(`certifix: wrote ${n} certificate${n === 1 ? '' : 's'} to ${report.files.join(', ')}\n`);
  return 0;
}
