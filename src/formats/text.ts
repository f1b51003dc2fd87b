import { CertifixError } from '../core/errors.ts';

/**
 * Line helpers shared by the edits. Every edit keeps the file's own line ending (LF or CRLF) and touches only
 * the lines it owns, so a file round-trips byte for byte outside our lines.
 */

export type Eol = '\n' | '\r\n';

/** The file's line ending: the first one found; LF for empty or single-line text. */
export function detectEol(text: string): Eol {
  const i = text.indexOf('\n');
  return i > 0 && text[i - 1] === '\r' ? '\r\n' : '\n';
}

/** Lines with their own terminators kept (`'a\r\n'`, `'b'`), so `lines.join('') === text`. */
export function splitLines(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', start)) {
    out.push(text.slice(start, i + 1));
    start = i + 1;
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

/** A line without its terminator. */
export function bare(line: string): string {
  return line.replace(/\r?\n$/, '');
}

/** Make sure the last line is terminated before something is appended after it. */
export function terminateLast(lines: string[], eol: Eol): void {
  const last = lines.length - 1;
  const line = lines[last];
  if (line !== undefined && !line.endsWith('\n')) lines[last] = line + eol;
}

/** Values go into one-line syntaxes; a newline or NUL would let a value write a second line. */
export function assertOneLine(what: string, value: string): void {
  if (/[\r\n\0]/.test(value)) {
    throw new CertifixError(
      'REFUSED',
      `${what} contains a newline or NUL; refusing to write it into a config file`,
    );
  }
}

/**
 * Files are edited as text. Valid UTF-8 (the norm) is decoded as such; anything else is edited as latin1,
 * which maps every byte to one char, so the bytes we do not touch survive exactly.
 */
export type Encoding = 'utf8' | 'latin1';

export function decode(buf: Buffer): { text: string; encoding: Encoding } {
  const text = buf.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(buf)) return { text, encoding: 'utf8' };
  return { text: buf.toString('latin1'), encoding: 'latin1' };
}

export function encode(text: string, encoding: Encoding): Buffer {
  return Buffer.from(text, encoding);
}

/** A value we insert, as it must appear inside text decoded with `encoding` (UTF-8 bytes either way). */
export function asText(value: string, encoding: Encoding): string {
  return encoding === 'utf8' ? value : Buffer.from(value, 'utf8').toString('latin1');
}
