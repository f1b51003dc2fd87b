import { writeAtomic } from '../apply/atomic.ts';
import { CertifixError } from '../core/errors.ts';
import { derFiles, type ExportFormat, type ExportWhat, exportCerts, renderPem } from '../export.ts';
import { NETWORK_OPTIONS, networkOptions, parse } from './args.ts';
import { contextFromIo } from './context.ts';
import type { Io } from './io.ts';

export const EXPORT_HELP = `Usage: certifix export system|locally-added|chain URL [--format pem|der] [--out FILE]

Write certificates out, as you would with macOS's \`security export\`, the Windows certificate export
wizard, or \`openssl s_client -showcerts\`, the same way on every platform:
  system           every root your OS trusts (Keychain on macOS, the Windows store, /etc/ssl on Linux)
  locally-added    the roots your OS trusts that are not Mozilla's: where IT puts company roots
  chain URL        the certificates the server (or an intercepting proxy) sends, in the order sent

Options:
  --format pem|der   PEM bundle (default) or DER (one certificate per file: FILE, or FILE-1, FILE-2, ...)
  --out FILE         write to FILE (atomically) instead of standard output; required for DER
  --proxy URL / --no-proxy / --timeout SECONDS   for chain, as for diagnose
  -h, --help         show this help

Examples:
  certifix export locally-added --out corp-roots.pem
  certifix export chain https://pypi.org --proxy http://proxy.corp:3128
  certifix export chain pypi.org --format der --out pypi.der

Exit codes: 0 written, 1 nothing to export, 2 usage or connection error.
`;

const WHAT: readonly ExportWhat[] = ['system', 'locally-added', 'chain'];

export async function exportCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    format: { type: 'string' },
    out: { type: 'string', short: 'o' },
    ...NETWORK_OPTIONS,
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
  const format = (values.format ?? 'pem') as ExportFormat;
  if (format !== 'pem' && format !== 'der') throw new CertifixError('USAGE', '--format is pem or der');
  if (format === 'der' && !values.out) {
    throw new CertifixError('USAGE', 'DER is binary: pass --out FILE', { hint: 'or use --format pem' });
  }
  const ctx = contextFromIo(io);
  const certs = await exportCerts(what as ExportWhat, { url, ...networkOptions(values) }, ctx);
  if (certs.length === 0) {
    io.stderr(
      `certifix: nothing to export: no ${what === 'locally-added' ? 'locally added roots' : 'certificates'}\n`,
    );
    return 1;
  }
  const out = values.out ? (await import('node:path')).resolve(io.cwd, values.out) : undefined;
  if (!out) {
    io.stdout(renderPem(certs));
    return 0;
  }
  const files =
    format === 'pem'
      ? [{ path: out, data: renderPem(certs) }]
      : derFiles(certs, out).map((f) => ({ path: f.path, data: f.der }));
  for (const f of files) await writeAtomic(f.path, f.data, { mode: 0o644 });
  io.stderr(
    `certifix: wrote ${certs.length} certificate${certs.length === 1 ? '' : 's'} to ${files.map((f) => f.path).join(', ')}\n`,
  );
  return 0;
}
