/**
 * `fix` as a library call: choose the roots to trust (fix/select.ts, screened by core/screen.ts), ask the
 * caller the questions a terminal asks (which network-only roots to trust, whether to go ahead), plan the
 * bundle and each client's settings (fix/plan.ts), apply the plans (apply/), then prove the result by running
 * each configured client against the URL (prove.ts). Returns the document `certifix fix --json` prints.
 */
import { type ApplyResult, applyPlans, type FileChange } from '../apply/index.ts';
import { validRegistry } from '../clients/docker-certs-d.ts';
import { processContext } from '../context.ts';
import type { BundleCounts } from '../core/bundle.ts';
import { normalizeFingerprint } from '../core/cert.ts';
import { CertifixError } from '../core/errors.ts';
import type { Change } from '../core/plan.ts';
import type { Origin, Screened } from '../core/screen.ts';
import { type ChosenRoot, envAfter, type FixPlan, planFix, selectRoots } from '../fix/index.ts';
import type { ClientChoice } from '../fix/needs.ts';
import type { ClientId, Context } from '../types.ts';
import { type NotProved, notProvable, type Proof, proofEnv, prove } from './prove.ts';

/** A decision `fix` needs from the user before it changes anything. */
export type FixQuestion =
  /** A root seen only on the network (its fingerprint not confirmed): trust it? */
  | { kind: 'trust-network-root'; root: Screened }
  /**
   * The last question: trust these roots and make these changes? `refused` are the roots left out; `plan` and
   * `preview` (a dry run of it: each file, the lines it gains or loses, a JDK keystore's imports) are exactly
   * what a yes applies. Not asked when the preview changes nothing.
   */
  | {
      kind: 'proceed';
      roots: readonly Screened[];
      refused: readonly Screened[];
      plan: FixPlan;
      preview: ApplyResult;
    };

/** What `fix` has done so far, for a caller that shows progress (the CLI prints each step as it comes). */
export type FixStep =
  /** The roots chosen and screened, before any question. */
  | { kind: 'roots'; candidates: readonly Screened[]; notes?: readonly string[] | undefined }
  /** The plan and what applying it changed (or would change, in a dry run), before the proof. */
  | { kind: 'applied'; plan: FixPlan; result: ApplyResult };

export interface FixOptions {
  /** Trust the root that anchors this URL's chain, and prove the fix against it afterwards. */
  url?: string | undefined;
  /** Trust the certificates in these files (PEM, DER or a bundle). */
  ca?: readonly string[] | undefined;
  /** Only consider these clients (default: every installed one). */
  clients?: readonly ClientId[] | undefined;
  /** Private container registries (`host[:port]`, as in image names) whose Docker certs.d gets the roots. */
  registries?: readonly string[] | undefined;
  /** sha256 fingerprints (colons optional) confirming roots seen only on the network. */
  trustFingerprints?: readonly string[] | undefined;
  /** Trust a certificate that is not a CA (almost always the wrong fix). */
  allowNonCa?: boolean | undefined;
  /** Java: import the roots into the JDK's own cacerts (java-cacerts.ts) instead of a truststore of certifix's. */
  javaCacerts?: boolean | undefined;
  /** Plan only: change nothing, ask nothing. */
  dryRun?: boolean | undefined;
  /** Explicit proxy URL; `null` forces a direct connection; undefined = from the environment. */
  proxy?: string | null | undefined;
  timeoutMs?: number | undefined;
  /**
   * Asked before anything changes (see FixQuestion). Without it, fix goes ahead as `certifix fix --yes`
   * does: network-only roots stay refused unless their fingerprints are in `trustFingerprints`. Answering
   * no to 'proceed' throws CANCELLED and changes nothing.
   */
  confirm?: ((question: FixQuestion) => Promise<boolean>) | undefined;
  /** Told each step as it is done. */
  onStep?: ((step: FixStep) => void) | undefined;
}

/**
 * A client fix could not configure (or one of its installations), predicted to fail the URL, that can be
 * run (not the Docker daemon).
 */
const stillFails = (c: ClientChoice): boolean =>
  !c.client.unobservable && ((!!c.blocked && !!c.fails) || !!c.blockedFails);

