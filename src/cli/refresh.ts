import { applyPlans, readJournal } from '../apply/index.ts';
import { CertifixError } from '../core/errors.ts';
import { type ChosenRoot, osLocalRoots, planFix, readChosenRoots } from '../fix/index.ts';
import { parse } from './args.ts';
import { contextFromIo } from './context.ts';
import { type Io, styler } from './io.ts';
import { renderChanges } from './show-changes.ts';

export const REFRESH_HELP = `Usage: certifix refresh [--dry-run] [--json]

Rebuild the merged bundle after your OS store changed (IT rotated the company root, Node or the Mozilla
list was updated) and re-apply the client settings. Roots you added from files or confirmed fingerprints
are kept; roots taken from the OS store are re-read from it.
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
  const ctx = contextFromIo(io);
  if (!(await readJournal(ctx))) {
    throw new CertifixError('USAGE', 'nothing to refresh: certifix has not configured this machine', {
      hint: 'run certifix fix',
    });
  }
  const previous = await readChosenRoots(ctx);
  const fromOs = previous.some((r) => r.origin === 'os-store');
  const kept = previous.filter((r) => r.origin !== 'os-store');
  const osNow: ChosenRoot[] = fromOs
    ? (await osLocalRoots(ctx)).map((cert) => ({ cert, origin: 'os-store' }))
    : [];
  const fix = await planFix([...osNow, ...kept], { keepPrevious: false }, ctx);
  const result = await applyPlans(fix.plans, ctx, { dryRun: values['dry-run'] === true });
  if (values.json)
    io.stdout(
      `${JSON.stringify({ roots: fix.roots.map((r) => ({ subject: r.cert.subject, sha256: r.cert.sha256, origin: r.origin })), ...result }, null, 2)}\n`,
    );
  else io.stdout(renderChanges(fix, result, styler(io)));
  return 0;
}
