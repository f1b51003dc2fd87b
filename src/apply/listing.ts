/**
 * What `undo` will take back, as the user must see it before confirming: the files, and also what lives
 * outside files — HKCU\Environment values on Windows (registry.ts) and launchd's session variables on macOS
 * (launchd.ts), each with what it returns to.
 */
import type { Journal } from './journal.ts';
import type { RegValue } from './registry.ts';

export interface UndoListing {
  files: string[];
  /** `HKCU\Environment\NAME: back to REG_EXPAND_SZ %USERPROFILE%\corp.pem` or `...: removed`. */
  registry: string[];
  /** `launchctl NAME: back to /old.pem` or `launchctl NAME: unset`. */
  launchd: string[];
}

const regBefore = (v: RegValue | null) => (v ? `back to ${v.type} ${v.data}` : 'removed');

export function undoListing(journal: Journal): UndoListing {
  return {
    files: journal.entries.map((e) => e.link ?? e.path),
    registry: (journal.registry ?? []).map((e) => `${e.key}\\${e.name}: ${regBefore(e.before)}`),
    launchd: (journal.launchd ?? []).map(
      (e) => `launchctl ${e.name}: ${e.before === null ? 'unset' : `back to ${e.before}`}`,
    ),
  };
}

/** The listing as lines under headings; empty groups left out. */
export function renderUndoListing(l: UndoListing): string[] {
  const group = (title: string, items: string[]) =>
    items.length ? [title, ...items.map((i) => `  ${i}`)] : [];
  return [
    ...group('Files:', l.files),
    ...group('Windows user environment (HKCU\\Environment):', l.registry),
    ...group('macOS session environment (launchd):', l.launchd),
  ];
}
