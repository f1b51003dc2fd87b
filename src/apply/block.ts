/**
 * The managed block: every environment variable certifix sets for new shells, between two marker lines, in
 * the syntax of the file it lives in. Pure functions of (old text, vars) → new text; applying twice is a
 * no-op, re-applying with other values replaces the block where it is (the user may have moved it).
 */
import { CertifixError } from '../core/errors.ts';
import { assertOneLine, bare, detectEol, type Eol, splitLines, terminateLast } from '../formats/text.ts';

export const BEGIN = '# >>> certifix >>>';
export const END = '# <<< certifix <<<';
export const NOTE = '# managed by certifix; `certifix undo` removes it';

/**
 * posix: sh, dash, bash, zsh (`export NAME='value'`); fish: conf.d (`set -gx NAME 'value'`);
 * envd: systemd environment.d (`NAME="value"`, parsed by systemd-environment-d-generator(8));
 * powershell: a PowerShell profile (`$env:NAME = 'value'`; `#` starts a comment there too).
 */
export type BlockSyntax = 'posix' | 'fish' | 'envd' | 'powershell';

/** Where a new block goes; an existing block is always replaced in place. */
export type BlockPlacement = 'top' | 'bottom';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function assertEnvName(name: string): void {
  if (!NAME.test(name)) throw new CertifixError('REFUSED', `not a valid environment variable name: ${name}`);
}

/** POSIX single quotes: nothing is special inside them except `'` itself, which is closed, escaped, reopened. */
function quotePosix(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** fish single quotes: only `\\` and `\'` are escapes (fish-doc "Quotes"). */
export function quoteFish(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/**
 * environment.d: double quotes take `\\` `\"` `` \` `` `\$` escapes (env-file.c), then the generator expands
 * `$NAME`/`${NAME}` in the result, where `$$` is a literal `$` (env-util.c `replace_env_full`).
 */
function quoteEnvd(value: string): string {
  return `"${value.replace(/[\\"`]/g, '\\$&').replaceAll('$', '$$$$')}"`;
}

/**
 * PowerShell single quotes: nothing is expanded; a quote is doubled. PowerShell also takes the typographic
 * single quotes (U+2018..U+201B) as quote characters, so they are doubled too
 * (https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_quoting_rules).
 */
export function quotePowershell(value: string): string {
  return `'${value.replace(/['\u2018-\u201B]/g, '$&$&')}'`;
}

function assignment(syntax: BlockSyntax, name: string, value: string): string {
  assertEnvName(name);
  assertOneLine(`the value of ${name}`, value);
  if (syntax === 'powershell') return `$env:${name} = ${quotePowershell(value)}`;
  if (syntax === 'fish') return `set -gx ${name} ${quoteFish(value)}`;
  if (syntax === 'envd') return `${name}=${quoteEnvd(value)}`;
  return `export ${name}=${quotePosix(value)}`;
}

/** The block's lines (terminated with `eol`); variables sorted by name so the text is stable. */
export function renderBlock(vars: Record<string, string>, syntax: BlockSyntax, eol: Eol = '\n'): string[] {
  const names = Object.keys(vars).sort();
  const body = names.map((n) => assignment(syntax, n, vars[n] as string));
  return [BEGIN, NOTE, ...body, END].map((l) => l + eol);
}

/** Line ranges [start, end] (inclusive) of every block in the text. */
export function findBlocks(lines: readonly string[], path = 'the file'): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  let start = -1;
  lines.forEach((line, i) => {
    const t = bare(line).trim();
    if (t === BEGIN) {
      if (start !== -1) throw unterminated(path);
      start = i;
    } else if (t === END) {
      if (start === -1) throw unterminated(path);
      found.push([start, i]);
      start = -1;
    }
  });
  if (start !== -1) throw unterminated(path);
  return found;
}

function unterminated(path: string): CertifixError {
  return new CertifixError('REFUSED', `the certifix block in ${path} has a missing or extra marker line`, {
    hint: `remove the lines between "${BEGIN}" and "${END}" in ${path} by hand, then run certifix again`,
  });
}

