/**
 * A small, defensive `GET http://...` for fetching certificates named by a server's certificate (AIA): the
 * URL comes from the network, so it is treated as untrusted input. Only http, bounded time and size, a few
 * redirects, and no private/loopback/link-local destinations unless the caller allows them (a certificate
 * must not make us probe the intranet or a cloud metadata endpoint).
 */
import { lookup } from 'node:dns/promises';
import { BlockList } from 'node:net';
import { CertifixError } from '../core/errors.ts';
import { primeHostCheck } from './host-check.ts';
import { Http1Error, type Http1Response, http1Get } from './http1.ts';
import { ipFamily } from './ip.ts';
import type { ProxyConfig } from './proxy.ts';

interface SafeGetOptions {
  /** Allow private, loopback and link-local destinations (tests, internal PKIs). Default false. */
  allowPrivate?: boolean | undefined;
  /** Whole budget for DNS, connect, redirects and body. Default 5 s. */
  timeoutMs?: number | undefined;
  /** Abort the response once it exceeds this many bytes. Default 1 MB. */
  maxBytes?: number | undefined;
  /** Redirects followed (each to http:// only). Default 3. */
  maxRedirects?: number | undefined;
  /** Send `GET http://...` (absolute form) to this HTTP proxy instead of connecting directly. */
  proxy?: ProxyConfig | null | undefined;
}

interface GetResult {
  /** The final URL, after redirects. */
  url: string;
  contentType: string;
  body: Buffer;
}

/**
 * Ranges that are not the public internet. Sources: RFC 6890 (special-purpose registries), RFC 1918, RFC 6598
 * (CGNAT), RFC 3927 / RFC 4291 (link-local, where cloud metadata lives: 169.254.169.254), RFC 4193 (ULA).
 * IPv4-mapped IPv6 (::ffff:a.b.c.d) is matched against the IPv4 rules by BlockList itself.
 */
const NON_PUBLIC: readonly [net: string, prefix: number, family: 'ipv4' | 'ipv6'][] = [
  ['0.0.0.0', 8, 'ipv4'], // "this network"
  ['10.0.0.0', 8, 'ipv4'], // RFC 1918
  ['100.64.0.0', 10, 'ipv4'], // RFC 6598 carrier-grade NAT
  ['127.0.0.0', 8, 'ipv4'], // loopback
  ['169.254.0.0', 16, 'ipv4'], // link-local, cloud metadata
  ['172.16.0.0', 12, 'ipv4'], // RFC 1918
  ['192.168.0.0', 16, 'ipv4'], // RFC 1918
  ['224.0.0.0', 3, 'ipv4'], // multicast, reserved, broadcast
  ['::', 128, 'ipv6'], // unspecified
  ['::1', 128, 'ipv6'], // loopback
  ['fc00::', 7, 'ipv6'], // unique local
  ['fe80::', 10, 'ipv6'], // link-local
  ['ff00::', 8, 'ipv6'], // multicast
];
/** Made on first use: an AIA issuer kept from an earlier run is not fetched, and asks no address. */
let blocked: BlockList | undefined;

