/**
 * The journal: what certifix changed, written (atomically) BEFORE each file is touched, so undo can put
 * every byte back even after a run was killed half-way. One entry per file, holding the file's bytes from
 * before the FIRST certifix run; later runs update our lines but never these bytes.
 */
import { createHash } from 'node:crypto';
import { isAbsolute, join, resolve } from 'node:path';
import { CertifixError } from '../core/errors.ts';
import type { KeyFormat } from '../core/plan.ts';
import type { KeyEdit } from '../formats/keyfile.ts';
import type { Context } from '../types.ts';
import { ioError, resolveTarget, writeAtomic } from './atomic.ts';
import type { BlockPlacement, BlockSyntax } from './block.ts';
import { assertOwnedByHomeOwner, mayWrite, readOwnFile, within } from './guard.ts';
import type { SessionEnvEntry } from './launchd.ts';
import { certifixPaths } from './paths.ts';
import type { RegistryEntry } from './registry.ts';

/** What certifix did inside one file: enough to take exactly that back out of a file the user edited since. */
export type EditRecord =
  | { kind: 'block'; syntax: BlockSyntax; where: BlockPlacement; vars: Record<string, string> }
  | ({ kind: 'ini' | 'npmrc' | 'gitconfig' } & KeyEdit)
  | ({ kind: 'keyfile'; format: KeyFormat } & KeyEdit)
  /** A whole file; for a JDK keystore certifix imported into (apply/cacerts.ts), the aliases it added. */
  | { kind: 'file'; imported?: string[] };

export interface JournalEntry {
  /** The file written (symlinks resolved). */
  path: string;
  /** The path as the plan named it, when that was a symlink to `path`. */
  link?: string;
  existedBefore: boolean;
  /** Original bytes (base64), or `backup` for large files; absent when the file did not exist. */
  beforeBytes?: string;
  backup?: string;
  beforeSha256: string | null;
  /** Permission bits before (or given at creation). */
  mode: number | null;
  /** The content certifix wrote last. */
  afterSha256: string;
  /** Every content certifix wrote or was about to write: a killed re-run may have left any of them. */
  ours: string[];
  /** Change kinds applied here ('env' for the shell blocks) and the plans that asked. */
  kinds: string[];
  owners: string[];
  /** Directories created for this file, outermost first (removed by undo when empty). */
  createdDirs: string[];
  edits: EditRecord[];
  changedAt: string;
}

export interface Journal {
  version: 1;
  createdAt: string;
  updatedAt: string;
  /** The data directory and parents certifix created. */
  createdDirs: string[];
  /** Environment variables in the managed blocks. */
  env: Record<string, string>;
  entries: JournalEntry[];
  /** Windows: the HKCU\Environment values set, with what each held before (registry.ts). */
  registry?: RegistryEntry[];
  /** macOS: the variables set with `launchctl setenv`, with launchd's value before (launchd.ts). */
  launchd?: SessionEnvEntry[];
}

/** Files above this size keep their original bytes in a backup file instead of inline. */
const INLINE_LIMIT = 256 * 1024;
/** A journal holds a few entries of at most INLINE_LIMIT bytes each (base64): far below this. */
const MAX_JOURNAL_BYTES = 16 * 1024 * 1024;
/** Backups are of config files, which certifix reads with the same bound. */
const MAX_BACKUP_BYTES = 64 * 1024 * 1024;

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function newJournal(createdDirs: string[] = []): Journal {
  const now = new Date().toISOString();
  return { version: 1, createdAt: now, updatedAt: now, createdDirs, env: {}, entries: [] };
}

/** What certifix configured on this machine, or null when nothing is (for `certifix status`). */
export async function readJournal(ctx: Pick<Context, 'env' | 'home' | 'platform'>): Promise<Journal | null> {
  const path = certifixPaths(ctx).journal;
  await assertOwnedByHomeOwner(path, ctx, 'the certifix journal');
  const buf = await readOwnFile(path, MAX_JOURNAL_BYTES);
  if (!buf) return null;
  try {
    const j = JSON.parse(buf.toString('utf8')) as Journal;
    if (j.version !== 1 || !Array.isArray(j.entries)) throw new Error(`unknown journal version ${j.version}`);
    return j;
  } catch (cause) {
    throw new CertifixError('IO', `the certifix journal ${path} is unreadable`, {
      cause,
      hint: 'it records the original files; keep it, and report this with the file attached',
    });
  }
}

