/**
 * `probe` as a library call: handshake many times with every address a name resolves to, verify each distinct
 * chain once against the OS store, and group what was seen (core/handshake-groups.ts). Finds the one backend in four that
 * lacks its intermediate, and the inspection device that intercepts only some connections.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { processContext } from '../context.ts';
import type { Cert } from '../core/cert.ts';
import { CertifixError } from '../core/errors.ts';
import { type Handshake, type ProbeSummary, summarizeProbe } from '../core/handshake-groups.ts';
import { verifyChain } from '../core/verify/index.ts';
import { captureChain } from '../net/capture.ts';
import { ipFamily } from '../net/ip.ts';
import { resolveProxy } from '../net/proxy.ts';
import { hostForUrl, parseTarget, type Target } from '../net/target.ts';
import { type StoreContext, systemStore } from '../stores/index.ts';
import { systemTrustIndex } from '../stores/load.ts';

export interface ProbeOptions {
  /** Handshakes in all, spread round-robin over the addresses. Default 20. */
  count?: number | undefined;
  /** Handshakes in flight at once. Default 4. */
  concurrency?: number | undefined;
  /** Explicit proxy URL; `null` forces a direct connection; undefined = from the environment. */
  proxy?: string | null | undefined;
  /** Per handshake. Default 10 s. */
  timeoutMs?: number | undefined;
  /** Validation time (default now). */
  at?: Date | undefined;
  /**
   * Every address of a host name (default: `dns.lookup` with `all: true`, A and AAAA, as the OS resolver
   * answers, /etc/hosts included). Tests inject one to put two loopback servers under one name.
   */
  lookup?: ((host: string) => Promise<string[]>) | undefined;
  /** Called after each handshake (progress bars). */
  onProgress?: ((done: number, total: number) => void) | undefined;
}

export interface ProbeReport extends ProbeSummary {
  target: { url: string; host: string; port: number; proxy: string | null };
  /** The addresses dialled, in resolver order; empty through a proxy (it resolves the name itself). */
  addresses: string[];
  handshakes: number;
  /** How many handshakes completed (a chain was seen). */
  succeeded: number;
}

async function resolveAll(host: string): Promise<string[]> {
  try {
    return (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch (cause) {
    throw new CertifixError('CONNECT', `cannot resolve ${host} (DNS lookup failed)`, { cause });
  }
}

/** `certifix probe URL --json` as a library call. `ctx` defaults to this process. */
export async function probe(
  input: string,
  opts: ProbeOptions = {},
  ctx: StoreContext = processContext(),
): Promise<ProbeReport> {
  const target = parseTarget(input);
  const count = opts.count ?? 20;
  if (!Number.isInteger(count) || count < 1)
    throw new CertifixError('USAGE', 'the handshake count must be ≥ 1');
  const concurrency = Math.max(1, Math.min(opts.concurrency ?? 4, count));
  const proxy = opts.proxy === null ? null : resolveProxy(target, ctx.env, opts.proxy);
  const store = systemStore(ctx);
  store.catch(() => {}); // awaited below; do not let an early rejection go unhandled
  let addresses: string[] = [];
  if (!proxy) {
    const found = ipFamily(target.host) ? [target.host] : await (opts.lookup ?? resolveAll)(target.host);
    addresses = [...new Set(found)];
    if (addresses.length === 0) throw new CertifixError('CONNECT', `${target.host} has no address`);
  }
  const servername = ipFamily(target.host) ? undefined : target.host;
  const verdicts = new Map<string, Promise<Handshake['verdict']>>();
  const verify = (certs: Cert[]) => {
    const k = certs.map((c) => c.sha256).join(',');
    let v = verdicts.get(k);
    if (!v) {
      v = store.then((system) => {
        const r = verifyChain({
          leaf: certs[0] as Cert,
          untrusted: certs.slice(1),
          trusted: systemTrustIndex(system), // as diagnose sees the OS store
          host: target.host,
          at: opts.at,
          profile: 'openssl',
        });
        return { ok: r.ok, code: r.code, message: r.message };
      });
      verdicts.set(k, v);
    }
    return v;
  };
  const one = async (i: number): Promise<Handshake> => {
    const dial: Target = proxy ? target : { ...target, host: addresses[i % addresses.length] as string };
    const address = proxy ? `${hostForUrl(proxy.host)}:${proxy.port}` : dial.host;
    let certs: Cert[];
    try {
      // Dial the address, but send SNI (and check the name) for the host: what a client would do.
      certs = (await captureChain(dial, { proxy, timeoutMs: opts.timeoutMs, servername })).certs;
    } catch (e) {
      return { address, error: e instanceof Error ? e.message : String(e) };
    }
    const top = certs[certs.length - 1];
    if (!top) return { address, error: 'the server sent no certificate' };
    return { address, chain: certs.map((c) => c.sha256), issuer: top.issuer, verdict: await verify(certs) };
  };
  const results: Handshake[] = new Array(count);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await one(i);
      opts.onProgress?.(++done, count);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const summary = summarizeProbe(results, proxy?.url);
  return {
    target: { url: target.url, host: target.host, port: target.port, proxy: proxy?.url ?? null },
    addresses,
    handshakes: count,
    succeeded: results.filter((r) => r.chain).length,
    ...summary,
  };
}
