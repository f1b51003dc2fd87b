/**
 * Differential test against the real oracle: every SERVER case of the x509-limbo corpus is verified by
 * `openssl verify` (both profiles) and by verifyChain; verdicts must agree on every case and error codes on
 * at least 95% of them. Agreement is written to bench/limbo-agreement.json.
 */

import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Cert, parseCerts } from '../../../src/core/cert.ts';
import { type Profile, verifyChain } from '../../../src/core/verify/index.ts';
import { hasOpenssl, type OracleResult, pool, runOracle } from './oracle.ts';

const CORPUS = '/work/shared/corpora/x509-limbo/limbo.json';

interface LimboCase {
  id: string;
  validation_kind: string;
  trusted_certs: string[];
  untrusted_intermediates: string[];
  peer_certificate: string;
  validation_time: string | null;
  expected_peer_name: { kind: string; value: string } | null;
  max_chain_depth: number | null;
}

const skipReason = !existsSync(CORPUS)
  ? `corpus missing: ${CORPUS}`
  : !hasOpenssl()
    ? 'openssl 3 not installed'
    : '';

/**
 * parseCerts skips certificates with an empty subject or issuer (Node's X509Certificate reports those as
 * undefined), yet OpenSSL loads them; build the Cert by hand for those so the verifier still sees them.
 */
function toCerts(pems: string[]): Cert[] | null {
  const out: Cert[] = [];
  for (const pem of pems) {
    const parsed = parseCerts(pem);
    if (parsed.certs[0]) {
      out.push(parsed.certs[0]);
      continue;
    }
    try {
      const x509 = new X509Certificate(pem);
      out.push({
        der: x509.raw,
        x509,
        sha256: createHash('sha256').update(x509.raw).digest('hex'),
        subject: x509.subject ?? '',
        issuer: x509.issuer ?? '',
        ca: x509.ca,
        selfSigned: false,
        notBefore: new Date(x509.validFrom),
        notAfter: new Date(x509.validTo),
      });
    } catch {
      return null;
    }
  }
  return out;
}

function ours(c: LimboCase, profile: Profile): { ok: boolean; code: string; depth: number } {
  const leaf = toCerts([c.peer_certificate]);
  const trusted = toCerts(c.trusted_certs);
  const untrusted = toCerts(c.untrusted_intermediates);
  if (!leaf?.[0] || !trusted || !untrusted) return { ok: false, code: 'LOADERR', depth: 0 };
  const r = verifyChain({
    leaf: leaf[0],
    trusted,
    untrusted,
    host: c.expected_peer_name?.value,
    at: c.validation_time ? new Date(c.validation_time) : undefined,
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
      const cases = (JSON.parse(readFileSync(CORPUS, 'utf8')) as { testcases: LimboCase[] }).testcases.filter(
        (c) => c.validation_kind === 'SERVER',
      );
      const dir = mkdtempSync(join(tmpdir(), 'certifix-limbo-'));
      const jobs = cases.flatMap((c, i) => {
        const base = join(dir, String(i));
        writeFileSync(`${base}.leaf.pem`, c.peer_certificate);
        writeFileSync(`${base}.ca.pem`, c.trusted_certs.join(''));
        if (c.untrusted_intermediates.length)
          writeFileSync(`${base}.int.pem`, c.untrusted_intermediates.join(''));
        return (['openssl', 'python313'] as const).map((profile) => ({ c, base, profile }));
      });
      const oracle = await pool(jobs, Math.max(4, cpus().length * 2), ({ c, base, profile }) =>
        runOracle({
          leaf: `${base}.leaf.pem`,
          caFile: `${base}.ca.pem`,
          untrusted: c.untrusted_intermediates.length ? `${base}.int.pem` : undefined,
          attime: c.validation_time ? Math.floor(new Date(c.validation_time).getTime() / 1000) : undefined,
          host: c.expected_peer_name?.kind === 'DNS' ? c.expected_peer_name.value : undefined,
          ip: c.expected_peer_name?.kind === 'IP' ? c.expected_peer_name.value : undefined,
          depth: c.max_chain_depth ?? undefined,
          python313: profile === 'python313',
        }),
      );
      const stats: Record<string, { cases: number; verdict: number; code: number; depth: number }> = {};
      const disagreements: Array<{ id: string; profile: string; openssl: string; certifix: string }> = [];
      jobs.forEach(({ c, profile }, i) => {
        const o = oracle[i] as OracleResult;
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
      });
      const pct = (n: number, d: number) => Math.round((1000 * n) / d) / 10;
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
      mkdirSync('bench', { recursive: true });
      writeFileSync(
        'bench/limbo-agreement.json',
        `${JSON.stringify({ corpus: 'x509-limbo SERVER cases', openssl: 'openssl verify', report, disagreements }, null, 2)}\n`,
      );
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
