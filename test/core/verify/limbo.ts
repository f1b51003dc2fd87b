/**
 * The x509-limbo corpus (https://github.com/C2SP/x509-limbo) for the differential tests: read relative to the
 * repository (`../shared/corpora/x509-limbo/limbo.json` beside the repo root), its SERVER cases as Certs and as
 * files an oracle CLI can read, and the agreement figures written where `npm run bench` finds them (never
 * into a tracked file).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Cert, parseCerts } from '../../../src/core/cert.ts';
import { pool } from '../../../src/core/pool.ts';
import { REPO } from '../../helpers/paths.ts';

export const CORPUS = resolve(REPO, '../shared/corpora/x509-limbo/limbo.json');
/** Where the tests leave their figures for `npm run bench` (bench/run.ts reads every *.json here). */
export const AGREEMENT_DIR = join(REPO, 'node_modules', '.cache', 'certifix-limbo');

export interface LimboCase {
  id: string;
  validation_kind: string;
  expected_result: string;
  trusted_certs: string[];
  untrusted_intermediates: string[];
  peer_certificate: string;
  validation_time: string | null;
  expected_peer_name: { kind: string; value: string } | null;
  max_chain_depth: number | null;
}

/**
 * Why the corpus cannot be used, or ''. Under CI=true a missing corpus is not a reason to skip: the caller
 * runs the test and it fails (see `loadServerCases`).
 */
export function corpusSkipReason(): string {
  if (existsSync(CORPUS) || process.env.CI === 'true') return '';
  return `corpus missing: ${CORPUS}`;
}

export function loadServerCases(): LimboCase[] {
  if (!existsSync(CORPUS)) throw new Error(`x509-limbo corpus missing: ${CORPUS}`);
  return (JSON.parse(readFileSync(CORPUS, 'utf8')) as { testcases: LimboCase[] }).testcases.filter(
    (c) => c.validation_kind === 'SERVER',
  );
}

/**
 * parseCerts skips certificates with an empty subject or issuer (Node's X509Certificate reports those as
 * undefined), yet OpenSSL and GnuTLS load them; build the Cert by hand for those so the verifier still sees them.
 */
export function toCerts(pems: string[]): Cert[] | null {
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

export interface CaseFiles {
  /** the peer certificate alone */
  leaf: string;
  /** the peer certificate followed by the untrusted intermediates, as a server sends them */
  chain: string;
  ca: string;
  /** the untrusted intermediates, or undefined when there are none */
  untrusted: string | undefined;
}

/** Write each case's PEM files into a fresh temporary directory. */
export function writeCaseFiles(cases: readonly LimboCase[]): CaseFiles[] {
  const dir = mkdtempSync(join(tmpdir(), 'certifix-limbo-'));
  return cases.map((c, i) => {
    const base = join(dir, String(i));
    const f: CaseFiles = {
      leaf: `${base}.leaf.pem`,
      chain: `${base}.chain.pem`,
      ca: `${base}.ca.pem`,
      untrusted: c.untrusted_intermediates.length ? `${base}.int.pem` : undefined,
    };
    writeFileSync(f.leaf, c.peer_certificate);
    writeFileSync(f.chain, [c.peer_certificate, ...c.untrusted_intermediates].join(''));
    writeFileSync(f.ca, c.trusted_certs.join(''));
    if (f.untrusted) writeFileSync(f.untrusted, c.untrusted_intermediates.join(''));
    return f;
  });
}

export const pct = (n: number, d: number): number => Math.round((1000 * n) / d) / 10;

/** Leave a test's figures for `npm run bench`. */
export function writeAgreement(name: string, doc: unknown): void {
  mkdirSync(AGREEMENT_DIR, { recursive: true });
  writeFileSync(join(AGREEMENT_DIR, `${name}.json`), `${JSON.stringify(doc, null, 2)}\n`);
}

/** The case as `verifyChain` takes it: the peer certificate, its anchors and intermediates, the name, the time. */
export interface CaseInput {
  leaf: Cert;
  trusted: Cert[];
  untrusted: Cert[];
  host: string | undefined;
  at: Date | undefined;
}

/** The case's certificates parsed, or null when one does not load (the oracles then fail to load it too). */
export function caseInput(c: LimboCase): CaseInput | null {
  const leaf = toCerts([c.peer_certificate]);
  const trusted = toCerts(c.trusted_certs);
  const untrusted = toCerts(c.untrusted_intermediates);
  if (!leaf?.[0] || !trusted || !untrusted) return null;
  const at = c.validation_time ? new Date(c.validation_time) : undefined;
  return { leaf: leaf[0], trusted, untrusted, host: c.expected_peer_name?.value, at };
}

/** The validation time as the oracles' `-attime` / faketime take it (seconds), when the case sets one. */
export const epoch = (c: LimboCase): number | undefined =>
  c.validation_time ? Math.floor(new Date(c.validation_time).getTime() / 1000) : undefined;

/**
 * Every SERVER case crossed with each run, its files written once, and the oracle's answer for each job
 * (run in parallel: the oracles are processes).
 */
export async function againstOracle<R, O>(
  runs: readonly R[],
  oracle: (c: LimboCase, f: CaseFiles, run: R) => Promise<O>,
): Promise<Array<{ c: LimboCase; run: R; oracle: O }>> {
  const cases = loadServerCases();
  const files = writeCaseFiles(cases);
  const jobs = cases.flatMap((c, i) => runs.map((run) => ({ c, f: files[i] as CaseFiles, run })));
  const answers = await pool(jobs, Math.max(4, cpus().length * 2), ({ c, f, run }) => oracle(c, f, run));
  return jobs.map(({ c, run }, i) => ({ c, run, oracle: answers[i] as O }));
}
