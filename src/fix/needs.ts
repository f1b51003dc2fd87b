/**
 * Which clients `fix` configures. Pointing a client at the bundle is a change to every program that reads the
 * same setting (SSL_CERT_FILE redirects every OpenSSL program in the session), so a client is configured only
 * when it needs it:
 *  - its trust source lacks a root the OS trusts locally, or a root chosen now (no URL: that is all);
 *  - given a URL, also when its predicted verdict against that URL fails;
 *  - and a client an earlier `fix` pointed at the bundle stays pointed at it (re-running never narrows).
 * A client whose trust source already is the OS store (on Debian: curl, git, Python's ssl with the system
 * OpenSSL, pip >= 24.2 via truststore) is left alone. A client that needs the roots but that no per-user
 * setting reaches (Debian's urllib3: only the OS store) is not configured either, and says what would do it
 * (`blocked`); so is one whose plan changes nothing (plan.ts: the Docker daemon without --registry).
 */
import type { Journal } from '../apply/index.ts';
import type { Client } from '../clients/types.ts';
import type { Cert } from '../core/cert.ts';
import type { Plan } from '../core/plan.ts';
import { trustIndex } from '../stores/load.ts';
import type { ClientId, Context, Installation, TrustSource, Verdict } from '../types.ts';

export interface ClientChoice {
  id: ClientId;
  configure: boolean;
  /** "configured because …" or "left alone: …", in the user's words. */
  reason: string;
  /** The installations of this client (all of them get the plan; the proof runs each). */
  installs: Installation[];
  client: Client;
  /** Needs the roots, but no change `fix` makes reaches it: `reason` says what would. */
  blocked?: boolean;
  /** Given a URL: the predicted verdict, when it fails. */
  fails?: Verdict;
  /**
   * Configured, but beside an installation no change reaches (Debian's urllib3 next to a venv's) that is
   * predicted to fail the URL: it still fails after the fix.
   */
  blockedFails?: Verdict;
}

interface NeedsInput {
  installs: ReadonlyArray<{ client: Client; inst: Installation }>;
  /** Roots the OS trusts locally (a client on the OS store has them). */
  local: readonly Cert[];
  /** Roots chosen in this run or earlier ones (`fix URL`, `--ca`, confirmed fingerprints). */
  chosen: readonly Cert[];
  bundlePath: string;
  /** The predicted verdict per client for the URL being fixed, when there is one. */
  verdicts?: ReadonlyMap<string, Verdict> | undefined;
  host?: string | undefined;
  journal: Journal | null;
}

/**
 * The predicted verdict per client id, from diagnose's rows. A client has one row per environment where they
 * differ (the pyenv Python's certifi, Debian's patched one reading the OS bundle): a failing row is the one
 * that counts, since configuring the client is what makes that environment verify.
 */
export function verdictsById(rows: ReadonlyArray<Verdict & { id: string }>): Map<string, Verdict> {
  const out = new Map<string, Verdict>();
  for (const r of rows) {
    const seen = out.get(r.id);
    if (!seen || (seen.ok && !r.ok)) out.set(r.id, r);
  }
  return out;
}

const names = (certs: readonly Cert[]) =>
  certs
    .slice(0, 3)
    .map((c) => `"${c.subject}"`)
    .join(', ') + (certs.length > 3 ? `, and ${certs.length - 3} more` : '');

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** Configured by an earlier run: its env variable holds the bundle, or a file of its plan carries our edit. */
function configuredBefore(plan: Plan, journal: Journal | null): boolean {
  if (!journal) return false;
  return plan.changes.some((c) =>
    c.kind === 'env'
      ? journal.env[c.name] === c.value
      : journal.entries.some(
          (e) => e.owners.includes(plan.owner) && (e.path === c.path || e.link === c.path),
        ),
  );
}

function storeName(s: TrustSource): string {
  return s.path ? `${s.path}${s.via ? ` via ${s.via}` : ''}` : s.source;
}

type Decision = Pick<ClientChoice, 'configure' | 'reason' | 'blocked' | 'fails'>;

/** The decision's own fields, without the undefined ones (a choice prints as it did before them). */
const decision = (d: Decision): Decision => ({
  configure: d.configure,
  reason: d.reason,
  ...(d.blocked ? { blocked: true } : {}),
  ...(d.fails ? { fails: d.fails } : {}),
});

