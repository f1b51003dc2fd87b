import { isIPv4, isIPv6 } from 'node:net';
import { primeHostCheck } from './host-check.ts';

/**
 * `net.isIP` without its cost on every run: Node compiles its large IPv6 regular expression on first use
 * (~8 ms, a measurable share of `diagnose`), and a name without ':' can never be an IPv6 literal. Every
 * question whether a string is an address comes here first, so the CLI compiles that expression cheaply
 * before anything else uses it (host-check.ts).
 */
export function ipFamily(s: string): 0 | 4 | 6 {
  primeHostCheck();
  if (s.includes(':')) return isIPv6(s) ? 6 : 0;
  return isIPv4(s) ? 4 : 0;
}