/** A change as the document shows it: without the file content (the bundle is thousands of lines). */
type ChangeSummary = Change extends infer C ? (C extends Change ? Omit<C, 'content'> : never) : never;

/** `certifix fix --json`. */
export interface FixReport {
  dryRun: boolean;
  /** The roots trusted (or that would be). */
  roots: Array<{ subject: string; sha256: string; origin: Origin; notAfter: string; warnings: string[] }>;
  /** The roots certifix refused to trust, and why. */
  refused: Array<{ subject: string; sha256: string; reason: string | undefined }>;
  /** Why there was nothing to trust (when no root was found at all). */
  nothingToDo?: string;
  /** The merged bundle; null when nothing was planned (nothing to trust, or every root refused). */
  bundle: { path: string; roots: number; counts: BundleCounts } | null;
  /**
   * Every client looked at: configured or left alone, and why. `blocked`: it needs the roots, but no change
   * fix makes reaches it (Debian's urllib3 reads only the OS store; the Docker daemon without --registry), and
   * the reason says what would.
   */
  clients: Array<{ id: ClientId; configured: boolean; blocked: boolean; reason: string }>;
  plans: Array<{ owner: string; summary: string; changes: ChangeSummary[]; notes: string[] | undefined }>;
  changed: FileChange[];
  unchanged: ApplyResult['unchanged'];
  warnings: string[];
  /** Each configured client run against the URL after the fix; null without a URL or in a dry run. */
  proof: Proof[] | null;
  /** Configured clients the proof cannot run for a real result (the Docker daemon), and why; empty without a proof. */
  notProved: NotProved[];
  /** The clients left alone (not run by the proof); empty without a proof. */
  untouched: ClientId[];
  /**
   * Blocked clients predicted to fail the URL, or configured ones with such an installation beside (Debian's
   * urllib3 next to a venv's), the Docker daemon's prediction aside (nothing here can run it): they still
   * fail after the fix, so a fix that is not a dry run exits 1. Empty without a URL.
   */
  stillFailing: ClientId[];
}

function fingerprints(values: readonly string[] = []): Set<string> {
  return new Set(
    values.map((f) => {
      const n = normalizeFingerprint(f);
      if (!n)
        throw new CertifixError(
          'USAGE',
          `--trust-fingerprint ${f} is not a sha256 fingerprint (64 hex digits)`,
        );
      return n;
    }),
  );
}

/** The context with the registries named for Docker's certs.d, each checked: it becomes a directory name. */
function withRegistries(ctx: Context, registries: readonly string[] | undefined): Context {
  if (!registries?.length) return ctx;
  const bad = registries.filter((r) => !validRegistry(r));
  if (bad.length > 0)
    throw new CertifixError('USAGE', `--registry ${bad[0]} is not a registry host[:port]`, {
      hint: 'as in the image name: registry.corp.example:5000',
    });
  return { ...ctx, registries: [...(ctx.registries ?? []), ...registries] };
}

/** A change as the report shows it: without a file's content or a truststore's password. */
function withoutContent(c: Change): ChangeSummary {
  const {
    content: _content,
    password: _password,
    ...rest
  } = c as Change & { content?: string; password?: string };
  return rest as ChangeSummary;
}

const rootSummary = (r: Screened): FixReport['roots'][number] => ({
  subject: r.cert.subject,
  sha256: r.cert.sha256,
  origin: r.origin,
  notAfter: r.cert.notAfter.toISOString(),
  warnings: r.warnings,
});

const refusedSummary = (r: Screened): FixReport['refused'][number] => ({
  subject: r.cert.subject,
  sha256: r.cert.sha256,
  reason: r.refusal,
});

/** The document when nothing was planned: nothing to trust, or every root refused. */
function nothingPlanned(
  dryRun: boolean,
  refused: readonly Screened[],
  nothingToDo: string | undefined,
): FixReport {
  return {
    dryRun,
    roots: [],
    refused: refused.map(refusedSummary),
    ...(nothingToDo && refused.length === 0 ? { nothingToDo } : {}),
    bundle: null,
    clients: [],
    plans: [],
    changed: [],
    unchanged: [],
    warnings: [],
    proof: null,
    notProved: [],
    untouched: [],
    stillFailing: [],
  };
}