/** Whether one installation needs the bundle, and why (in the words the plan prints). */
function decide(
  client: Client,
  inst: Installation,
  source: TrustSource,
  input: NeedsInput,
  ctx: Context,
): Decision {
  const verdict = input.verdicts?.get(client.id);
  const fails = verdict && !verdict.ok ? verdict : undefined;
  if (source.onlyOsStore) {
    const index = trustIndex(source);
    if (fails || [...input.local, ...input.chosen].some((c) => !index.has(c)))
      return {
        configure: false,
        blocked: true,
        fails,
        reason: `cannot be configured per user: ${source.onlyOsStore}`,
      };
    return {
      configure: false,
      reason: `left alone: already trusts the OS store (${source.why.replace(/\.$/, '')})`,
    };
  }
  const usesBundle = source.path === input.bundlePath || source.files.includes(input.bundlePath);
  if (usesBundle || configuredBefore(client.plan(inst, input.bundlePath, ctx), input.journal))
    return {
      configure: true,
      reason: 'configured because an earlier `certifix fix` pointed it at the bundle',
      fails,
    };
  if (verdict && !verdict.ok)
    return {
      configure: true,
      fails,
      reason: `configured because it fails to verify ${input.host ?? 'the URL'}: ${verdict.message}`,
    };
  const index = trustIndex(source);
  const lacksLocal = input.local.filter((c) => !index.has(c));
  const lacksChosen = input.chosen.filter((c) => !index.has(c) && !lacksLocal.includes(c));
  if (lacksLocal.length > 0)
    return {
      configure: true,
      reason: `configured because its CA store (${storeName(source)}) lacks ${count(lacksLocal.length, 'root')} your OS trusts locally: ${names(lacksLocal)}`,
    };
  if (lacksChosen.length > 0)
    return {
      configure: true,
      reason: `configured because its CA store (${storeName(source)}) lacks the chosen ${lacksChosen.length === 1 ? 'root' : 'roots'} ${names(lacksChosen)}`,
    };
  const onOs = /(^|\+)system(\+|$)/.test(source.source);
  return {
    configure: false,
    reason: onOs
      ? `left alone: already trusts the OS store (${source.why.replace(/\.$/, '')})`
      : `left alone: its CA store (${storeName(source)}) already holds every root your OS trusts locally`,
  };
}

/**
 * The decision per client (every installation looked at; one that needs it configures the client). An
 * installation no setting reaches is not part of a configured client (the proof would run it in vain): its
 * reason is added to the client's.
 */
export async function chooseClients(input: NeedsInput, ctx: Context): Promise<ClientChoice[]> {
  const decided = await Promise.all(
    input.installs.map(async ({ client, inst }) => {
      let source: TrustSource;
      try {
        source = await client.trust(inst, ctx);
      } catch (e) {
        return {
          client,
          inst,
          configure: true,
          reason: `configured because its CA store could not be read (${(e as Error).message})`,
        };
      }
      return { client, inst, ...decide(client, inst, source, input, ctx) };
    }),
  );
  const byClient = new Map<ClientId, typeof decided>();
  for (const d of decided) byClient.set(d.client.id, [...(byClient.get(d.client.id) ?? []), d]);
  return [...byClient].map(([id, ds]) => {
    const first = ds[0] as (typeof ds)[number];
    const configured = ds.find((d) => d.configure);
    const blocked = ds.filter((d) => 'blocked' in d && d.blocked);
    if (!configured) {
      const d = blocked[0] ?? first;
      return { id, client: first.client, installs: ds.map((x) => x.inst), ...decision(d) };
    }
    const also = blocked.map((d) => `; ${d.inst.path}: ${d.reason}`).join('');
    const blockedFails = blocked.find((d) => d.fails)?.fails;
    return {
      id,
      client: first.client,
      installs: ds.filter((d) => !blocked.includes(d)).map((d) => d.inst),
      ...decision(configured),
      reason: `${configured.reason}${also}`,
      ...(blockedFails ? { blockedFails } : {}),
    };
  });
}

/** The plan line that says why SSL_CERT_FILE is set, when a configured client's plan sets it. */
export function sslCertFileNote(plans: readonly Plan[], choices: readonly ClientChoice[]): string | null {
  const setter = plans.find((p) => p.changes.some((c) => c.kind === 'env' && c.name === 'SSL_CERT_FILE'));
  if (!setter) return null;
  const why = choices.find((c) => c.id === setter.owner)?.reason ?? '';
  return `SSL_CERT_FILE redirects every OpenSSL program in new shells to the bundle (which keeps all the roots they trusted); set for ${setter.owner}, ${why}.`;
}
