import type { Socket } from 'node:net';
import { type Cert, certFromDer } from '../core/cert.ts';
import { CertifixError } from '../core/errors.ts';
import type { Group } from './client-hello.ts';
import { connectRaw } from './connect.ts';
import { ClientHandshake, type ServerFlight } from './handshake.ts';
import { ipFamily } from './ip.ts';
import type { ProxyConfig } from './proxy.ts';
import { hostForUrl, parseTarget, type Target } from './target.ts';
import { TlsFailure } from './tls-records.ts';
import { TLS13_SUITES } from './tls13.ts';

interface CaptureOptions {
  proxy?: ProxyConfig | null | undefined;
  /** Whole budget: connect, tunnel and handshake. Default 10 s. */
  timeoutMs?: number | undefined;
  /** SNI to send; default the target host unless it is an IP literal; `''` sends none. */
  servername?: string | undefined;
  /** ALPN protocols to offer; default `['http/1.1']` (as Python's urllib3 does). `[]` offers none. */
  alpn?: readonly string[] | undefined;
  /** Key shares sent up front (default x25519, as OpenSSL); other groups go through HelloRetryRequest. */
  keyShares?: readonly Group[] | undefined;
  /** Retry with node:tls (unfaithful) when our handshake fails where OpenSSL would not. Default true. */
  fallback?: boolean | undefined;
}

interface CaptureResult {
  /** Exactly as the server sent them, in order (when `faithful`). */
  certs: Cert[];
  protocol: 'TLSv1.2' | 'TLSv1.3';
  /** false when captured through node:tls: re-linked, duplicates dropped, order rebuilt. */
  faithful: boolean;
  /** `ip:port` of the TCP peer: the server, or the proxy when tunnelling. */
  address: string;
  alpn?: string;
  /** IANA name of the TLS 1.3 suite, or `0x....` for TLS 1.2; absent after a fallback. */
  cipher?: string;
  /** The proxy URL used (no credentials), if any. */
  via?: string;
  /** The TLS 1.3 server asked for another key share first (one more round trip). */
  helloRetry?: boolean;
}

/**
 * Record the certificates the server sends, with one handshake of our own (see handshake.ts), through the
 * proxy when one is given. Maps failures to CertifixError: CONNECT, NOT_TLS, PROXY.
 */
export async function captureChain(
  target: Target | string,
  opts: CaptureOptions = {},
): Promise<CaptureResult> {
  const t = typeof target === 'string' ? parseTarget(target) : target;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  const servername = opts.servername ?? (ipFamily(t.host) ? undefined : t.host);
  const where = `${hostForUrl(t.host)}:${t.port}`;
  const socket = await connectRaw(t, { proxy: opts.proxy, timeoutMs });
  const address = peerAddress(socket);
  const base = { faithful: true, address, ...(opts.proxy ? { via: opts.proxy.url } : {}) };
  let flight: ServerFlight;
  try {
    flight = await runHandshake(
      socket,
      new ClientHandshake({ servername, alpn: opts.alpn ?? ['http/1.1'], keyShares: opts.keyShares }),
      deadline - Date.now(),
      where,
      timeoutMs,
    );
  } catch (err) {
    socket.destroy(); // before any await: a late reset must not surface as an unhandled 'error'
    const first = toCertifixError(err, where);
    if (opts.fallback === false || !(err instanceof TlsFailure) || !worthFallback(err)) throw first;
    try {
      const { nodeTlsCapture } = await import('./fallback.ts');
      const again = await connectRaw(t, { proxy: opts.proxy, timeoutMs: Math.max(1, deadline - Date.now()) });
      const got = await nodeTlsCapture(again, servername, Math.max(1, deadline - Date.now()));
      return { ...base, ...got, faithful: false, address: peerAddress(again) };
    } catch {
      throw first; // the first failure is the one that explains what happened (house style)
    }
  } finally {
    socket.destroy();
  }
  const result: CaptureResult = {
    ...base,
    certs: flight.certs.map((der) => certFromDer(der)),
    protocol: flight.protocol,
    cipher:
      TLS13_SUITES.get(flight.cipherSuite)?.name ?? `0x${flight.cipherSuite.toString(16).padStart(4, '0')}`,
  };
  if (flight.alpn) result.alpn = flight.alpn;
  if (flight.helloRetry) result.helloRetry = true;
  return result;
}

function peerAddress(socket: Socket): string {
  const ip = socket.remoteAddress ?? '?';
  return `${hostForUrl(ip)}:${socket.remotePort ?? '?'}`;
}

/** Failures where a mainstream client may still succeed: our hello or parser is the likely culprit. */
function worthFallback(err: TlsFailure): boolean {
  if (err.kind === 'protocol' || err.kind === 'closed') return true;
  // handshake_failure(40), illegal_parameter(47), decode_error(50), protocol_version(70),
  // insufficient_security(71), missing_extension(109), unsupported_extension(110)
  return err.kind === 'alert' && [40, 47, 50, 70, 71, 109, 110].includes(err.alert ?? -1);
}

function toCertifixError(err: unknown, where: string): CertifixError {
  if (err instanceof CertifixError) return err;
  if (err instanceof TlsFailure) {
    const code = err.kind === 'not-tls' ? 'NOT_TLS' : 'CONNECT';
    const hint =
      err.alert === 112 ? 'the server does not know this host name (SNI); check the spelling' : undefined;
    return new CertifixError(code, `${where} ${err.message}`, { cause: err, ...(hint ? { hint } : {}) });
  }
  return new CertifixError('CONNECT', `${where}: ${(err as Error).message}`, { cause: err });
}

/** Drive the handshake over the socket until the Certificate arrives, the peer fails, or time runs out. */
function runHandshake(socket: Socket, hs: ClientHandshake, timeoutMs: number, where: string, budget: number) {
  return new Promise<ServerFlight>((resolve, reject) => {
    let received = 0;
    const finish = (err: unknown, flight?: ServerFlight) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      if (flight) resolve(flight);
      else reject(err);
    };
    const timer = setTimeout(
      () =>
        finish(new CertifixError('CONNECT', `${where} did not complete a TLS handshake within ${budget} ms`)),
      Math.max(1, timeoutMs),
    );
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      try {
        const step = hs.feed(chunk);
        if (step.send) socket.write(step.send);
        if (step.done) finish(null, step.done);
      } catch (err) {
        finish(err);
      }
    };
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') onClose();
      else finish(new CertifixError('CONNECT', `${where}: ${err.message}`, { cause: err }));
    };
    const onClose = () =>
      finish(
        new TlsFailure(
          'closed',
          received === 0
            ? 'closed the connection without answering our TLS hello'
            : 'closed the connection in the middle of the TLS handshake',
        ),
      );
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.write(hs.start());
  });
}
