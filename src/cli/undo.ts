import { renderUndoListing } from '../apply/index.ts';
import { undo } from '../commands/undo.ts';
import { CertifixError } from '../core/errors.ts';
import { parse } from './args.ts';
import { contextFromIo } from './context.ts';
import { type Io, styler } from './io.ts';

export const UNDO_HELP = `Usage: certifix undo [--yes] [--json]

Take back everything certifix fix changed: every file gets its exact previous bytes (or is removed if
certifix created it), the managed blocks in your shell startup files go, settings you had before (such as
your own REQUESTS_CA_BUNDLE) come back, and the merged bundle is deleted. If you edited one of those files
since, your edits are kept and only certifix's lines are removed. Running undo again does nothing.

Options:
  -y, --yes   do not ask for confirmation
  --json      print one JSON document

Examples:
  certifix undo              list what goes back, then ask
  certifix undo --yes --json

Exit codes: 0 undone, or nothing to undo; 1 not confirmed (you said no, or there is no terminal to ask on:
pass --yes) or another certifix run holds the lock; 2 usage error, or a file that could not be put back.
`;

export async function undoCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, {
    yes: { type: 'boolean', short: 'y' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(UNDO_HELP);
    return 0;
  }
  const s = styler(io);
  const result = await undo(
    {
      confirm: values.yes
        ? undefined
        : async ({ listing }) => {
            if (!io.confirm) throw new CertifixError('REFUSED', 'not on a terminal: pass --yes to confirm');
            const lines = renderUndoListing(listing).map((l) => `  ${l}`);
            io.stdout(`${s.bold('certifix undo will restore:')}\n${lines.join('\n')}\n`);
            return io.confirm('Restore all of these?');
          },
    },
    contextFromIo(io),
  );
  if (values.json) {
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  } else if (result.nothing) {
    io.stdout('Nothing to undo: certifix has not changed this machine.\n');
  } else {
    for (const p of result.restored) io.stdout(`  restored ${p}\n`);
    for (const p of result.removed) io.stdout(`  removed  ${p}\n`);
    for (const c of result.conflicts)
      io.stdout(`  ${s.yellow('kept your edits in')} ${c.path}: ${c.reason}\n`);
    io.stdout(`${s.green('Undone.')} New shells no longer see certifix's settings.\n`);
  }
  return 0;
}
