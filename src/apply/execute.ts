/**
 * The one executor of plans. For each file that must change: record it in the journal (original bytes from
 * the first run kept), write the journal atomically, THEN write the file atomically. A run killed at any
 * point leaves every file either old or new, and a journal that covers every file touched.
 */
import { rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { CertifixError } from '../core/errors.ts';
import type { Plan } from '../core/plan.ts';
import type { Context, Runner } from '../types.ts';
import { mkdirp, readMaybe, removeStaleTemps, writeAtomic } from './atomic.ts';
import { missingDirs, openDataDir } from './datadir.ts';
import { lineDiff } from './diff.ts';
import { mergeRecord } from './edits.ts';
import { assertDataDirSafe } from './guard.ts';
import { entryFor, type Journal, newJournal, readJournal, sha256, writeJournal } from './journal.ts';
import { applySessionEnv } from './launchd.ts';
import { certifixPaths } from './paths.ts';
import { documentsDir } from './powershell-profile.ts';
import { type FileWork, prepare } from './prepare.ts';
import { applyUserEnv, planUserEnv, type RegistryChange } from './registry.ts';
import type { EnvTargetId } from './shells.ts';
import { removeDirs, undoLocked } from './undo.ts';

type ApplyStep =
  | { at: 'journal'; path: string } // the journal now covers `path`; the file is untouched
  | { at: 'temp'; path: string } // the new content sits complete in a temp file next to `path`
  | { at: 'renamed'; path: string }; // `path` holds the new content

interface ApplyOptions {
  /** Describe the changes, write nothing (no journal, no lock, no directories). */
  dryRun?: boolean;
  /** Startup files that carry the environment block; default: detected on this machine (shells.ts). */
  envTargets?: readonly EnvTargetId[];
  /** Awaited at each step; lets tests pause or kill a run between any two writes. */
  onStep?: (step: ApplyStep) => Promise<void> | void;
  /** Windows: runs reg.exe for HKCU\Environment (default: the context's runner, else a real process). */
  run?: Runner;
}

export interface FileChange {
  /** The file as the plan named it. */
  path: string;
  /** The file written, when `path` is a symlink to it. */
  target?: string;
  action: 'create' | 'modify';
  kinds: string[];
  owners: string[];
  /** Lines added and removed (without line terminators). */
  added: string[];
  removed: string[];
}

export interface ApplyResult {
  dryRun: boolean;
  changed: FileChange[];
  /** Files already as the plans want them (not rewritten). */
  unchanged: string[];
  /** Things the user should know: a variable set again after our block, two plans disagreeing, ... */
  warnings: string[];
  /** The journal's path (written only when something changed). */
  journal: string;
  /** Windows: user environment values set (or, with dryRun, that would be) in HKCU\Environment. */
  registry?: RegistryChange[];
}

type Ctx = Pick<Context, 'env' | 'home' | 'platform'> & { run?: Runner };

/** The runner for reg.exe on Windows; null elsewhere (environment variables live in startup files there). */
async function registryRunner(ctx: Ctx, opts: ApplyOptions): Promise<Runner | null> {
  if (ctx.platform !== 'win32') return null;
  return opts.run ?? ctx.run ?? (await import('../context.ts')).runProcess;
}

function describe(w: FileWork): FileChange {
  const { added, removed } = lineDiff(w.beforeText, w.afterText);
  const change: FileChange = {
    path: w.planned,
    action: w.before ? 'modify' : 'create',
    kinds: w.kinds,
    owners: w.owners,
    added,
    removed,
  };
  if (w.target !== resolve(w.planned)) change.target = w.target;
  return change;
}

const pending = (w: FileWork) => !w.before?.equals(w.after);

const union = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])];

async function applyOne(
  w: FileWork,
  journal: Journal,
  journalPath: string,
  backups: string,
  opts: ApplyOptions,
) {
  const step = async (at: ApplyStep['at']) => opts.onStep?.({ at, path: w.target } as ApplyStep);
  let entry = journal.entries.find((e) => e.path === w.target);
  if (!entry) {
    entry = await entryFor(w.target, w.planned, w.before, w.mode, backups);
    journal.entries.push(entry);
  }
  const afterSha = sha256(w.after);
  entry.afterSha256 = afterSha;
  entry.ours = union(entry.ours, [afterSha]);
  entry.kinds = union(entry.kinds, w.kinds);
  entry.owners = union(entry.owners, w.owners);
  entry.createdDirs = union(entry.createdDirs, await missingDirs(dirname(w.target)));
  for (const r of w.records) entry.edits = mergeRecord(entry.edits, r);
  await writeJournal(journalPath, journal);
  await step('journal');

  await mkdirp(dirname(w.target));
  await removeStaleTemps(w.target);
  await writeAtomic(w.target, w.after, { mode: w.newMode, beforeRename: () => step('temp') });
  await step('renamed');
}

