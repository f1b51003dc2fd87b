/**
 * One engine for the three `key = value` file formats we edit (pip's INI, .npmrc, .gitconfig). A Dialect
 * says how that format spells headers, keys, values and continuations; the engine finds, sets, reads and
 * reverts one key, touching no other line. Pure: (old text) → new text.
 */
import { assertOneLine, bare, detectEol, splitLines, terminateLast } from './text.ts';

export interface KeyLine {
  /** Normalized key name (the dialect decides case and spelling rules). */
  name: string;
  /** Everything before the value (indent, key as written, separator), kept when the value is replaced. */
  prefix: string;
  /** The value as written (may be quoted/escaped, may carry a trailing comment). */
  raw: string;
}

export interface Dialect {
  /** The normalized section id of a header line, or null when the line is not a header. */
  header(line: string): string | null;
  /** The normalized id of a requested section; null means top level (before any header). */
  section(section: string | null): string | null;
  /** A key line, or null (blank, comment, header, garbage). */
  key(line: string): KeyLine | null;
  normKey(key: string): string;
  /** How many lines after a key line continue its value. */
  continuation(lines: readonly string[], at: number): number;
  /** How the tool joins a value's continuation lines (configparser: a newline); default one space. */
  joiner?: string;
  /** What a line inside a continued value adds to it (null: nothing, e.g. a comment); default trimmed. */
  part?(line: string): string | null;
  /** Encode a value for this format (quoting only when needed). */
  quote(value: string): string;
  /** Decode a value as written (quotes, escapes, trailing comments). */
  unquote(raw: string): string;
  /** A new key line (without terminator). */
  line(key: string, value: string): string;
  /** A new header line (without terminator). */
  headerLine(section: string): string;
}

/** What `setKey` replaced, so undo can put it back even after the user edited other lines. */
export interface KeyEdit {
  section: string | null;
  key: string;
  value: string;
  /** The original line(s) holding this key before certifix first set it; null when the key was absent. */
  previous: string | null;
  /** Certifix added the section header (and, when `blankBefore`, one blank line before it). */
  createdSection: boolean;
  blankBefore: boolean;
}

interface Span {
  /** First line of the section's body and one past its last line. */
  start: number;
  end: number;
  /** Index of the header line, -1 for the top level. */
  header: number;
}

function sections(lines: readonly string[], want: string | null, d: Dialect): Span[] {
  const out: Span[] = [];
  let current: Span | null = want === null ? { start: 0, end: lines.length, header: -1 } : null;
  lines.forEach((line, i) => {
    const id = d.header(bare(line));
    if (id === null) return;
    if (current) {
      current.end = i;
      out.push(current);
    }
    current = id === want ? { start: i + 1, end: lines.length, header: i } : null;
  });
  if (current) out.push(current);
  return out;
}

interface Found {
  span: Span;
  at: number;
  count: number;
  line: KeyLine;
}

/** The last occurrence of the key in the last matching section: the one the tool itself uses. */
function find(
  lines: readonly string[],
  section: string | null,
  key: string,
  d: Dialect,
): Found | Span | null {
  const spans = sections(lines, d.section(section), d);
  const name = d.normKey(key);
  let hit: Found | null = null;
  for (const span of spans) {
    for (let i = span.start; i < span.end; i++) {
      const line = d.key(bare(lines[i] as string));
      if (line?.name !== name) continue;
      const count = 1 + Math.min(d.continuation(lines, i), span.end - i - 1);
      hit = { span, at: i, count, line };
      i += count - 1;
    }
  }
  return hit ?? spans[spans.length - 1] ?? null;
}

function isFound(x: Found | Span | null): x is Found {
  return x !== null && 'at' in x;
}

/** The value the tool would read for the key, or null when it is not set. */
export function getKey(text: string, section: string | null, key: string, d: Dialect): string | null {
  const lines = splitLines(text);
  const hit = find(lines, section, key, d);
  if (!isFound(hit)) return null;
  return valueAt(lines, hit.at, hit.count, hit.line, d);
}

function valueAt(lines: readonly string[], at: number, count: number, line: KeyLine, d: Dialect): string {
  const parts = lines.slice(at + 1, at + count).map((l) => (d.part ? d.part(bare(l)) : bare(l).trim()));
  const joined = parts.filter((p): p is string => p !== null);
  return d.unquote([line.raw, ...joined].join(d.joiner ?? ' '));
}

