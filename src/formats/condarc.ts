/**
 * `.condarc` is YAML read by ruamel.yaml (conda/common/configuration.py, https://github.com/conda/conda).
 * certifix only ever reads and sets one scalar key at the top level (`ssl_verify`), so this is a keyfile
 * Dialect for block-style YAML, not a YAML library: a top-level key is `name:` at column 0; the lines
 * under it that are indented, or are `- item` lines (YAML lets a mapping's sequence sit at the key's own
 * indentation: https://yaml.org/spec/1.2.2/#82-block-collection-styles, example 8.22), belong to its value,
 * with blank and comment lines in between kept; every other line (comments, other keys, nested maps) is left
 * byte for byte. A file in flow style (`{ssl_verify: true}`) or with a document marker is not one we edit
 * (`blockStyle` says so), since a key appended there would not be part of the mapping.
 */
import type { Dialect, KeyLine } from './keyfile.ts';

const KEY = /^([A-Za-z_][\w.-]*)(\s*:)(?:(\s+)(.*))?$/;
const isComment = (line: string) => /^\s*#/.test(line);
const indent = (line: string) => /^\s*/.exec(line)?.[0].length ?? 0;

/** YAML 1.1 plain scalars that ruamel reads as something other than the string (bools, nulls, numbers). */
const RESERVED =
  /^(?:y|n|yes|no|true|false|on|off|null|~|[-+]?(?:\d[\d_]*)?\.?\d[\d_]*(?:e[-+]?\d+)?|\.inf|\.nan)$/i;

/** A value that reads back as itself when written plain: paths, URLs, `truststore`. */
function plainSafe(v: string): boolean {
  return (
    v !== '' &&
    !RESERVED.test(v) &&
    /^[A-Za-z0-9_./\\~$%][^\s#'"]*$/.test(v) &&
    !/:(\s|$)/.test(v) &&
    !/[{}[\],&*!|>@`]/.test(v)
  );
}

/** YAML double-quoted escapes as JSON has them (a JSON string is a valid YAML double-quoted scalar). */
function unquoteDouble(v: string): string {
  try {
    return String(JSON.parse(v));
  } catch {
    return v.slice(1, -1);
  }
}

function unquote(raw: string): string {
  const v = raw.trim();
  const dq = /^("(?:[^"\\]|\\.)*")\s*(?:#.*)?$/.exec(v);
  if (dq) return unquoteDouble(dq[1] as string);
  const sq = /^'((?:[^']|'')*)'\s*(?:#.*)?$/.exec(v);
  if (sq) return (sq[1] as string).replaceAll("''", "'");
  // A plain scalar ends at " #" (a comment); continuation lines were joined with one space.
  return v.replace(/\s+#.*$/, '').trim();
}

export const condarc: Dialect = {
  header: () => null,
  section: () => null,
  key(line): KeyLine | null {
    if (isComment(line)) return null;
    const m = KEY.exec(line);
    if (!m) return null;
    const [, name = '', sep = '', space = '', raw = ''] = m;
    return { name, prefix: name + sep + (space || ' '), raw };
  },
  normKey: (k) => k.trim(),
  continuation(lines, at) {
    let n = 0;
    for (let i = at + 1; i < lines.length; i++) {
      const l = (lines[i] as string).replace(/\r?\n$/, '');
      if (l.trim() === '' || isComment(l)) continue;
      if (indent(l) === 0 && !/^-(\s|$)/.test(l)) break;
      n = i - at;
    }
    return n;
  },
  part: (line) => (isComment(line) ? null : line.trim()),
  quote: (v) => (plainSafe(v) ? v : JSON.stringify(v)),
  unquote,
  line: (k, v) => `${k}: ${condarc.quote(v)}`,
  headerLine: () => {
    throw new Error('.condarc: certifix sets top-level keys only');
  },
};

/** The file is block-style YAML certifix can add a top-level key to (empty counts). */
export function blockStyle(text: string): boolean {
  for (const line of text.split(/\r?\n/)) {
    const l = line.trim();
    if (l === '' || l.startsWith('#')) continue;
    return !/^(?:\{|\[|---|%|\.\.\.)/.test(l) && indent(line) === 0;
  }
  return true;
}
