/**
 * Differential test of the gnutls profile against the real `certtool --verify` (GnuTLS 3.7, Debian gnutls-bin)
 * on every SERVER case of the x509-limbo corpus, the way limbo.test.ts checks the openssl profile against
 * `openssl verify`: the peer's chain as a server sends it, the case's trust anchors, its host name and its
 * validation time (through libfaketime). Three runs: certtool's defaults (no purpose, no profile); the NORMAL
 * priority's profile LOW without a purpose (what git through libcurl-gnutls asks for); and the TLS server purpose
 * (`--verify-purpose`, what gnutls-cli asks for). Verdicts and the set of status
 * flags must agree on every case except the ones in KNOWN, each with the reason it differs.
 * The figures go to node_modules/.cache/certifix-limbo/gnutls.json for `npm run bench`.
 */
import { describe, expect, it } from 'vitest';
import { importError } from '../../../src/core/verify/gnutls-certs.ts';
import { type GnutlsProfile, verifyChain } from '../../../src/core/verify/index.ts';
import { type GnutlsOracleResult, hasCerttool, hasFaketime, runCerttool } from './gnutls-oracle.ts';
import {
  againstOracle,
  caseInput,
  corpusSkipReason,
  epoch,
  type LimboCase,
  pct,
  writeAgreement,
} from './limbo.ts';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const RUNS: Record<string, { purpose?: string; profile?: GnutlsProfile }> = {
  certtool: {},
  'git-profile-low': { profile: 'low' },
  'tls-server-purpose': { purpose: SERVER_AUTH },
};
type Run = keyof typeof RUNS;

/**
 * Cases where certifix's gnutls profile and certtool differ, with the reason. Keyed `<run>:<case id>` or
 * `*:<case id>` for both runs.
 */
const KNOWN: Record<string, string> = {
  // certtool, not GnuTLS: its per-certificate output callback (src/certtool.c `detailed_verification`) exits
  // on gnutls_x509_crt_get_issuer_dn() failing for an empty issuer name before the verdict is printed.
  '*:rfc5280::ee-empty-issuer':
    'certtool exits printing the empty issuer DN; GnuTLS itself finds no issuer (SIGNER_NOT_FOUND)',
  '*:rfc5280::ca-empty-subject':
    'certtool exits printing the empty issuer DN; GnuTLS itself accepts the chain (it does not require a CA subject)',
  // 4097 DNS constraints against 2048 dNSName SANs: GnuTLS reports SIGNER_CONSTRAINTS_FAILURE although
  // every name is permitted and none excluded; nc-dos-3 (same root, 2048 subject names, no SAN) passes.
  '*:pathological::nc-dos-1': 'GnuTLS gives up on 4097 constraints x 2048 SANs; not modelled',
  '*:pathological::nc-dos-2': 'GnuTLS gives up on 4097 constraints x 2048 SANs; not modelled',
};

const skipReason =
  corpusSkipReason() ||
  (!hasCerttool() && process.env.CI !== 'true' ? 'certtool (gnutls-bin) not installed' : '') ||
  (!hasFaketime() && process.env.CI !== 'true' ? 'faketime not installed' : '');

function ours(c: LimboCase, run: Run): GnutlsOracleResult {
  const input = caseInput(c);
  if (!input) return { ok: false, status: ['LOADERR'], output: '' };
  const { trusted } = input;
  const r = verifyChain({
    ...input,
    profile: 'gnutls',
    gnutls: { caller: 'certtool', ...RUNS[run] },
  });
  const unreadable = r.gnutls?.importError !== undefined || trusted.some((t) => importError(t) !== undefined);
  return {
    ok: r.ok,
    status: unreadable ? ['LOADERR'] : [...(r.gnutls?.status ?? [])].sort(),
    output: r.message,
  };
}

describe.skipIf(skipReason !== '')(
  `x509-limbo vs certtool --verify${skipReason ? ` (${skipReason})` : ''}`,
  () => {
    it('agrees with GnuTLS on verdicts and status flags, except the explained cases', async () => {
      const results = await againstOracle(Object.keys(RUNS) as Run[], (c, f, run) =>
        runCerttool({
          chain: f.chain,
          caFile: f.ca,
          attime: epoch(c),
          hostname: c.expected_peer_name?.value,
          ...RUNS[run],
        }),
      );
      const stats: Record<string, { cases: number; verdict: number; status: number; explained: number }> = {};
      const unexplained: string[] = [];
      const disagreements: Array<{
        id: string;
        run: string;
        certtool: string;
        certifix: string;
        why?: string;
      }> = [];
      for (const { c, run, oracle: o } of results) {
        const m = ours(c, run);
        stats[run] ??= { cases: 0, verdict: 0, status: 0, explained: 0 };
        const s = stats[run];
        s.cases++;
        if (o.ok === m.ok) s.verdict++;
        const same = o.status.join() === m.status.join();
        if (same) s.status++;
        if (o.ok === m.ok && same) continue;
        const why = KNOWN[`${run}:${c.id}`] ?? KNOWN[`*:${c.id}`];
        if (why) s.explained++;
        const d = {
          id: c.id,
          run,
          certtool: o.status.join(' ') || 'OK',
          certifix: m.status.join(' ') || 'OK',
        };
        disagreements.push(why ? { ...d, why } : d);
        if (!why) unexplained.push(`${run} ${c.id}: certtool ${d.certtool}, certifix ${d.certifix}`);
      }
      const report = Object.fromEntries(
        Object.entries(stats).map(([r, s]) => [
          r,
          { ...s, verdictPct: pct(s.verdict, s.cases), statusPct: pct(s.status, s.cases) },
        ]),
      );
      writeAgreement('gnutls', {
        corpus: 'x509-limbo SERVER cases',
        oracle: 'certtool --verify',
        report,
        disagreements,
      });
      console.log(JSON.stringify(report, null, 2));
      for (const d of disagreements)
        console.log(
          `${d.run.padEnd(18)} ${d.id}: certtool ${d.certtool}, certifix ${d.certifix}${d.why ? ` (${d.why})` : ''}`,
        );
      expect(unexplained).toEqual([]);
      for (const r of Object.keys(KNOWN)) {
        const run = r.slice(0, r.indexOf(':'));
        const id = r.slice(r.indexOf(':') + 1);
        expect(
          disagreements.some((d) => d.id === id && (run === '*' || d.run === run)),
          `${r} is listed in KNOWN but agrees now: remove it`,
        ).toBe(true);
      }
    }, 300_000);
  },
);
