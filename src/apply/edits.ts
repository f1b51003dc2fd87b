/**
 * The edits the executor can make to one file, as pure functions: `editText(old, op)` gives the new text,
 * `revertEdit(text, record)` takes certifix's part back out of text the user may have edited since, and
 * `checkEdit(text, record)` says whether our part is still in place (drift, for `certifix status`).
 */

import type { KeyFormat } from '../core/plan.ts';
import { gitconfig, splitGitKey } from '../formats/gitconfig.ts';
import { npmrc, pipIni } from '../formats/ini.ts';
import { KEY_FORMATS } from '../formats/key-formats.ts';
import { type Dialect, getKey, revertKey, setKey } from '../formats/keyfile.ts';
import { bare, splitLines } from '../formats/text.ts';
import { findBlocks, readBlock, renderBlock, revertBlock, setBlock, shadowing } from './block.ts';
import type { EditRecord } from './journal.ts';

/** One edit to one file: a plan's Change, or the managed block the executor builds from all `env` changes. */
export type FileOp =
  | { kind: 'file'; content: string; mode?: number }
  | Extract<EditRecord, { kind: 'block' }>
  | { kind: 'ini'; section: string; key: string; value: string }
  | { kind: 'npmrc'; key: string; value: string }
  | { kind: 'gitconfig'; key: string; value: string }
  | { kind: 'keyfile'; format: KeyFormat; section: string | null; key: string; value: string }
  /** Built from its inputs' bytes, not from text: prepare.ts hands it to apply/keystore.ts. */
  | { kind: 'keystore'; from: readonly string[]; password?: string; keytool?: string }
  /** Imported by the JDK's keytool into the existing bytes: prepare.ts hands it to apply/cacerts.ts. */
  | { kind: 'cacerts'; from: readonly string[]; keytool: string; password?: string };

const DIALECTS: Record<'ini' | 'npmrc' | 'gitconfig', Dialect> = { ini: pipIni, npmrc, gitconfig };

type KeyRecord = Extract<EditRecord, { previous: string | null }>;
const dialectOf = (r: KeyRecord): Dialect =>
  r.kind === 'keyfile' ? KEY_FORMATS[r.format] : DIALECTS[r.kind];

/** New text plus the record of what changed (with the key's previous line, for undo). */
export function applyOp(old: string | null, op: FileOp, path?: string): { text: string; record: EditRecord } {
  switch (op.kind) {
    case 'file':
      return { text: op.content, record: { kind: 'file' } };
    case 'keystore':
    case 'cacerts':
      throw new Error('a keystore is built from bytes (apply/keystore.ts), not edited as text');
    case 'block':
      return { text: setBlock(old, op.vars, op.syntax, op.where, path), record: op };
    case 'ini': {
      const r = setKey(old, op.section, op.key, op.value, pipIni);
      return { text: r.text, record: { kind: 'ini', ...r.edit } };
    }
    case 'npmrc': {
      const r = setKey(old, null, op.key, op.value, npmrc);
      return { text: r.text, record: { kind: 'npmrc', ...r.edit } };
    }
    case 'gitconfig': {
      const { section, name } = splitGitKey(op.key);
      const r = setKey(old, section, name, op.value, gitconfig);
      return { text: r.text, record: { kind: 'gitconfig', ...r.edit } };
    }
    case 'keyfile': {
      const r = setKey(old, op.section, op.key, op.value, KEY_FORMATS[op.format]);
      return { text: r.text, record: { kind: 'keyfile', format: op.format, ...r.edit } };
    }
  }
}

/** `(oldText | null, op) => newText`; idempotent: `editText(editText(t, op), op) === editText(t, op)`. */
export function editText(old: string | null, op: FileOp): string {
  return applyOp(old, op).text;
}

/** Two records about the same thing (the block; one key of one section), so a re-run updates, not adds. */
function sameTarget(a: EditRecord, b: EditRecord): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'block' || a.kind === 'file' || b.kind === 'block' || b.kind === 'file') return true;
  if (a.kind === 'keyfile' && (b.kind !== 'keyfile' || a.format !== b.format)) return false;
  const d = dialectOf(a);
  return d.section(a.section) === d.section(b.section) && d.normKey(a.key) === d.normKey(b.key);
}

