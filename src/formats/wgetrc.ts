/**
 * wgetrc (/etc/wgetrc, $WGETRC or ~/.wgetrc), as GNU Wget's own parser reads it (src/init.c `parse_line`,
 * `dehyphen`, `command_by_name`, `setval_internal_tilde`; https://git.savannah.gnu.org/cgit/wget.git/tree/src/init.c,
 * mirrored at https://github.com/mirror/wget/blob/master/src/init.c):
 * - leading and trailing whitespace is skipped; an empty line, or one whose first other character is `#`,
 *   is ignored. There are no inline comments: `a = b # c` sets a to `b # c`.
 * - `<sp>* command <sp>* = <sp>* value <sp>*`; the command is letters, digits, `_` and `-`; `_` and `-` are
 *   removed and the name is looked up case-insensitively (`CA-Certificate`, `ca_certificate` and
 *   `cacertificate` are one command). The value is the rest of the line, with no quoting or escapes.
 * - there are no sections; each file is read top to bottom and a later line wins.
 * - a file/directory value starting with `~/` is taken relative to HOME.
 * - any line wget cannot parse, or an unknown command, makes it stop with "Parsing system wgetrc file
 *   failed" / exit 2 (`initialize`): so only a plain `name = value` line may be written.
 * Manual: https://www.gnu.org/software/wget/manual/html_node/Wgetrc-Syntax.html
 */
import type { Dialect, KeyLine } from './keyfile.ts';

export const wgetrc: Dialect = {
  header: () => null,
  section: (s) => s,
  key(line): KeyLine | null {
    const m = /^(\s*)([A-Za-z0-9_-]+)(\s*=[ \t]*)(.*)$/.exec(line);
    if (!m || /^\s*(#|$)/.test(line)) return null;
    const [, ind = '', name = '', sep = '', raw = ''] = m;
    return { name: wgetrc.normKey(name), prefix: ind + name + sep, raw };
  },
  normKey: (k) => k.trim().toLowerCase().replace(/[-_]/g, ''),
  continuation: () => 0,
  // No quoting exists: the value is the line's rest, trimmed.
  quote: (v) => v,
  unquote: (raw) => raw.trim(),
  line: (k, v) => `${k} = ${v}`,
  headerLine: () => {
    throw new Error('wgetrc has no sections');
  },
};
