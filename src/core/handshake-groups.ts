/**
 * `probe` reasoning, pure: group many handshakes by address and by the exact chain served, and say what the
 * differences mean. The classic case: a name resolves to several load-balanced backends, one of which was
 * set up without its intermediate, so one request in N fails "at random".
 */
import type { Finding } from './report.ts';

/** One handshake's outcome, as the orchestration records it. */
export interface Handshake {
  /** The address dialled (`192.0.2.7`, `2001:db8::1`), or the proxy's `host:port` when tunnelling. */
  address: string;
  /** On success: the chain served, sha256 of each certificate, leaf first. */
  chain?: string[];
  /** On success: the issuer of the last certificate served (e.g. a proxy's CA: makes chains recognisable). */
  issuer?: string;
  /** On success: the verdict of the OS store for this chain and host. */
  verdict?: { ok: boolean; code: string; message: string };
  /** On failure: why the handshake did not complete. */
  error?: string;
}

export interface ChainGroup {
  sha256: string[];
  count: number;
  ok: boolean;
  code: string;
  message: string;
  issuer?: string;
}

interface Endpoint {
  address: string;
  handshakes: number;
  errors?: Array<{ message: string; count: number }>;
  chains: ChainGroup[];
}

export interface ProbeSummary {
  endpoints: Endpoint[];
  /** Every successful handshake, on every address, saw the same chain. */
  consistent: boolean;
  findings: Finding[];
}

const key = (chain: readonly string[]) => chain.join(',');

/** Group handshakes by address (first-seen order), then by chain (most frequent first). */
function groupHandshakes(handshakes: readonly Handshake[]): Endpoint[] {
  const byAddress = new Map<string, Endpoint>();
  for (const h of handshakes) {
    let ep = byAddress.get(h.address);
    if (!ep) {
      ep = { address: h.address, handshakes: 0, chains: [] };
      byAddress.set(h.address, ep);
    }
    ep.handshakes++;
    if (h.chain) {
      const k = key(h.chain);
      const group = ep.chains.find((c) => key(c.sha256) === k);
      if (group) group.count++;
      else {
        const v = h.verdict ?? { ok: false, code: 'UNKNOWN', message: 'not verified' };
        const g: ChainGroup = { sha256: h.chain, count: 1, ok: v.ok, code: v.code, message: v.message };
        if (h.issuer) g.issuer = h.issuer;
        ep.chains.push(g);
      }
    } else {
      const message = h.error ?? 'unknown failure';
      ep.errors ??= [];
      const e = ep.errors.find((x) => x.message === message);
      if (e) e.count++;
      else ep.errors.push({ message, count: 1 });
    }
  }
  for (const ep of byAddress.values()) {
    ep.chains.sort((a, b) => b.count - a.count);
    ep.errors?.sort((a, b) => b.count - a.count);
  }
  return [...byAddress.values()];
}

