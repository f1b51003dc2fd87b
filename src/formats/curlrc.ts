/**
 * curl's config file (.curlrc, `-K file`), as curl's own parser reads it (src/tool_parsecfg.c
 * `parseconfig`, https://github.com/curl/curl/blob/master/src/tool_parsecfg.c; manual: curl(1) `-K`):
 * one option per line, `#` starts a comment line; the option is a long name with or without its leading
 * `--` (`insecure`, `--insecure`), or a short one with its dash (`-k`); its parameter follows after
 * whitespace, `=` or `:`, optionally in double quotes with backslash escapes. Boolean options take no
 * parameter; `no-<name>` switches one off again, and a later line wins.
 */

interface CurlOption {
  /** The long name without dashes, or the short one with its dash (`-k`). */
  name: string;
  value: string | null;
}

function unquote(raw: string): string {
  const v = raw.trim();
  if (!v.startsWith('"')) return v.split(/\s/)[0] ?? '';
  let out = '';
  for (let i = 1; i < v.length && v[i] !== '"'; i++) {
    // tool_parsecfg.c unslashquote: \t \n \r \v are control characters, any other \x is x.
    if (v[i] === '\\' && i + 1 < v.length) {
      const n = v[++i] as string;
      out += ({ t: '\t', n: '\n', r: '\r', v: '\v' } as Record<string, string>)[n] ?? n;
    } else out += v[i];
  }
  return out;
}

/** Every option line of a curlrc, in order. */
function curlrcOptions(text: string): CurlOption[] {
  const out: CurlOption[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(--?)?([A-Za-z0-9][A-Za-z0-9.-]*)(?:\s*[=:]\s*|\s+)?(.*)$/.exec(line);
    if (!m?.[2]) continue;
    const short = m[1] === '-';
    const name = short ? `-${m[2].slice(0, 1)}` : m[2];
    const rest = short ? `${m[2].slice(1)}${m[3] ? ` ${m[3]}` : ''}`.trim() : (m[3] ?? '');
    out.push({ name, value: rest === '' ? null : unquote(rest) });
  }
  return out;
}

/** `cacert`/`capath` as curl ends up with them (last wins). */
export function parseCurlrc(text: string): { cacert?: string; capath?: string } {
  const out: { cacert?: string; capath?: string } = {};
  for (const o of curlrcOptions(text)) {
    if ((o.name === 'cacert' || o.name === 'capath') && o.value) out[o.name] = o.value;
  }
  return out;
}

/** Whether the file leaves `--insecure` on (`insecure`, `--insecure`, `-k`; `no-insecure` turns it off). */
export function curlrcInsecure(text: string): boolean {
  let on = false;
  for (const o of curlrcOptions(text)) {
    if (o.name === 'insecure' || o.name === '-k') on = true;
    else if (o.name === 'no-insecure') on = false;
  }
  return on;
}
