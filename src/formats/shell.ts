/**
 * Reading variable assignments out of shell startup files, for `status`: a verification-off export written
 * in ~/.bashrc (`export NODE_TLS_REJECT_UNAUTHORIZED=0`) matters for every new shell even when the shell
 * running certifix does not have it. Recognized forms, one per line (what people write, not all of sh):
 * - sh/bash/zsh: `NAME=v`, `export NAME=v`, `declare -x NAME=v`, `typeset -x NAME=v` (bash(1) SHELL GRAMMAR)
 * - fish: `set -gx NAME v`, `set -x NAME v`, `set --export NAME v` (fish-doc `set`)
 * - environment.d(5): `NAME=v`
 * Values: single quotes literal, double quotes with backslash escapes, or a bare word up to `#`/`;`/space.
 */

interface Assignment {
  /** 1-based line number. */
  line: number;
  name: string;
  value: string;
}

const POSIX = /^\s*(?:(?:export|declare\s+-x|typeset\s+-x)\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;
const FISH =
  /^\s*set\s+(?:-\w+\s+|--\w+\s+)*?(?:-[a-zA-Z]*x[a-zA-Z]*|--export)\s+(?:-\w+\s+)*([A-Za-z_][A-Za-z0-9_]*)\s+(.*)$/;

/** The first word of a shell value: quotes removed, a trailing comment or command dropped. */
function shellWord(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === "'") {
      const end = raw.indexOf("'", i + 1);
      out += raw.slice(i + 1, end === -1 ? undefined : end);
      i = end === -1 ? raw.length : end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < raw.length && raw[j] !== '"'; j++) {
        if (raw[j] === '\\' && j + 1 < raw.length) j++;
        out += raw[j];
      }
      i = j;
    } else if (c === '\\' && i + 1 < raw.length) {
      out += raw[++i];
    } else if (/[\s;#&|]/.test(c)) {
      break;
    } else {
      out += c;
    }
  }
  return out;
}

/** Every assignment in the text, in order (a later one wins in the shell). */
export function shellAssignments(text: string): Assignment[] {
  const out: Assignment[] = [];
  text.split(/\r?\n/).forEach((l, i) => {
    if (/^\s*#/.test(l)) return;
    const m = POSIX.exec(l) ?? FISH.exec(l);
    if (m?.[1]) out.push({ line: i + 1, name: m[1], value: shellWord(m[2] ?? '') });
  });
  return out;
}
