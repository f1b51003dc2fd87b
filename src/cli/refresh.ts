import { refresh } from '../commands/refresh.ts';
import { parse } from './args.ts';
import { contextFromIo } from './context.ts';
import { type Io, styler } from './io.ts';
import { renderChanges } from './render-fix.ts';

export const REFRESH_HELP = `Usage: certifix refresh [--dry-run] [--json]

Rebuild the merged bundle after your OS store changed (IT rotated the company root, Node or the Mozilla
list was updated) and re-apply the client settings. Roots you added from files or confirmed fingerprints
are kept; roots taken from the OS store are re-read from it.

Options:
  --dry-run   print what would change, change nothing
  --json      print one JSON document
  -h, --help  show this help

Examples:
  certifix refresh --dry-run   show what would change
  certifix refresh --json

Exit codes: 0 refreshed (or already up to date); 1 nothing to refresh, as certifix has not configured this
machine (run certifix fix first), or another certifix run holds the lock; 2 usage error, or a file that could
not be written.
`;

export async function refreshCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, {
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(REFRESH_HELP);
    return 0;
  }
  const report = await refresh(
    {
      dryRun: values['dry-run'],
      onStep: ({ plan, result }) => {
        if (!values.json) io.stdout(renderChanges(plan, result, styler(io)));
      },
    },
    contextFromIo(io),
  );
  if (values.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  return 0;
}
