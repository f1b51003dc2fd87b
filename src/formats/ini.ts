/**
 * Dialects for pip's config (Python configparser) and .npmrc (npm's `ini` package). Facts, with sources:
 * - pip reads its files with `RawConfigParser`: `key = value` or `key: value`, `#`/`;` full-line comments,
 *   no inline comments, no quoting, indented lines continue a value; pip normalizes names with
 *   `name.lower().replace("_", "-")` (pip/_internal/configuration.py `_normalize_name`).
 * - Python's configparser as other tools use it (botocore's ~/.aws/config, gcloud's configurations): the
 *   same syntax, but option names are only lower-cased (`optionxform`), so `ca_bundle` and `ca-bundle` are two
 *   different keys (https://docs.python.org/3/library/configparser.html#configparser.ConfigParser.optionxform).
 * - npm's `ini`: `key=value`, `;`/`#` comments, keys case-sensitive, last one wins; an unquoted value is cut
 *   at an unescaped `;` or `#`, a `"…"` value is JSON-decoded (npm/ini `unsafe`). Keys above the first
 *   `[section]` are npm's config.
 */
import type { Dialect, KeyLine } from './keyfile.ts';

const HEADER = /^\s*\[(.+)\]\s*$/;
const isComment = (line: string) => /^\s*[#;]/.test(line);

function indent(line: string): number {
  return /^\s*/.exec(line)?.[0].length ?? 0;
}

export const pipIni: Dialect = {
  header: (line) => HEADER.exec(line)?.[1] ?? null,
  section: (s) => s,
  key(line): KeyLine | null {
    if (isComment(line) || HEADER.test(line)) return null;
    const m = /^(\s*)([^=:\s][^=:]*?)(\s*[=:]\s*)(.*)$/.exec(line);
    if (!m) return null;
    const [, ind = '', name = '', sep = '', raw = ''] = m;
    return { name: pipIni.normKey(name), prefix: ind + name + sep, raw };
  },
  normKey: (k) => k.trim().toLowerCase().replaceAll('_', '-'),
  // configparser (Lib/configparser.py `_read`, Python 3.11, empty_lines_in_values=True): a line indented
  // deeper than the key continues its value; blank lines inside are kept, comment lines inside are skipped
  // (neither ends the value); the parts are joined with "\n" and the result right-stripped.
  continuation(lines, at) {
    const base = indent(lines[at] as string);
    let n = 0;
    for (let i = at + 1; i < lines.length; i++) {
      const l = (lines[i] as string).replace(/\r?\n$/, '');
      if (l.trim() === '' || isComment(l)) continue;
      if (indent(l) <= base) break;
      n = i - at;
    }
    return n;
  },
  part: (line) => (isComment(line) ? null : line.trim()),
  joiner: '\n',
  quote: (v) => v,
  unquote: (raw) => raw.trimEnd(),
  line: (k, v) => `${k} = ${v}`,
  headerLine: (s) => `[${s}]`,
};

/** configparser with its default `optionxform` (lower case only): botocore, gcloud. */
export const configparser: Dialect = {
  ...pipIni,
  key(line) {
    const k = pipIni.key(line);
    return k && { ...k, name: configparser.normKey(/^\s*(.*?)\s*[=:]/.exec(k.prefix)?.[1] ?? k.name) };
  },
  normKey: (k) => k.trim().toLowerCase(),
};

/** npm's `ini` would cut, trim or retype these, so such values are written JSON-quoted. */
function npmNeedsQuotes(v: string): boolean {
  return /[;#"'\\]/.test(v) || v !== v.trim() || v === '' || ['true', 'false', 'null'].includes(v);
}

function npmUnquote(raw: string): string {
  const v = raw.trim();
  if ((v.startsWith('"') && v.endsWith('"') && v.length > 1) || (v.startsWith("'") && v.endsWith("'"))) {
    const inner = v.startsWith("'") ? v.slice(1, -1) : v;
    try {
      return v.startsWith('"') ? String(JSON.parse(inner)) : inner;
    } catch {
      return inner;
    }
  }
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i] as string;
    if (c === '\\' && i + 1 < v.length && '\\;#'.includes(v[i + 1] as string)) {
      out += v[++i];
    } else if (c === ';' || c === '#') {
      break;
    } else {
      out += c;
    }
  }
  return out.trim();
}

export const npmrc: Dialect = {
  header: (line) => HEADER.exec(line)?.[1] ?? null,
  section: (s) => s,
  key(line): KeyLine | null {
    if (isComment(line) || HEADER.test(line)) return null;
    const m = /^(\s*)([^=\s][^=]*?)(\s*=\s*)(.*)$/.exec(line);
    if (!m) return null;
    const [, ind = '', name = '', sep = '', raw = ''] = m;
    return { name, prefix: ind + name + sep, raw };
  },
  normKey: (k) => k.trim(),
  continuation: () => 0,
  quote: (v) => (npmNeedsQuotes(v) ? JSON.stringify(v) : v),
  unquote: npmUnquote,
  line: (k, v) => `${k}=${npmrc.quote(v)}`,
  headerLine: (s) => `[${s}]`,
};
