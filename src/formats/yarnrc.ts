/**
 * Yarn 1's .yarnrc, read with its lockfile parser (src/lockfile/parse.js `tokenise`/`Parser.parse`,
 * https://github.com/yarnpkg/yarn/blob/master/src/lockfile/parse.js) and written by `yarn config set` with
 * its `stringify`: `key value` or `key: value` per line; `#` starts a comment; a value in double quotes is a
 * JSON string, an unquoted one runs to the next space, `:` or `,`; indented lines (two spaces per level)
 * belong to the object above them. Only top-level keys are read or written here.
 */
import type { Dialect, KeyLine } from './keyfile.ts';

function jsonString(raw: string): string {
  try {
    return String(JSON.parse(raw));
  } catch {
    return raw.slice(1, -1);
  }
}

export const yarnrc: Dialect = {
  header: () => null,
  section: (s) => s,
  key(line): KeyLine | null {
    const m = /^("(?:[^"\\]|\\.)*"|[A-Za-z/.-][^\s:,]*)(\s*:\s*|\s+)(\S.*)$/.exec(line);
    if (!m) return null;
    const [, name = '', sep = '', raw = ''] = m;
    return { name: yarnrc.normKey(name), prefix: name + sep, raw };
  },
  normKey: (k) => (k.startsWith('"') ? jsonString(k.trim()) : k.trim()),
  continuation: () => 0,
  quote: (v) => JSON.stringify(v),
  unquote(raw) {
    const v = raw.trim();
    const q = /^"(?:[^"\\]|\\.)*"/.exec(v);
    if (q) return jsonString(q[0]);
    return /^[^\s:,#]*/.exec(v)?.[0] ?? '';
  },
  line: (k, v) => `${k} ${JSON.stringify(v)}`,
  headerLine: () => {
    throw new Error('.yarnrc sections are not written');
  },
};