/**
 * Every key of every section (null: above the first header) as the tool reads the file: the same header, key,
 * continuation and value rules `getKey` and `setKey` use, so what diagnose reads is what fix writes. Section
 * ids and key names come normalized by the dialect; a later key or section of the same name wins per key.
 */
export function readKeys(text: string, d: Dialect): Map<string | null, Map<string, string>> {
  const lines = splitLines(text);
  const out = new Map<string | null, Map<string, string>>();
  let section: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const l = bare(lines[i] as string);
    const header = d.header(l);
    if (header !== null) {
      section = header;
      continue;
    }
    const key = d.key(l);
    if (!key) continue;
    const count = 1 + d.continuation(lines, i);
    const values = out.get(section) ?? new Map<string, string>();
    out.set(section, values);
    values.set(key.name, valueAt(lines, i, count, key, d));
    i += count - 1;
  }
  return out;
}

/** Last line of real content in a span (so a new key lands before trailing blank lines), or the header. */
function lastContent(lines: readonly string[], span: Span): number {
  for (let i = span.end - 1; i >= span.start; i--) if (bare(lines[i] as string).trim() !== '') return i;
  return span.header;
}

/** Set the key; idempotent; an existing value is replaced in place with its prefix and terminator kept. */
export function setKey(
  old: string | null,
  section: string | null,
  key: string,
  value: string,
  d: Dialect,
): { text: string; edit: KeyEdit } {
  assertOneLine(`the value of ${key}`, value);
  const text = old ?? '';
  const eol = detectEol(text);
  const lines = splitLines(text);
  const edit: KeyEdit = { section, key, value, previous: null, createdSection: false, blankBefore: false };
  const hit = find(lines, section, key, d);
  if (isFound(hit)) {
    const old = lines.slice(hit.at, hit.at + hit.count);
    edit.previous = old.join('');
    const last = old[old.length - 1] as string;
    const term = last.slice(bare(last).length);
    const replaced = `${hit.line.prefix}${d.quote(value)}${term}`;
    lines.splice(hit.at, hit.count, replaced);
  } else if (hit) {
    // After the section's last real line (top level: before the first header), not after trailing blanks.
    const at = lastContent(lines, hit);
    if (at >= 0 && !(lines[at] as string).endsWith('\n')) lines[at] += eol;
    lines.splice(at + 1, 0, d.line(key, value) + eol);
  } else {
    edit.createdSection = true;
    edit.blankBefore = lines.length > 0 && bare(lines[lines.length - 1] as string).trim() !== '';
    terminateLast(lines, eol);
    if (edit.blankBefore) lines.push(eol);
    // (The top level always has a span, so only a named section can be missing.)
    lines.push(d.headerLine(section as string) + eol, d.line(key, value) + eol);
  }
  return { text: lines.join(''), edit };
}

/**
 * Undo one key edit in text the user may have changed since: when the key still holds our value, put the
 * previous line(s) back (or drop the key, and the section if we created it and it is empty now). When the
 * user changed the value, their value stays and `conflict` says so. A key already gone is success.
 */
export function revertKey(text: string, edit: KeyEdit, d: Dialect): { text: string; conflict?: string } {
  const lines = splitLines(text);
  const hit = find(lines, edit.section, edit.key, d);
  if (!isFound(hit)) return { text };
  const now = getKey(text, edit.section, edit.key, d);
  if (now !== edit.value) {
    return {
      text,
      conflict: `${edit.key} was changed to ${JSON.stringify(now)} after certifix set it; kept`,
    };
  }
  if (edit.previous !== null) {
    lines.splice(hit.at, hit.count, edit.previous);
    return { text: lines.join('') };
  }
  lines.splice(hit.at, hit.count);
  const span = hit.span;
  span.end -= hit.count;
  if (edit.createdSection && span.header >= 0) {
    const body = lines.slice(span.start, span.end).filter((l) => bare(l).trim() !== '');
    if (body.length === 0) {
      let from = span.header;
      if (edit.blankBefore && from > 0 && bare(lines[from - 1] as string).trim() === '') from--;
      lines.splice(from, span.end - from);
    }
  }
  return { text: lines.join('') };
}
