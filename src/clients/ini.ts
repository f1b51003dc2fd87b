import { gitconfig } from '../formats/gitconfig.ts';
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
 * git config: the dialect `fix` writes with (src/formats/gitconfig.ts), read through the same engine. Returns
 * `section.key` (lower case) and `section.<sub>.key` for subsections → the value git uses (the last one), as a
 * one-element list.
 */
export function parseGitConfig(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [section, keys] of readKeys(text, gitconfig)) {
    if (section === null) continue;
    const sub = /^(\S+?) "(.*)"$/.exec(section);
    const prefix = sub ? `${sub[1]}.${sub[2]}` : section;
    for (const [key, value] of keys) out.set(`${prefix}.${key}`, [value]);
  }
  return out;
}