const describe = (c: ChainGroup) => (c.ok ? 'a valid chain' : `a chain that fails: ${c.message}`);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : word.endsWith('s') ? 'es' : 's'}`;

/** Summarise handshakes into endpoints, the consistency verdict and findings. `via`: the proxy, if any. */
export function summarizeProbe(handshakes: readonly Handshake[], via?: string): ProbeSummary {
  const endpoints = groupHandshakes(handshakes);
  const totals = new Map<string, ChainGroup>();
  for (const ep of endpoints)
    for (const c of ep.chains) {
      const t = totals.get(key(c.sha256));
      if (t) t.count += c.count;
      else totals.set(key(c.sha256), { ...c });
    }
  const consistent = totals.size <= 1;
  const findings: Finding[] = [];
  // The majority chain: most handshakes; a tie goes to a valid one (the odd one out is the broken one).
  const majority = [...totals.values()].sort((a, b) => b.count - a.count || Number(b.ok) - Number(a.ok))[0];
  if (majority && !consistent) findings.push(...differences(endpoints, majority, via));
  if (majority && consistent && !majority.ok) {
    findings.push({
      id: 'chain-fails',
      severity: 'error',
      message: `every handshake saw the same chain, and it fails: ${majority.message}. The failure is not intermittent.`,
      fix: 'run certifix diagnose on this URL to see why, and which clients are affected',
    });
  }
  const failed = endpoints.filter((e) => e.errors);
  if (failed.length) {
    const parts = failed.map((e) => {
      const n = (e.errors ?? []).reduce((s, x) => s + x.count, 0);
      return `${e.address}: ${n} of ${plural(e.handshakes, 'handshake')} failed (${e.errors?.[0]?.message})`;
    });
    findings.push({
      id: 'handshake-errors',
      severity: failed.length === endpoints.length && !majority ? 'error' : 'warning',
      message: parts.join('; '),
      fix: 'an address that refuses or resets connections is a backend that is down or overloaded: tell its owners',
    });
  }
  if (via) {
    findings.push({
      id: 'via-proxy',
      severity: 'info',
      message: `through the proxy ${via}, which chooses the server address itself: backends cannot be told apart`,
      fix: 'run certifix probe --no-proxy from a machine that reaches the server directly to test each address',
    });
  }
  return { endpoints, consistent, findings };
}

function differences(endpoints: Endpoint[], majority: ChainGroup, via?: string): Finding[] {
  const out: Finding[] = [];
  const majorityKey = key(majority.sha256);
  // Same address, different chains: something between us and that address decides per connection.
  for (const ep of endpoints.filter((e) => e.chains.length > 1)) {
    const parts = ep.chains.map(
      (c) => `${c.count}× ${describe(c)}${c.issuer ? ` (issued by ${c.issuer})` : ''}`,
    );
    out.push({
      id: 'inconsistent-address',
      severity: ep.chains.some((c) => !c.ok) ? 'error' : 'warning',
      message:
        `${ep.address} served ${ep.chains.length} different chains over ${plural(ep.handshakes, 'handshake')} ` +
        `(${parts.join(', ')}): ${via ? 'the proxy intercepts some connections and not others, or its nodes differ' : 'something in the path intercepts some connections and not others (a TLS-inspecting proxy or firewall), or several backends share this address'}`,
      fix: 'compare the issuers (certifix probe --json); if one is your company inspection CA, run certifix fix so every client trusts it',
      details: { address: ep.address, chains: ep.chains },
    });
  }
  // Addresses that always serve one chain. When some fail and some verify, name the failing ones; when all
  // fail or all verify (but differ), name those that differ from the majority.
  const steady = endpoints.filter((e) => e.chains.length === 1);
  const only = (e: Endpoint) => e.chains[0] as ChainGroup;
  const failing = steady.filter((e) => !only(e).ok);
  const mixed = failing.length > 0 && failing.length < steady.length;
  const named = mixed ? failing : steady.filter((e) => key(only(e).sha256) !== majorityKey);
  const others = steady.filter((e) => !named.includes(e));
  if (named.length) {
    const anyFails = failing.length > 0;
    const namedText = named.map((e) => `${e.address} serves ${describe(only(e))}`).join('; ');
    const othersChain = others[0] ? only(others[0]) : majority;
    const othersText = others.length
      ? `; ${others.length === 1 ? 'the other address serves' : `the other ${others.length} addresses serve`} ${describe(othersChain)}`
      : '';
    const why = mixed
      ? 'a bad backend behind the load balancer: requests fail only when they land there'
      : anyFails
        ? 'every backend fails, each with its own chain'
        : 'the backends serve different certificates (a renewal half rolled out); all verify today';
    out.push({
      id: 'inconsistent-endpoints',
      severity: anyFails ? 'error' : 'warning',
      message: `${namedText}${othersText}: ${why}`,
      fix: mixed
        ? `tell the service's owners that ${named.map((e) => e.address).join(', ')} must serve the same full chain as the others`
        : anyFails
          ? 'run certifix diagnose on this URL to see why the chains fail'
          : 'nothing breaks now; tell the owners so the backends converge before a certificate expires',
      details: { addresses: named.map((e) => e.address), majority: majority.sha256 },
    });
  }
  return out;
}
