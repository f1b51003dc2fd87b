import { npmrc, pipIni } from '../formats/ini.ts';
import { readKeys } from '../formats/keyfile.ts';

/**
 * Readers for the three config formats adapters look at. Only what CA resolution needs: sections and keys,
 * comments, quoting. Writers live in src/apply.
 */

/**
 * INI as Python's configparser reads pip.conf (and botocore its config): the pip dialect `fix` writes with
 * (src/formats/ini.ts), read through the same engine, so continuation lines and `;` inside values agree.
 * Option names come normalized as pip does (`_` → `-`, lower case).
 */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const [section, keys] of readKeys(text, pipIni)) if (section !== null) out.set(section, keys);
  return out;
}

/**
 * npmrc (https://docs.npmjs.com/cli/v11/configuring-npm/npmrc): `key=value`, `;`/`#` comments, `key[]=v` arrays,
 * `${VAR}` expansion (done by the caller), quoted values.
 */
export function parseNpmrc(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith(';') || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    let key = line.slice(0, eq).trim();
    // The same value decoding fix writes with (npm's `ini` `unsafe()`: JSON-quoted values, and an
    // unquoted value cut at an unescaped `;` or `#`): `cafile=/etc/corp.pem ; added by IT` is /etc/corp.pem.
    const value = npmrc.unquote(line.slice(eq + 1));
    const isArray = key.endsWith('[]');
    if (isArray) key = key.slice(0, -2);
    key = key.toLowerCase();
    out.set(key, isArray ? [...(out.get(key) ?? []), value] : [value]);
  }
  return out;
}

/**
 * git config (https://git-scm.com/docs/git-config#_syntax): `[section]`, `[section "sub"]`, `key = value`,
 * names case-insensitive (subsections not), `#`/`;` comments, double quotes. Returns `section.key` →
 * values (last wins when read as a single value), and `section.sub.key` for subsections.
 */
export function parseGitConfig(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let prefix = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const sec = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\](.*)$/.exec(line);
    if (sec?.[1]) {
      prefix = sec[2] !== undefined ? `${sec[1].toLowerCase()}.${sec[2]}` : sec[1].toLowerCase();
      continue;
    }
    const kv = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*))?$/.exec(line);
    if (!kv?.[1] || !prefix) continue;
    const value = gitValue(kv[2] ?? 'true');
    const key = `${prefix}.${kv[1].toLowerCase()}`;
    out.set(key, [...(out.get(key) ?? []), value]);
  }
  return out;
}

function gitValue(v: string): string {
  let out = '';
  let quoted = false;
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === '"') quoted = !quoted;
    else if (c === '\\' && i + 1 < v.length) {
      const n = v[++i];
      out += n === 'n' ? '\n' : n === 't' ? '\t' : n;
    } else if ((c === '#' || c === ';') && !quoted) break;
    else out += c;
  }
  return out.trim();
}
