/**
 * Java `.properties` files (gradle.properties), as java.util.Properties.load reads them
 * (https://docs.oracle.com/en/java/javase/17/docs/api/java.base/java/util/Properties.html#load(java.io.Reader)):
 * - a natural line whose first non-blank character is `#` or `!` is a comment; blank means space, \t or \f.
 * - the key runs from the first non-blank character to the first unescaped `=`, `:` or blank; then blanks,
 *   at most one `=` or `:`, and blanks again; the value is the rest of the line.
 * - a line ending in an odd number of backslashes goes on in the next line, whose leading blanks are dropped
 *   (a comment line never goes on).
 * - `\t \n \r \f`, `\uXXXX`, and `\` before any other character stand for that character; a later key wins.
 * Gradle reads gradle.properties with Properties.load(FileInputStream), i.e. as ISO 8859-1 (the wrapper's
 * https://github.com/gradle/gradle/blob/v6.9.0/subprojects/wrapper/src/main/java/org/gradle/wrapper/SystemPropertiesHandler.java,
 * the launcher's LayoutToPropertiesConverter.maybeConfigureFrom), so what we write is ASCII: any other
 * character as `\uXXXX`.
 */
import type { Dialect, KeyLine } from './keyfile.ts';

const BLANK = /[ \t\f]/;

/** Decode Properties escapes; a backslash before the line break joins the next line (see above). */
function decodeProps(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = s[++i];
    if (next === undefined) break;
    if (next === '\n') {
      while (BLANK.test(s[i + 1] ?? '')) i++;
      continue;
    }
    if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 1, i + 5))) {
      out += String.fromCharCode(Number.parseInt(s.slice(i + 1, i + 5), 16));
      i += 4;
      continue;
    }
    out += { t: '\t', n: '\n', r: '\r', f: '\f' }[next] ?? next;
  }
  return out;
}

/**
 * Properties.store's escaping (saveConvert), one UTF-16 unit at a time: backslash, control and non-ASCII
 * characters (`\uXXXX`), the characters in `specials`, and a leading blank (else taken for the separator's).
 */
function encodeProps(s: string, specials: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i] as string;
    if (ch === '\\' || specials.includes(ch) || (i === 0 && BLANK.test(ch))) out += `\\${ch}`;
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

const escapeValue = (v: string) => encodeProps(v, '');

/** An odd number of backslashes at the end: the value goes on in the next line. */
function continues(line: string): boolean {
  return (/\\+$/.exec(line)?.[0].length ?? 0) % 2 === 1;
}

function isComment(line: string): boolean {
  return /^[ \t\f]*([#!]|$)/.test(line);
}

export const properties: Dialect = {
  header: () => null,
  section: (s) => s,
  key(line): KeyLine | null {
    if (isComment(line)) return null;
    let i = /^[ \t\f]*/.exec(line)?.[0].length ?? 0;
    const start = i;
    for (; i < line.length; i++) {
      const ch = line[i] as string;
      if (ch === '\\') i++;
      else if (ch === '=' || ch === ':' || BLANK.test(ch)) break;
    }
    const key = line.slice(start, i);
    const sep = /^[ \t\f]*[=:]?[ \t\f]*/.exec(line.slice(i))?.[0] ?? '';
    return { name: decodeProps(key), prefix: line.slice(0, i + sep.length), raw: line.slice(i + sep.length) };
  },
  normKey: (k) => k,
  continuation(lines, at) {
    if (isComment((lines[at] as string).replace(/\r?\n$/, ''))) return 0;
    let n = 0;
    while (at + n + 1 < lines.length && continues((lines[at + n] as string).replace(/\r?\n$/, ''))) n++;
    return n;
  },
  // The engine joins a value's lines with this; `decodeProps` drops it with the backslash before it.
  joiner: '\n',
  part: (line) => line,
  quote: escapeValue,
  unquote: decodeProps,
  line: (k, v) => `${encodeProps(k, ' \t\f=:#!')}=${escapeValue(v)}`,
  headerLine: () => {
    throw new Error('.properties files have no sections');
  },
};
