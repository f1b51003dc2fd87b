import { connect as netConnect, type Socket } from 'node:net';
import { CertifixError } from '../core/errors.ts';
import { primeHostCheck } from './host-check.ts';
import type { ProxyConfig } from './proxy.ts';
import { hostForUrl } from './target.ts';

/** TCP connections, direct or through an HTTP CONNECT tunnel, with errors in the user's words. */

interface ConnectOptions {
  proxy?: ProxyConfig | null | undefined;
  /** Budget for TCP connect (+ CONNECT exchange). Default 10 s. */
  timeoutMs?: number | undefined;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** A connected socket to `host:port`, through `opts.proxy` when given. */
export function connectRaw(
  target: { host: string; port: number },
  opts: ConnectOptions = {},
): Promise<Socket> {
  if (opts.proxy) return openTunnel(opts.proxy, target.host, target.port, opts);
  return tcp(target.host, target.port, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'CONNECT');
}

function tcp(host: string, port: number, timeoutMs: number, code: 'CONNECT' | 'PROXY'): Promise<Socket> {
  primeHostCheck();
  const what = code === 'PROXY' ? `proxy ${hostForUrl(host)}:${port}` : `${hostForUrl(host)}:${port}`;
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host, port });
    socket.setNoDelay(true);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new CertifixError(code, `timed out after ${timeoutMs} ms connecting to ${what}`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(socketError(err, what, code));
    });
  });
}

/** Map a Node socket error to a one-line CertifixError. */
function socketError(err: NodeJS.ErrnoException, what: string, code: 'CONNECT' | 'PROXY'): CertifixError {
  const reason: Record<string, string> = {
    ECONNREFUSED: `connection to ${what} refused`,
    ENOTFOUND: `cannot resolve ${what.replace(/:\d+$/, '')} (DNS lookup failed)`,
    EAI_AGAIN: `cannot resolve ${what.replace(/:\d+$/, '')} (DNS temporarily unavailable)`,
    ECONNRESET: `connection to ${what} was reset`,
    ETIMEDOUT: `connection to ${what} timed out`,
    EHOSTUNREACH: `${what} is unreachable (no route to host)`,
    ENETUNREACH: `${what} is unreachable (network unreachable)`,
  };
  const message = reason[err.code ?? ''] ?? `cannot connect to ${what}: ${err.message}`;
  return new CertifixError(code, code === 'PROXY' ? `${message}; the proxy is unreachable` : message, {
    cause: err,
  });
}

/** Where the proxy that cannot be reached was named, and how to go without it. */
function proxyHint(proxy: ProxyConfig): string {
  return proxy.source === 'explicit'
    ? 'check the --proxy URL, or leave it out to connect directly'
    : `the proxy comes from ${proxy.source}: start it, or connect directly with --no-proxy (or unset ${proxy.source})`;
}

/**
 * Open a CONNECT tunnel to `host:port` through an HTTP proxy and return the socket, positioned right after
 * the proxy's response headers (any early bytes from the origin are pushed back with `unshift`).
 */
export async function openTunnel(
  proxy: ProxyConfig,
  host: string,
  port: number,
  opts: { timeoutMs?: number | undefined } = {},
): Promise<Socket> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const started = Date.now();
  const socket = await tcp(proxy.host, proxy.port, timeoutMs, 'PROXY').catch((e: CertifixError) => {
    throw new CertifixError(e.code, e.message, { cause: e.cause, hint: proxyHint(proxy) });
  });
  const authority = `${hostForUrl(host)}:${port}`;
  const lines = [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`];
  if (proxy.auth) {
    const basic = Buffer.from(`${proxy.auth.username}:${proxy.auth.password}`).toString('base64');
    lines.push(`Proxy-Authorization: Basic ${basic}`);
  }
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const fail = (e: CertifixError) => {
      cleanup();
      socket.destroy();
      reject(e);
    };
    const timer = setTimeout(
      () =>
        fail(new CertifixError('PROXY', `proxy ${proxy.url} did not answer CONNECT within ${timeoutMs} ms`)),
      Math.max(1, timeoutMs - (Date.now() - started)),
    );
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > 65536) fail(new CertifixError('PROXY', `proxy ${proxy.url} sent oversized headers`));
        return;
      }
      const statusLine = buf.subarray(0, buf.indexOf('\r\n')).toString('latin1');
      const status = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(statusLine)?.[1];
      if (!status) return fail(new CertifixError('PROXY', `proxy ${proxy.url} did not answer with HTTP`));
      if (!status.startsWith('2')) {
        const hint =
          status === '407'
            ? 'the proxy wants credentials: --proxy http://user:password@host:port'
            : 'the proxy refused this destination; check its allow-list, or NO_PROXY for internal hosts';
        return fail(
          new CertifixError('PROXY', `proxy ${proxy.url} refused CONNECT ${authority}: ${statusLine}`, {
            hint,
          }),
        );
      }
      cleanup();
      const rest = buf.subarray(end + 4);
      if (rest.length) socket.unshift(rest);
      resolve(socket);
    };
    const onError = (err: NodeJS.ErrnoException) => fail(socketError(err, `proxy ${proxy.url}`, 'PROXY'));
    const onClose = () =>
      fail(new CertifixError('PROXY', `proxy ${proxy.url} closed the connection before answering CONNECT`));
    function cleanup() {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    }
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
  });
}
