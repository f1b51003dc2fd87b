/**
 * Read a pasted error: which tool, which server, why. Pure: text in, facts out; the tables live in
 * recognisers.ts (tools, where) and reasons.ts (why).
 */
import { REASONS, type Reason, type VerifyCode } from './reasons.ts';
import { type ErrorClient, NOT_THE_SERVER, RECOGNISERS, WHERE } from './recognisers.ts';

export interface ExplainedError {
  client: ErrorClient;
  /** The server the tool was talking to, when the text says (Java and Node often do not). */
  host: string | null;
  /** Explicit in the text, or 443 from an https URL without one; null when only a name is given. */
  port: number | null;
  code: VerifyCode;
  /** OpenSSL's reason string for `code`. */
  message: string;
  /** The line of the paste that gave the reason (the part around it when the line is long). */
  evidence: string;
}

/** CRs from progress meters and Windows pastes become line breaks; colours go. */
function normalize(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what we remove
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r\n?/g, '\n');
}

/** The facts in `text`, or null when it holds no TLS verification error this table knows. */
export function parseError(input: string): ExplainedError | null {
  const text = normalize(input);
  const reco = RECOGNISERS.find((r) => r.markers.some((m) => m.test(text)));
  const found = findReason(text, [...(reco?.reasons ?? []), ...REASONS]);
  if (!found) return null;
  const where = findWhere(text);
  return {
    client: reco?.client ?? 'unknown',
    host: where?.host ?? null,
    port: where?.port ?? null,
    code: found.reason.code,
    message: found.reason.message,
    evidence: found.line,
  };
}

function findReason(text: string, table: readonly Reason[]): { reason: Reason; line: string } | null {
  for (const reason of table) {
    const m = reason.re.exec(text);
    if (!m) continue;
    const start = text.lastIndexOf('\n', m.index) + 1;
    const end = text.indexOf('\n', m.index);
    return { reason, line: around(text.slice(start, end === -1 ? undefined : end), m.index - start) };
  }
  return null;
}

interface Where {
  host: string;
  port: number | null;
}

function findWhere(text: string): Where | null {
  for (const { re, kind } of WHERE) {
    const m = re.exec(text);
    if (!m?.[1]) continue;
    if (kind === 'url') {
      const w = fromUrl(m[1]);
      if (w) return w;
    } else if (kind === 'hostport') {
      return { host: unbracket(m[1]), port: Number(m[2]) };
    } else {
      return { host: unbracket(m[1]), port: null };
    }
  }
  // Last resort: the first URL that is not a documentation link ("$ curl https://x" atop a paste).
  for (const m of text.matchAll(/https?:\/\/[^\s'"<>()]+/g)) {
    const w = fromUrl(m[0]);
    if (w && !NOT_THE_SERVER.test(w.host)) return w;
  }
  return null;
}

function fromUrl(s: string): Where | null {
  try {
    const u = new URL(s);
    if (!u.hostname) return null;
    const port = u.port ? Number(u.port) : u.protocol === 'http:' ? 80 : 443;
    return { host: unbracket(u.hostname), port };
  } catch {
    return null;
  }
}

/** The line, or for a long one (pip, conda) the part around the reason: enough to recognise it. */
function around(line: string, at: number, width = 160): string {
  if (line.length <= width) return line.trim();
  const from = Math.max(0, Math.min(at - width / 2, line.length - width));
  return `${from > 0 ? '…' : ''}${line.slice(from, from + width).trim()}${from + width < line.length ? '…' : ''}`;
}

const unbracket = (h: string) => h.replace(/^\[(.*)\]$/, '$1');