/** Put `vars` in the block: replace the existing block in place, or add one at `where`. */
export function setBlock(
  old: string | null,
  vars: Record<string, string>,
  syntax: BlockSyntax,
  where: BlockPlacement,
  path?: string,
): string {
  const text = old ?? '';
  const eol = detectEol(text);
  const block = renderBlock(vars, syntax, eol);
  const lines = splitLines(text);
  const blocks = findBlocks(lines, path);
  if (blocks.length > 0) {
    for (const [s, e] of blocks.slice(1).reverse()) lines.splice(s, e - s + 1);
    const [s, e] = blocks[0] as [number, number];
    // A block that ended the file without a newline keeps ending it that way.
    const lastLine = lines[e] as string;
    if (!lastLine.endsWith('\n')) block[block.length - 1] = END;
    lines.splice(s, e - s + 1, ...block);
  } else if (where === 'top' && !setsAny(lines, Object.keys(vars))) {
    lines.unshift(...block);
  } else {
    // At the bottom, also when the file sets one of our variables itself (a user's own
    // `export REQUESTS_CA_BUNDLE=...`): below their line the block wins, and undo brings their value back.
    terminateLast(lines, eol);
    lines.push(...block);
  }
  return lines.join('');
}

function assigns(line: string, name: string): boolean {
  return (
    new RegExp(`^\\s*\\$env:${name}\\s*=`, 'i').test(line) ||
    new RegExp(`^\\s*(?:(?:export|declare\\s+-x|typeset\\s+-x)\\s+)?${name}=`).test(line) ||
    new RegExp(`^\\s*set\\s+(?:-\\w+\\s+)*${name}(?:\\s|$)`).test(line)
  );
}

function setsAny(lines: readonly string[], names: readonly string[]): boolean {
  return lines.some((raw) => names.some((name) => assigns(bare(raw), name)));
}

/** The text without any certifix block (idempotent; text without a block comes back unchanged). */
export function removeBlock(text: string): string {
  const lines = splitLines(text);
  for (const [s, e] of findBlocks(lines).reverse()) lines.splice(s, e - s + 1);
  return lines.join('');
}

/**
 * Take certifix's block out of text the user may have edited: only the lines certifix wrote (the markers,
 * the note, the assignments with the values recorded) go; a line the user added inside the block stays
 * where it is. When a marker is missing (the user deleted the end line), the block cannot be delimited:
 * from the begin marker on, only lines identical to ones certifix wrote are removed. `kept` lists the
 * user's lines left in place, `broken` says the markers did not pair up.
 */
export function revertBlock(
  text: string,
  vars: Record<string, string>,
  syntax: BlockSyntax,
): { text: string; kept: string[]; broken: boolean } {
  const lines = splitLines(text);
  const ours = new Set(renderBlock(vars, syntax).map((l) => bare(l).trim()));
  let ranges: Array<[number, number]>;
  let broken = false;
  try {
    ranges = findBlocks(lines);
  } catch {
    broken = true;
    const begin = lines.findIndex((l) => bare(l).trim() === BEGIN);
    const end = lines.findIndex((l) => bare(l).trim() === END);
    // The lines between the markers that remain, or from the only marker to the end of the file.
    ranges =
      begin === -1 ? (end === -1 ? [] : [[end, end]]) : [[begin, end > begin ? end : lines.length - 1]];
  }
  const kept: string[] = [];
  const drop = new Set<number>();
  for (const [s, e] of ranges) {
    for (let i = s; i <= e; i++) {
      const t = bare(lines[i] as string).trim();
      if (ours.has(t)) drop.add(i);
      else if (!broken && t !== '') kept.push(bare(lines[i] as string));
    }
  }
  return { text: lines.filter((_, i) => !drop.has(i)).join(''), kept, broken };
}

/** The current block's lines without terminators, or null when there is none. */
export function readBlock(text: string): string[] | null {
  const lines = splitLines(text);
  const first = findBlocks(lines)[0];
  return first ? lines.slice(first[0], first[1] + 1).map(bare) : null;
}

/**
 * The user's own assignments of our variables that run *after* the block and so override it, e.g. a
 * `export REQUESTS_CA_BUNDLE=/their/file` further down ~/.bashrc. Reported, never edited.
 */
export function shadowing(
  text: string,
  names: readonly string[],
): Array<{ line: number; name: string; text: string }> {
  const lines = splitLines(text);
  const end = findBlocks(lines)[0]?.[1] ?? -1;
  const out: Array<{ line: number; name: string; text: string }> = [];
  lines.forEach((raw, i) => {
    if (i <= end) return;
    const line = bare(raw);
    for (const name of names) if (assigns(line, name)) out.push({ line: i + 1, name, text: line });
  });
  return out;
}
