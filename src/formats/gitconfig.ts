/**
 * git's config syntax (git-config(1) "CONFIGURATION FILE"), written by hand so undo stays byte-exact and no
 * git binary is needed: section names and keys are case-insensitive, `[section "sub"]` subsections are
 * case-sensitive, `[section.sub]` is the deprecated lower-cased form; values may be double-quoted with
 * `\\ \" \n \t \b` escapes; `#`/`;` start a comment outside quotes; a trailing `\` continues the line.
 * For a single-valued key git uses the LAST value it reads, so we set the last occurrence.
 * A key written on its header's line (`[http] sslCAInfo = x`) is not recognized here; the line we add after
 * it comes later and wins, which is what git does too.
 */
import type { Dialect, KeyLine } from './keyfile.ts';

const HEADER = /^\s*\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]/;

function sectionId(name: string, sub: string | undefined): string {
  if (sub !== undefined) return `${name.toLowerCase()} "${sub.replace(/\\(.)/g, '$1')}"`;
  const dot = name.indexOf('.');
  // Deprecated [section.sub]: the subsection is lower-cased too.
  if (dot > 0) return `${name.slice(0, dot).toLowerCase()} "${name.slice(dot + 1).toLowerCase()}"`;
  return name.toLowerCase();
}

/** `http.sslCAInfo` → section `http`, name `sslCAInfo`; `http.<url>.sslCAInfo` → section `http "<url>"`. */
export function splitGitKey(key: string): { section: string; name: string } {
  const first = key.indexOf('.');
  const last = key.lastIndexOf('.');
  if (first <= 0 || last === key.length - 1) throw new TypeError(`not a git config key: ${key}`);
  const name = key.slice(last + 1);
  const section = key.slice(0, first).toLowerCase();
  return first === last ? { section, name } : { section: `${section} "${key.slice(first + 1, last)}"`, name };
}

function gitUnquote(raw: string): string {
  let out = '';
  let quoted = false;
  let pending = ''; // whitespace outside quotes: kept only if more value follows
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === '\\') {
      const n = raw[++i];
      if (n === undefined) break; // line continuation at the end of the text
      if (n === '\n') continue; // backslash-newline: the value goes on with the next line's text
      out += pending + ({ n: '\n', t: '\t', b: '\b' }[n] ?? n);
      pending = '';
    } else if (c === '"') {
      out += pending;
      pending = '';
      quoted = !quoted;
    } else if (!quoted && (c === '#' || c === ';')) {
      break;
    } else if (!quoted && (c === ' ' || c === '\t')) {
      if (out !== '') pending += c;
    } else {
      out += pending + c;
      pending = '';
    }
  }
  return out;
}

function gitQuote(value: string): string {
  if (!/[#;"\\]/.test(value) && value === value.trim() && value !== '') return value;
  return `"${value.replace(/[\\"]/g, '\\$&').replaceAll('\t', '\\t')}"`;
}

function endsWithContinuation(line: string): boolean {
  const m = /(\\+)\r?\n?$/.exec(line);
  return m !== null && (m[1] as string).length % 2 === 1;
}

export const gitconfig: Dialect = {
  header(line) {
    const m = HEADER.exec(line);
    return m ? sectionId(m[1] as string, m[2]) : null;
  },
  section(s) {
    if (s === null) return null;
    const m = /^(\S+?)(?: "(.*)")?$/.exec(s);
    return m ? sectionId(m[1] as string, m[2] === undefined ? undefined : m[2].replace(/[\\"]/g, '\\$&')) : s;
  },
  key(line): KeyLine | null {
    const m = /^(\s*)([A-Za-z][A-Za-z0-9-]*)(\s*=\s*|\s*$)(.*)$/.exec(line);
    if (!m) return null;
    const [, ind = '', name = '', sep = '', raw = ''] = m;
    return { name: name.toLowerCase(), prefix: ind + name + (sep.includes('=') ? sep : ' = '), raw };
  },
  normKey: (k) => k.toLowerCase(),
  continuation(lines, at) {
    let n = 0;
    while (at + n < lines.length - 1 && endsWithContinuation(lines[at + n] as string)) n++;
    return n;
  },
  // Continued lines are joined as they stand, so unquoting sees each backslash-newline.
  joiner: '\n',
  part: (line) => line,
  quote: gitQuote,
  unquote: gitUnquote,
  line: (k, v) => `\t${k} = ${gitQuote(v)}`,
  headerLine(s) {
    const m = /^(\S+) "(.*)"$/.exec(s);
    return m ? `[${m[1]} "${(m[2] as string).replace(/[\\"]/g, '\\$&')}"]` : `[${s}]`;
  },
};