/** Network-only roots the caller confirmed after seeing their fingerprints. */
async function confirmRefused(refused: readonly Screened[], opts: FixOptions): Promise<Screened[]> {
  const confirmed: Screened[] = [];
  for (const r of refused) {
    // Only the network rule can be lifted by a question; a non-CA needs allowNonCa first. A root whose
    // fingerprint differs from the one the user gave is not asked about: they already said what they expect.
    if (r.origin !== 'network' || !(r.cert.ca || opts.allowNonCa) || r.fingerprintMismatch || !opts.confirm)
      continue;
    if (await opts.confirm({ kind: 'trust-network-root', root: r }))
      confirmed.push({ ...r, refusal: undefined });
  }
  return confirmed;
}

/** `certifix fix --json` as a library call. `ctx` defaults to this process. */
export async function fix(opts: FixOptions = {}, ctx: Context = processContext()): Promise<FixReport> {
  const confirmed = fingerprints(opts.trustFingerprints);
  ctx = withRegistries(ctx, opts.registries);
  if (opts.javaCacerts) ctx = { ...ctx, javaCacerts: true };
  const dryRun = opts.dryRun === true;
  const selection = await selectRoots(
    {
      url: opts.url,
      caFiles: opts.ca,
      proxy: opts.proxy,
      timeoutMs: opts.timeoutMs,
      allowNonCa: opts.allowNonCa,
      confirmed,
    },
    ctx,
  );
  opts.onStep?.({ kind: 'roots', candidates: selection.candidates, notes: selection.notes });
  let accepted = selection.candidates.filter((r) => !r.refusal);
  const refused = selection.candidates.filter((r) => r.refusal);
  if (refused.length > 0 && !dryRun) accepted = [...accepted, ...(await confirmRefused(refused, opts))];
  const stillRefused = refused.filter((r) => !accepted.some((a) => a.cert.sha256 === r.cert.sha256));
  if (accepted.length === 0) return nothingPlanned(dryRun, stillRefused, selection.nothingToDo);
  const roots: ChosenRoot[] = accepted.map((r) => ({ cert: r.cert, origin: r.origin }));
  const plan = await planFix(roots, { clients: opts.clients, diagnosis: selection.diagnosis }, ctx);
  const nothingToConfigure = plan.installs.length === 0;
  const apply = async (dry: boolean): Promise<ApplyResult> =>
    nothingToConfigure
      ? { dryRun: dry, changed: [], unchanged: [], warnings: [], journal: '' }
      : applyPlans(plan.plans, ctx, { dryRun: dry });
  if (!dryRun && opts.confirm) {
    // The question shows what a yes does, file by file: the plan's own dry run.
    const preview = await apply(true);
    const q = { kind: 'proceed', roots: accepted, refused: stillRefused, plan, preview } as const;
    if ((preview.changed.length > 0 || preview.registry?.length) && !(await opts.confirm(q)))
      throw new CertifixError('CANCELLED', 'nothing changed.');
  }
  const result = await apply(dryRun);
  opts.onStep?.({ kind: 'applied', plan, result });
  let proof: Proof[] | null = null;
  if (opts.url && !dryRun && !nothingToConfigure) {
    const env = proofEnv(envAfter(plan.plans, ctx.env), opts.proxy);
    proof = await prove(plan.installs, opts.url, { ...ctx, env });
  }
  return {
    dryRun,
    roots: accepted.map(rootSummary),
    refused: stillRefused.map(refusedSummary),
    bundle: { path: plan.bundlePath, roots: plan.roots.length, counts: plan.contents.counts },
    clients: plan.choices.map((c) => ({
      id: c.id,
      configured: c.configure,
      blocked: !!c.blocked,
      reason: c.reason,
    })),
    plans: plan.plans.map((p) => ({
      owner: p.owner,
      summary: p.summary,
      changes: p.changes.map(withoutContent),
      notes: p.notes,
    })),
    changed: result.changed,
    unchanged: result.unchanged,
    warnings: result.warnings,
    proof,
    notProved: proof ? notProvable(plan.installs) : [],
    untouched: proof ? plan.choices.filter((c) => !c.configure && !stillFails(c)).map((c) => c.id) : [],
    stillFailing: opts.url ? plan.choices.filter(stillFails).map((c) => c.id) : [],
  };
}