/**
 * Merge a new record into the ones kept from earlier runs: the new value wins, but what the file held
 * BEFORE certifix (previous line, created section) is kept from the first run.
 */
export function mergeRecord(kept: EditRecord[], fresh: EditRecord): EditRecord[] {
  const i = kept.findIndex((r) => sameTarget(r, fresh));
  if (i === -1) return [...kept, fresh];
  const old = kept[i] as EditRecord;
  const merged: EditRecord =
    old.kind === 'file' && fresh.kind === 'file'
      ? importedUnion(old, fresh)
      : old.kind !== 'block' && old.kind !== 'file' && fresh.kind === old.kind
        ? {
            ...fresh,
            previous: old.previous,
            createdSection: old.createdSection,
            blankBefore: old.blankBefore,
          }
        : fresh;
  return kept.map((r, j) => (j === i ? merged : r));
}

type FileRecord = Extract<EditRecord, { kind: 'file' }>;

/** A keystore imported into by several runs: every alias any of them added (undo's hint names them all). */
function importedUnion(old: FileRecord, fresh: FileRecord): FileRecord {
  if (!old.imported && !fresh.imported) return fresh;
  return { kind: 'file', imported: [...new Set([...(old.imported ?? []), ...(fresh.imported ?? [])])] };
}

/** Take one record's change back out of `text`; `conflict` explains what was kept because the user changed it. */
export function revertEdit(text: string, rec: EditRecord): { text: string; conflict?: string } {
  switch (rec.kind) {
    case 'file':
      if (rec.imported?.length)
        return {
          text,
          conflict: `the keystore was changed since certifix imported ${rec.imported.join(', ')} (a JDK or CA update rewrites it); left as it is, with certifix's entries if they are still there: keytool -delete -alias <alias> -keystore <this file> removes one`,
        };
      return { text, conflict: 'certifix wrote this file and it was edited since; left as it is' };
    case 'block': {
      const r = revertBlock(text, rec.vars, rec.syntax);
      const notes: string[] = [];
      if (r.broken) {
        notes.push(
          'the certifix block’s begin or end marker was missing; removed only the lines certifix wrote',
        );
      }
      if (r.kept.length > 0) {
        notes.push(
          `kept the line(s) you added inside the certifix block: ${r.kept.map((l) => l.trim()).join(' | ')}`,
        );
      }
      return notes.length ? { text: r.text, conflict: notes.join('; ') } : { text: r.text };
    }
    default:
      return revertKey(text, rec, dialectOf(rec));
  }
}

/** What is wrong with our part of the file now (empty: in place). */
export function checkEdit(text: string | null, rec: EditRecord): string[] {
  if (text === null) return ['the file is gone'];
  switch (rec.kind) {
    case 'file':
      return [];
    case 'block': {
      let found: string[] | null;
      try {
        found = readBlock(text);
      } catch {
        return [
          'the certifix block has lost its begin or end marker (undo removes only the lines certifix wrote)',
        ];
      }
      if (!found) return ['the certifix block was removed'];
      const want = renderBlock(rec.vars, rec.syntax).map(bare);
      const added = found.filter((l) => l.trim() !== '' && !want.includes(l));
      const problems =
        found.join('\n') === want.join('\n')
          ? []
          : added.length > 0 && want.every((l) => found?.includes(l))
            ? [
                `line(s) added inside the certifix block (undo keeps them): ${added.map((l) => l.trim()).join(' | ')}`,
              ]
            : ['the certifix block was edited'];
      if (findBlocks(splitLines(text)).length > 1) problems.push('the certifix block appears more than once');
      for (const s of shadowing(text, Object.keys(rec.vars))) {
        problems.push(`line ${s.line} sets ${s.name} again after the certifix block: ${s.text.trim()}`);
      }
      return problems;
    }
    default: {
      const now = getKey(text, rec.section, rec.key, dialectOf(rec));
      if (now === rec.value) return [];
      return [
        now === null
          ? `${rec.key} was removed (certifix set it to ${rec.value})`
          : `${rec.key} is now ${now} (certifix set it to ${rec.value})`,
      ];
    }
  }
}
