/**
 * Clients that never send a loopback target through a proxy, whatever the proxy variables say: they
 * connect to it directly. Each decides "loopback" its own way, and the two ways disagree on names:
 *
 * | client | rule       | `localhost` | `127.0.0.2` | `[::ffff:127.0.0.1]` | a name /etc/hosts maps to 127.0.1.1 | a name that does not resolve |
 * | ------ | ---------- | ----------- | ----------- | -------------------- | ------------------------------------ | ---------------------------- |
 * | Go     | `literal`  | direct      | direct      | direct               | proxy                                | proxy                        |
 * | Ruby   | `resolved` | direct      | direct      | proxy                | direct                               | proxy                        |
 *
 * (Observed with Go 1.19's ProxyFromEnvironment and Ruby 3.1's URI#find_proxy on Debian 12.)
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { ipFamily } from '../net/ip.ts';
import { ipBytes } from '../net/no-proxy.ts';
import type { ClientId } from '../types.ts';

/**
 * - `literal`: the host as the URL writes it is `localhost` or a loopback IP literal; nothing is resolved.
 * - `resolved`: the resolver's (first) address for the host starts with `127.` or is `::1`.
 */
type LoopbackRule = 'literal' | 'resolved';

const LOOPBACK_RULES: Readonly<Partial<Record<ClientId, LoopbackRule>>> = {
  // net/http ProxyFromEnvironment → golang.org/x/net/http/httpproxy `useProxy`: `if host == "localhost"
  // { return false }`, then `net.ParseIP(host)` and `ip.IsLoopback()` (127/8, ::1, IPv4-mapped 127/8); no
  // lookup. https://cs.opensource.google/go/x/net/+/master:http/httpproxy/proxy.go (`useProxy`). Go compares
  // the host as typed (`LOCALHOST` keeps the proxy); certifix sees it lowercased, as URLs are parsed here.
  go: 'literal',
  // ruby/uri URI::Generic#find_proxy: `addr = IPSocket.getaddress(self.hostname); return nil if
  // /\A127\.|\A::1\z/ =~ addr`, and `rescue SocketError` keeps the proxy for a name that does not resolve.
  // https://github.com/ruby/uri/blob/master/lib/uri/generic.rb (`find_proxy`)
  ruby: 'resolved',
};

/** How long to wait for the resolver: Ruby would wait too, then keep the proxy; so do we. */
const LOOKUP_MS = 3_000;

/** Go's `net.IP.IsLoopback`: 127/8 (IPv4-mapped included) or ::1. */
export function isLoopbackIp(host: string): boolean {
  const b = ipFamily(host) ? ipBytes(host) : null;
  if (!b) return false;
  return b.length === 4 ? b[0] === 127 : b.equals(ipBytes('::1') as Buffer);
}

/** The rule applied to `host`; `address` is the resolver's first answer (null: it had none). */
export function bypassesProxy(rule: LoopbackRule, host: string, address: string | null): boolean {
  if (rule === 'literal') return host === 'localhost' || isLoopbackIp(host);
  return address !== null && (address.startsWith('127.') || address === '::1');
}

/** The resolver's first address, as `IPSocket.getaddress` takes it (getaddrinfo order), or null. */
async function firstAddress(host: string): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), LOOKUP_MS);
    timer.unref();
  });
  try {
    const answer = dnsLookup(host, { verbatim: true }).then(
      (a) => a.address,
      () => null,
    );
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Which of `ids` connect to `host` directly although a proxy is set. Resolves `host` only when a client
 * with the `resolved` rule is among them; `lookup` replaces the resolver in tests.
 */
export async function directClients(
  ids: readonly ClientId[],
  host: string,
  lookup: (host: string) => Promise<string | null> = firstAddress,
): Promise<Set<ClientId>> {
  const ruled = ids.filter((id) => LOOPBACK_RULES[id] !== undefined);
  const needs = ruled.some((id) => LOOPBACK_RULES[id] === 'resolved');
  const address = needs ? await lookup(host) : null;
  return new Set(ruled.filter((id) => bypassesProxy(LOOPBACK_RULES[id] as LoopbackRule, host, address)));
}
