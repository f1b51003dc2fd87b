/**
 * `refresh` as a library call: rebuild the merged bundle after the OS store changed (IT rotated the company
 * root, the Mozilla list was updated) and re-apply the client settings. Roots added from files or confirmed
 * fingerprints are kept; roots taken from the OS store are read from it again. Java keeps the way fix
 * configured it: after `fix --java-cacerts`, the roots are imported into the JDK's keystore again (a JDK
 * update may have replaced it) instead of a truststore named in JAVA_TOOL_OPTIONS.
 */
import { type ApplyResult, applyPlans, type Journal, readJournal } from '../apply/index.ts';
import { processContext } from '../context.ts';
import { CertifixError } from '../core/errors.ts';
import type { Origin } from '../core/screen.ts';
import { type ChosenRoot, osLocalRoots, planFix, readChosenRoots } from '../fix/index.ts';
import type { Context } from '../types.ts';
import type { FixStep } from './fix.ts';

export interface RefreshOptions {
  /** Plan only: change nothing. */
  dryRun?: boolean | undefined;
  /** Told the plan and what applying it changed (the CLI shows it). */
  onStep?: ((step: Extract<FixStep, { kind: 'applied' }>) => void) | undefined;
}

/** `certifix refresh --json`: the roots the bundle now holds beyond the public ones, and what changed. */
export interface RefreshReport extends ApplyResult {
  roots: Array<{ subject: string; sha256: string; origin: Origin }>;
}

/**
 * Whether an earlier `fix --java-cacerts` (clients/java-cacerts.ts) imported into a JDK's keystore, as the
 * journal records it (an entry of kind `cacerts`, kept until undo): refresh then imports again rather than
 * switch to a truststore. The journal lies in HOME (read bounded, owned by HOME's owner: readJournal); only
 * this yes or no is taken from it, never a path: the keystore is found again by detection, refused as before.
 */
function importedIntoJdk(journal: Pick<Journal, 'entries'>): boolean {
  const entries: unknown = journal.entries;
  return (
    Array.isArray(entries) &&
    entries.some((e: unknown) => {
      const kinds = (e as { kinds?: unknown } | null)?.kinds;
      return Array.isArray(kinds) && kinds.includes('cacerts');
    })
  );
}

/**
 * `certifix refresh --json` as a library call. Throws NOT_CONFIGURED when certifix has not configured this
 * machine (nothing to refresh: run fix first).
 */
export async function refresh(
  opts: RefreshOptions = {},
  ctx: Context = processContext(),
): Promise<RefreshReport> {
  const journal = await readJournal(ctx);
  if (!journal) {
    throw new CertifixError(
      'NOT_CONFIGURED',
      'nothing to refresh: certifix has not configured this machine',
      {
        hint: 'run certifix fix first: refresh rebuilds and re-applies what fix set up',
      },
    );
  }
  // Java is re-applied the way fix did it: an import into the JDK's keystore stays one (fix --java-cacerts).
  if (importedIntoJdk(journal)) ctx = { ...ctx, javaCacerts: true };
  const previous = await readChosenRoots(ctx);
  const fromOs = previous.some((r) => r.origin === 'os-store');
  const kept = previous.filter((r) => r.origin !== 'os-store');
  const osNow: ChosenRoot[] = fromOs
    ? (await osLocalRoots(ctx)).map((cert) => ({ cert, origin: 'os-store' }))
    : [];
  const plan = await planFix([...osNow, ...kept], { keepPrevious: false }, ctx);
  const result = await applyPlans(plan.plans, ctx, { dryRun: opts.dryRun === true });
  opts.onStep?.({ kind: 'applied', plan, result });
  return {
    roots: plan.roots.map((r) => ({ subject: r.cert.subject, sha256: r.cert.sha256, origin: r.origin })),
    ...result,
  };
}