/** True for addresses that are not on the public internet (see NON_PUBLIC). */
export function isPrivateAddress(ip: string): boolean {
  const family = ipFamily(ip);
  if (family === 0) return false;
  if (!blocked) {
    blocked = new BlockList();
    for (const [net, prefix, type] of NON_PUBLIC) blocked.addSubnet(net, prefix, type);
  }
  return blocked.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** A destination refused because it is not on the public internet (lifted by `allowPrivate`). */
export class PrivateAddressError extends CertifixError {
  readonly address: string;
  constructor(host: string, address: string) {
    super(
      'REFUSED',
      host === address
        ? `${address} is a private or local address: not fetched`
        : `${host} resolves to ${address}, a private or local address: not fetched`,
    );
    this.address = address;
  }
}

function fail(code: 'CONNECT' | 'REFUSED', message: string): CertifixError {
  return new CertifixError(code, message);
}

/** Resolve every address of `host` and refuse when any is private: one bad answer is enough to be wary. */
async function pickAddress(host: string, allowPrivate: boolean, viaProxy: boolean): Promise<string> {
  let addresses: string[];
  if (ipFamily(host)) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch (cause) {
      // Behind a proxy the name may only resolve on the proxy's side: let the proxy try.
      if (viaProxy) return host;
      throw new CertifixError('CONNECT', `cannot resolve ${host} (DNS lookup failed)`, { cause });
    }
  }
  const bad = allowPrivate ? undefined : addresses.find(isPrivateAddress);
  if (bad) throw new PrivateAddressError(host, bad);
  const first = addresses[0];
  if (!first) throw fail('CONNECT', `cannot resolve ${host}`);
  return first;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** GET `url` within the limits of `opts`; throws CertifixError (CONNECT, REFUSED) in the user's words. */
export async function safeGet(url: string, opts: SafeGetOptions = {}): Promise<GetResult> {
  primeHostCheck();
  const timeoutMs = opts.timeoutMs ?? 5000;
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  const timedOut = new Promise<never>((_, reject) =>
    ac.signal.addEventListener('abort', () =>
      reject(fail('CONNECT', `${url}: no complete answer within ${timeoutMs} ms`)),
    ),
  );
  timedOut.catch(() => {}); // only observed through the race below
  try {
    return await Promise.race([follow(url, opts, ac.signal), timedOut]);
  } finally {
    clearTimeout(timer);
    ac.abort(); // drop whatever is still open
  }
}

async function follow(url: string, opts: SafeGetOptions, signal: AbortSignal): Promise<GetResult> {
  const maxRedirects = opts.maxRedirects ?? 3;
  let current = parseHttpUrl(url);
  for (let hop = 0; ; hop++) {
    const res = await getOnce(current, opts, signal);
    const status = res.statusCode;
    if (REDIRECTS.has(status) && res.headers.location) {
      if (hop >= maxRedirects) throw fail('REFUSED', `${url}: more than ${maxRedirects} redirects`);
      current = parseHttpUrl(new URL(res.headers.location, current).href);
      continue;
    }
    if (status !== 200)
      throw fail('CONNECT', `${current.href} answered HTTP ${status} ${res.statusMessage}`.trim());
    return { url: current.href, contentType: res.headers['content-type'] ?? '', body: res.body };
  }
}

function parseHttpUrl(text: string): URL {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw fail('REFUSED', `${JSON.stringify(text)} is not a URL`);
  }
  if (u.protocol !== 'http:')
    throw fail('REFUSED', `${u.href}: only http:// is fetched, not ${u.protocol}//`);
  return u;
}

async function getOnce(u: URL, opts: SafeGetOptions, signal: AbortSignal): Promise<Http1Response> {
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const proxy = opts.proxy ?? null;
  const address = await pickAddress(host, opts.allowPrivate ?? false, proxy !== null);
  const headers: Record<string, string> = {
    host: u.host,
    accept: 'application/pkix-cert, application/pkcs7-mime, application/x-x509-ca-cert, */*',
    'user-agent': 'certifix',
  };
  if (proxy?.auth) {
    const basic = Buffer.from(`${proxy.auth.username}:${proxy.auth.password}`).toString('base64');
    headers['proxy-authorization'] = `Basic ${basic}`;
  }
  // Direct: dial the address we checked (not the name again: a second lookup could answer differently).
  // Proxy: absolute-form request line, as RFC 9112 §3.2.2 asks of requests to a proxy.
  const dial = proxy
    ? { host: proxy.host, port: proxy.port, path: u.href }
    : { host: address, port: Number(u.port || 80), path: `${u.pathname}${u.search}` };
  try {
    return await http1Get(dial, headers, { maxBytes: opts.maxBytes ?? 1024 * 1024, signal });
  } catch (err) {
    if (err instanceof Http1Error)
      throw fail(err.tooLarge ? 'REFUSED' : 'CONNECT', `${u.href}: ${err.message}`);
    const where = proxy ? `proxy ${proxy.url}` : `${u.host}`;
    throw new CertifixError('CONNECT', `${u.href}: cannot fetch via ${where}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}
