/**
 * One HTTP/1.1 GET over a plain TCP socket, read to the end of the message: what fetching an issuer needs,
 * without node:http (its modules cost more to load than the fetch takes on a LAN). `Connection: close`, so
 * the message ends at the body's length, its last chunk, or the server closing (RFC 9112 §6.3).
 * Bounded: 64 kB of headers, `maxBytes` of body; the caller's signal aborts.
 */
import { connect } from 'node:net';

export interface Http1Response {
  statusCode: number;
  statusMessage: string;
  /** Lower-case names; a repeated header keeps its first value. */
  headers: Record<string, string>;
  body: Buffer;
}

export class Http1Error extends Error {
  constructor(
    message: string,
    readonly tooLarge = false,
  ) {
    super(message);
  }
}

const MAX_HEAD = 64 * 1024;

/** GET `path` from `host:port`, sending `headers` (Host among them). */
export function http1Get(
  dial: { host: string; port: number; path: string },
  headers: Record<string, string>,
  opts: { maxBytes: number; signal: AbortSignal },
): Promise<Http1Response> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: dial.host, port: dial.port });
    const chunks: Buffer[] = [];
    let size = 0;
    let head: {
      statusCode: number;
      statusMessage: string;
      headers: Record<string, string>;
      start: number;
    } | null = null;
    let settled = false;
    const finish = (err: Error | null, res?: Http1Response) => {
      if (settled) return;
      settled = true;
      opts.signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (res) resolve(res);
      else reject(err);
    };
    const onAbort = () => finish(Object.assign(new Error('aborted'), { name: 'AbortError' }));
    if (opts.signal.aborted) return onAbort();
    opts.signal.addEventListener('abort', onAbort);
    /** The complete response when the bytes so far hold one; undefined when more are needed. */
    const complete = (ended: boolean): Http1Response | undefined => {
      const all = Buffer.concat(chunks, size);
      if (!head) {
        const end = all.indexOf('\r\n\r\n');
        if (end < 0) {
          if (all.length > MAX_HEAD) throw new Http1Error('the answer has oversized headers');
          if (ended) throw new Http1Error('the server closed the connection early');
          return undefined;
        }
        head = parseHead(all.subarray(0, end).toString('latin1'), end + 4);
      }
      const rest = all.subarray(head.start);
      const { headers: h } = head;
      const done = (body: Buffer) => ({ ...head, body }) as Http1Response;
      if (/\bchunked\b/i.test(h['transfer-encoding'] ?? '')) {
        const body = dechunk(rest, opts.maxBytes);
        if (body) return done(body);
        if (ended) throw new Http1Error('the server closed the connection early');
        return undefined;
      }
      const declared = h['content-length'] === undefined ? Number.NaN : Number(h['content-length']);
      if (Number.isFinite(declared)) {
        if (declared > opts.maxBytes)
          throw new Http1Error(`${declared} bytes is over the ${opts.maxBytes}-byte limit`, true);
        if (rest.length >= declared) return done(rest.subarray(0, declared));
        if (ended) throw new Http1Error('the server closed the connection early');
        return undefined;
      }
      if (rest.length > opts.maxBytes)
        throw new Http1Error(`the answer is over the ${opts.maxBytes}-byte limit`, true);
      return ended ? done(rest) : undefined;
    };
    const step = (ended: boolean) => {
      try {
        const res = complete(ended);
        if (res) finish(null, res);
      } catch (e) {
        finish(e as Error);
      }
    };
    socket.on('connect', () => {
      const lines = [`GET ${dial.path} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      socket.write(`${lines.join('\r\n')}\r\nconnection: close\r\n\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > MAX_HEAD + opts.maxBytes + 64 * 1024)
        return finish(new Http1Error('the answer is too large', true));
      step(false);
    });
    socket.on('end', () => step(true));
    socket.on('error', (e) => finish(e));
    socket.on('close', () => step(true));
  });
}

function parseHead(text: string, start: number) {
  const [statusLine = '', ...lines] = text.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!m) throw new Http1Error('the server did not answer with HTTP/1.x');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    if (!(name in headers)) headers[name] = line.slice(i + 1).trim();
  }
  return { statusCode: Number(m[1]), statusMessage: m[2] ?? '', headers, start };
}

/** The body of a chunked message, or undefined while its last chunk has not arrived (RFC 9112 §7.1). */
function dechunk(data: Buffer, maxBytes: number): Buffer | undefined {
  const parts: Buffer[] = [];
  let size = 0;
  for (let off = 0; ; ) {
    const eol = data.indexOf('\r\n', off);
    if (eol < 0) return undefined;
    const len = Number.parseInt(data.subarray(off, eol).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isFinite(len) || len < 0) throw new Http1Error('the answer has a malformed chunk');
    if (len === 0) return Buffer.concat(parts, size); // trailers, if any, are not needed
    size += len;
    if (size > maxBytes) throw new Http1Error(`the answer is over the ${maxBytes}-byte limit`, true);
    if (data.length < eol + 2 + len + 2) return undefined;
    parts.push(data.subarray(eol + 2, eol + 2 + len));
    off = eol + 2 + len + 2;
  }
}
