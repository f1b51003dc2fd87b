/**
 * Differential test against the real oracle: every SERVER case of the x509-limbo corpus is verified by
 * `openssl verify` (both profiles) and by verifyChain; verdicts must agree on every case and error codes on
 * at least 95% of them. The figures go to node_modules/.cache/certifix-limbo/openssl.json for `npm run bench`.
 */

import { describe, expect, it } from 'vitest';
import { type Profile, verifyChain } from '../../../src/core/verify/index.ts';
import {
  againstOracle,
  caseInput,
  corpusSkipReason,
  epoch,
  type LimboCase,
  pct,
  writeAgreement,
} from './limbo.ts';
import { hasOpenssl, runOracle } from './oracle.ts';

const skipReason = corpusSkipReason() || (!hasOpenssl() ? 'openssl 3 not installed' : '');

function ours(c: LimboCase, profile: Profile): { ok: boolean; code: string; depth: number } {
  const input = caseInput(c);
  if (!input) return { ok: false, code: 'LOADERR', depth: 0 };
  const r = verifyChain({
    ...input,
    maxDepth: c.max_chain_depth ?? undefined,
    securityLevel: 0, // `openssl verify` sets no auth level
    profile,
  });
  return { ok: r.ok, code: r.code, depth: r.depth };
}

describe.skipIf(skipReason !== '')(
  `x509-limbo vs openssl verify${skipReason ? ` (${skipReason})` : ''}`,
  () => {
    it('agrees with OpenSSL on verdicts (all) and error codes (>= 95%)', async () => {
      const results = await againstOracle(['openssl', 'python313'] as const, (c, f, profile) =>
        runOracle({
          leaf: f.leaf,
          caFile: f.ca,
          untrusted: f.untrusted,
          attime: epoch(c),
          host: c.expected_peer_name?.kind === 'DNS' ? c.expected_peer_name.value : undefined,
          ip: c.expected_peer_name?.kind === 'IP' ? c.expected_peer_name.value : undefined,
          depth: c.max_chain_depth ?? undefined,
          python313: profile === 'python313',
        }),
      );
      const stats: Record<string, { cases: number; verdict: number; code: number; depth: number }> = {};
      const disagreements: Array<{ id: string; profile: string; openssl: string; certifix: string }> = [];
      for (const { c, run: profile, oracle: o } of results) {
        const m = ours(c, profile);
        stats[profile] ??= { cases: 0, verdict: 0, code: 0, depth: 0 };
        const s = stats[profile];
        s.cases++;
        if (o.ok === m.ok) s.verdict++;
        if (o.code === m.code) s.code++;
        if (o.code === m.code && o.depth === m.depth) s.depth++;
        if (o.code !== m.code || o.depth !== m.depth)
          disagreements.push({
            id: c.id,
            profile,
            openssl: `${o.code}@${o.depth}`,
            certifix: `${m.code}@${m.depth}`,
          });
      }
      const report = Object.fromEntries(
        Object.entries(stats).map(([p, s]) => [
          p,
          {
            ...s,
            verdictPct: pct(s.verdict, s.cases),
            codePct: pct(s.code, s.cases),
            depthPct: pct(s.depth, s.cases),
          },
        ]),
      );
      writeAgreement('openssl', {
        corpus: 'x509-limbo SERVER cases',
        oracle: 'openssl verify',
        report,
        disagreements,
      });
      console.log(JSON.stringify(report, null, 2));
      for (const d of disagreements)
        console.log(`${d.profile.padEnd(9)} ${d.id}: openssl ${d.openssl}, certifix ${d.certifix}`);
      for (const s of Object.values(stats)) {
        expect(s.verdict, 'verdict agreement').toBe(s.cases);
        expect(s.code / s.cases, 'error code agreement').toBeGreaterThanOrEqual(0.95);
      }
    }, 120_000);
  },
);
