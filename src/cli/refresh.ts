import { refresh } from '../commands/refresh.ts';
import { parse } from './args.ts';
import { contextFromIo } from './context.ts';
import { type Io, styler } from './io.ts';
import { renderChanges } from './render-fix.ts';

export const REFRESH_HELP = `Usage: certifix refresh [--dry-run] [--json]

Rebuild the merged bundle after your OS store changed (IT rotated the company root, Node or the Mozilla
list was updated) and re-apply the client settings. Roots you added from files or confirmed fingerprints
are kept; roots taken from the OS store are re-read from it.

Examples:
  certifix refresh --dry-run   show what would change
  certifix refresh --json
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