export async function writeJournal(path: string, journal: Journal): Promise<void> {
  journal.updatedAt = new Date().toISOString();
  await writeAtomic(path, `${JSON.stringify(journal, null, 2)}\n`, {
    mode: 0o600,
    forceMode: true,
    noFollow: true,
  });
}

/** A new entry for a file about to be changed for the first time, with its original bytes kept. */
export async function entryFor(
  target: string,
  planned: string,
  before: Buffer | null,
  mode: number | null,
  backupsDir: string,
): Promise<JournalEntry> {
  const entry: JournalEntry = {
    path: target,
    existedBefore: before !== null,
    beforeSha256: before ? sha256(before) : null,
    mode,
    afterSha256: '',
    ours: [],
    kinds: [],
    owners: [],
    createdDirs: [],
    edits: [],
    changedAt: new Date().toISOString(),
  };
  if (planned !== target) entry.link = planned;
  if (before && before.length > INLINE_LIMIT) {
    entry.backup = join(backupsDir, `${entry.beforeSha256}.orig`);
    await writeAtomic(entry.backup, before, { mode: 0o600, forceMode: true, noFollow: true });
  } else if (before) {
    entry.beforeBytes = before.toString('base64');
  }
  return entry;
}

/** The file's bytes from before certifix first changed it (null: it did not exist). */
export async function originalBytes(entry: JournalEntry): Promise<Buffer | null> {
  if (!entry.existedBefore) return null;
  if (entry.beforeBytes !== undefined) return Buffer.from(entry.beforeBytes, 'base64');
  const buf = entry.backup ? await readOwnFile(entry.backup, MAX_BACKUP_BYTES) : null;
  if (!buf || sha256(buf) !== entry.beforeSha256) {
    throw ioError('read the backup of', entry.path, new Error(`missing or altered: ${entry.backup}`));
  }
  return buf;
}

/**
 * Every path a journal asks undo to touch must be one certifix may write; checked before anything is
 * changed, so a tampered journal changes nothing at all.
 */
export async function assertJournalPaths(
  journal: Journal,
  ctx: Pick<Context, 'env' | 'home' | 'platform'>,
): Promise<void> {
  const bad: string[] = [];
  const check = (p: unknown) => {
    if (typeof p !== 'string' || !isAbsolute(p) || !mayWrite(p, ctx)) bad.push(String(p));
  };
  const backups = certifixPaths(ctx).backups;
  for (const e of journal.entries) {
    if (typeof e.path !== 'string' || !isAbsolute(e.path)) {
      bad.push(String(e.path));
      continue;
    }
    // A user's symlinked dotfile: the link is theirs to have, and must still point at the recorded file.
    const viaLink =
      typeof e.link === 'string' &&
      isAbsolute(e.link) &&
      mayWrite(e.link, ctx) &&
      (await resolveTarget(e.link)) === e.path;
    if (!viaLink) check(e.path);
    const now = await resolveTarget(e.path);
    if (now !== e.path) check(now);
    if (e.backup !== undefined && !(typeof e.backup === 'string' && within(resolve(e.backup), backups))) {
      bad.push(String(e.backup));
    }
    for (const d of e.createdDirs ?? []) check(d);
  }
  // The data directory and the parents certifix created for it (~/.local, ~/.local/share).
  for (const d of journal.createdDirs ?? []) check(d);
  if (bad.length > 0) {
    throw new CertifixError(
      'REFUSED',
      `the certifix journal names files outside what certifix may change: ${[...new Set(bad)].join(', ')}; nothing was changed`,
      {
        hint: `certifix only writes HOME's dotfiles, the XDG directories and its own directory; inspect ${certifixPaths(ctx).journal}`,
      },
    );
  }
}