/**
 * Apply plans to this machine (or, with `dryRun`, say what would change). Idempotent: files already in the
 * wanted state are not rewritten, and a second identical run changes nothing. Throws LOCKED when another
 * run holds the lock, IO when a file cannot be read or written, REFUSED for values no config file can hold.
 */
export async function applyPlans(
  plans: readonly Plan[],
  ctx: Ctx,
  opts: ApplyOptions = {},
): Promise<ApplyResult> {
  const paths = certifixPaths(ctx);
  const reg = await registryRunner(ctx, opts);
  // Windows: the PowerShell profiles live under Documents, which OneDrive may have moved (powershell-profile.ts).
  const documents = reg ? await documentsDir(ctx, reg) : undefined;
  const first = await prepare(plans, ctx, opts.envTargets, documents);
  let registry = reg ? await planUserEnv(reg, first.env) : [];
  const result = (work: FileWork[], warnings: string[]): ApplyResult => ({
    dryRun: opts.dryRun === true,
    changed: work.filter(pending).map(describe),
    unchanged: work.filter((w) => !pending(w)).map((w) => w.planned),
    warnings,
    journal: paths.journal,
    ...(reg ? { registry } : {}),
  });
  if (opts.dryRun || (!first.work.some(pending) && registry.length === 0))
    return result(first.work, first.warnings);

  await assertDataDirSafe(ctx);
  const lock = await openDataDir(paths);
  const emptied: string[] = []; // directories a rolled-back first run leaves empty, removed after the lock
  try {
    // Files may have changed while we waited for the lock: compute again under it.
    const { work, env, warnings } = await prepare(plans, ctx, opts.envTargets, documents);
    const journal = (await readJournal(ctx)) ?? newJournal();
    // The journal's exact bytes, for a rollback (it is read and checked just above).
    const before = { entries: journal.entries.length, bytes: await readMaybe(paths.journal) };
    if (Object.keys(env).length > 0) journal.env = env;
    const done: FileWork[] = [];
    try {
      for (const w of work) {
        if (!pending(w)) continue;
        await applyOne(w, journal, paths.journal, paths.backups, opts);
        done.push(w);
      }
    } catch (e) {
      throw await rollBack(e, done, before, ctx, emptied);
    }
    if (ctx.platform === 'darwin' && Object.keys(env).length > 0) {
      // macOS: GUI apps started from now on see the variables too (launchd.ts).
      const run = opts.run ?? ctx.run ?? (await import('../context.ts')).runProcess;
      journal.launchd ??= [];
      await applySessionEnv(run, env, journal.launchd, () => writeJournal(paths.journal, journal));
    }
    if (reg) {
      registry = await planUserEnv(reg, env);
      journal.registry ??= [];
      await applyUserEnv(reg, registry, journal.registry, () => writeJournal(paths.journal, journal));
    }
    return result(work, warnings);
  } finally {
    await lock.release();
    await removeDirs(emptied);
  }
}

/**
 * A run that failed half-way (EACCES on one file) takes back what it wrote, so the machine is as before:
 * a first run is undone whole; a later run puts this run's files back to their bytes from before it and
 * the journal back to its previous state. If that fails too, the user is told exactly what to run.
 */
async function rollBack(
  failure: unknown,
  done: FileWork[],
  before: { entries: number; bytes: Buffer | null },
  ctx: Ctx,
  emptied: string[],
): Promise<unknown> {
  const paths = certifixPaths(ctx);
  const what = failure instanceof Error ? failure.message : String(failure);
  try {
    if (before.entries === 0 || before.bytes === null) {
      const { createdDirs } = await undoLocked(ctx);
      emptied.push(...new Set([...createdDirs, paths.dir].sort()));
    } else {
      for (const w of [...done].reverse()) {
        if (w.before === null) await rm(w.target, { force: true });
        else await writeAtomic(w.target, w.before, { noFollow: w.target.startsWith(paths.dir) });
      }
      await writeAtomic(paths.journal, before.bytes, { mode: 0o600, forceMode: true, noFollow: true });
    }
  } catch (again) {
    return new CertifixError(
      'IO',
      `${what}; undoing the files changed so far failed too (${String((again as Error).message ?? again)})`,
      {
        cause: failure,
        hint: 'run `certifix undo`: the journal records every file this run changed',
      },
    );
  }
  return new CertifixError(
    'IO',
    `${what}; the files certifix had changed in this run were put back, nothing changed`,
    { cause: failure, hint: failure instanceof CertifixError ? failure.hint : undefined },
  );
}
