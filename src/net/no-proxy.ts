import { ipFamily } from './ip.ts';

/**
 * NO_PROXY matching, the union of what curl and Python requests accept, so that a host one of them would
 * reach directly is reached directly here too:
 * - `*` alone: no proxy for anything (curl, urllib `proxy_bypass_environment`);
 * - `example.com` and `.example.com`: the domain and its subdomains, on a label boundary (curl; urllib's
 *   regex `(.+\.)?example\.com$`). requests additionally does a bare `endswith`, so `example.com` also
 *   matches `badexample.com` there; we do not copy that accident;
 * - `host:port`: only that port (requests compares `host:port`; urllib too);
 * - IP literals compared exactly, and CIDR blocks `10.0.0.0/8`, `fd00::/8` (requests `is_valid_cidr` +
 *   `address_in_network` for IPv4; curl >= 7.86 for both families);
 * - entries separated by commas, surrounding whitespace ignored, IPv6 entries may be bracketed.
 * requests: https://github.com/psf/requests/blob/main/src/requests/utils.py (`should_bypass_proxies`)
 * curl: https://everything.curl.dev/usingcurl/proxies/env
 */
export function matchesNoProxy(noProxy: string, host: string, port: number): boolean {
  const h = normalizeHost(host);
  for (const rawEntry of noProxy.split(',')) {
    const entry = rawEntry.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    if (entry.includes('/')) {
      if (inCidr(h, entry)) return true;
      continue;
    }
    const { name, port: entryPort } = splitEntry(entry);
    if (entryPort !== undefined && entryPort !== port) continue;
    if (!name) continue;
    if (ipFamily(name) || ipFamily(h)) {
      if (sameIp(name, h)) return true;
      continue;
    }
    const domain = name.replace(/^\*?\./, '').replace(/\.$/, '');
    if (h === domain || h.endsWith(`.${domain}`)) return true;
  }
  return false;
}

function normalizeHost(host: string): string {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

/** `name`, `name:port`, `[v6]`, `[v6]:port`, or a bare IPv6 literal (which has colons but no port). */
function splitEntry(entry: string): { name: string; port?: number } {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracket) return withPort(bracket[1] ?? '', bracket[2]);
  if (ipFamily(entry) === 6) return { name: entry };
  const m = /^([^:]*):(\d+)$/.exec(entry);
  if (m) return withPort(m[1] ?? '', m[2]);
  return { name: entry };
}

function withPort(name: string, port: string | undefined): { name: string; port?: number } {
  return port === undefined ? { name } : { name, port: Number(port) };
}

function sameIp(a: string, b: string): boolean {
  const x = ipBytes(a);
  const y = ipBytes(b);
  return x !== null && y !== null && x.equals(y);
}

function inCidr(host: string, cidr: string): boolean {
  const m = /^\[?([^\]/]+)\]?\/(\d{1,3})$/.exec(cidr);
  if (!m) return false;
  const net = ipBytes(m[1] ?? '');
  const addr = ipBytes(host);
  const bits = Number(m[2]);
  if (!net || !addr || net.length !== addr.length || bits > net.length * 8) return false;
  for (let i = 0; i < bits; i += 8) {
    const take = Math.min(8, bits - i);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((net[i / 8] ?? 0) & mask) !== ((addr[i / 8] ?? 0) & mask)) return false;
  }
  return true;
}

/** 4 or 16 bytes; IPv4-mapped IPv6 (`::ffff:1.2.3.4`) compares as IPv4. */
export function ipBytes(ip: string): Buffer | null {
  const family = ipFamily(ip);
  if (family === 4) return Buffer.from(ip.split('.').map(Number));
  if (family !== 6) return null;
  // Rewrite a dotted IPv4 tail as two hex groups, then expand `::`.
  const text = ip.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a, b, c, d) => {
    const hi = (Number(a) << 8) | Number(b);
    const lo = (Number(c) << 8) | Number(d);
    return `${hi.toString(16)}:${lo.toString(16)}`;
  });
  const groups = (s: string) => (s ? s.split(':').map((g) => Number.parseInt(g, 16)) : []);
  const [head = '', tail] = text.split('::');
  const left = groups(head);
  const right = groups(tail ?? '');
  const words =
    tail === undefined
      ? left
      : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const out = Buffer.alloc(16);
  words.forEach((w, i) => {
    out.writeUInt16BE(w, i * 2);
  });
  const mapped = out.subarray(0, 10).every((b) => b === 0) && out[10] === 0xff && out[11] === 0xff;
  return mapped ? out.subarray(12) : out;
}
