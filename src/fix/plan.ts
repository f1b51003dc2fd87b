/**
 * Step 2 of `fix`: the plans. One merged bundle at a stable path (contents.ts: Mozilla + chosen + OS store +
 * CA variables' roots), the chosen roots remembered next to it (so `refresh` can rebuild and `status` can
 * compare), and the plan of each client that needs the bundle (needs.ts) pointing it there.
 */
import { dirname, join } from 'node:path';
import { certifixPaths, readJournal, readOwnFile } from '../apply/index.ts';
import { registry } from '../clients/registry.ts';
import type { Client } from '../clients/types.ts';
import type { Diagnosis } from '../commands/diagnose.ts';
import { bundleCounts, renderBundle } from '../core/bundle.ts';
import { type Cert, parseCerts, toPem } from '../core/cert.ts';
import type { Plan } from '../core/plan.ts';
import type { Origin } from '../core/screen.ts';
import { isMozillaRoot } from '../stores/index.ts';
import type { ClientId, Context, Installation } from '../types.ts';
import { type BundleContents, bundleContents, clientCaFiles, describeCounts, GROUPS } from './contents.ts';
import { type ClientChoice, chooseClients, sslCertFileNote, verdictsById } from './needs.ts';

export interface ChosenRoot {
  cert: Cert;
  origin: Origin;
  /** Kept from a CA variable's file (`REQUESTS_CA_BUNDLE=/path`) rather than chosen. */
  from?: string | undefined;
}

export interface FixPlan {
  bundlePath: string;
  rootsPath: string;
  /** The roots remembered in roots.pem (chosen now or earlier, and kept from CA variables' files). */
  roots: ChosenRoot[];
  /** What the bundle holds, by source: "146 Mozilla roots + 1 chosen + 3 from the OS store". */
  contents: BundleContents;
  plans: Plan[];
  /** Every client looked at: configured (and why) or left alone (and why). */
  choices: ClientChoice[];
  /** The installations of the configured clients: what the proof runs. */
  installs: Array<{ client: Client; inst: Installation }>;
}

export function rootsPath(ctx: Pick<Context, 'env' | 'home' | 'platform'>): string {
  return join(certifixPaths(ctx).dir, 'roots.pem');
}

/** The chosen roots are a few PEM blocks; the Mozilla list whole is ~220 KB. */
const MAX_ROOTS_BYTES = 4 * 1024 * 1024;

const ORIGIN_RE = /^# origin: (os-store|file|network)$/;
const FROM_RE = /^# kept from: (.+)$/;

/** The roots chosen by earlier runs, with their origin (comment lines written by `renderRoots`). */
export async function readChosenRoots(
  ctx: Pick<Context, 'env' | 'home' | 'platform'>,
): Promise<ChosenRoot[]> {
  // Our own file under HOME: bounded, and never read through a symlink (fix then refuses to write it).
  let text: string;
  try {
    text = String((await readOwnFile(rootsPath(ctx), MAX_ROOTS_BYTES)) ?? '');
  } catch {
    return [];
  }
  const out: ChosenRoot[] = [];
  for (const block of text.split(/\n(?=# origin: )/)) {
    const lines = block.split('\n');
    const origin = lines.find((l) => ORIGIN_RE.test(l))?.match(ORIGIN_RE)?.[1] as Origin | undefined;
    const from = lines.find((l) => FROM_RE.test(l))?.match(FROM_RE)?.[1];
    for (const cert of parseCerts(block).certs) out.push({ cert, origin: origin ?? 'file', from });
  }
  return out;
}

export function renderRoots(roots: readonly ChosenRoot[]): string {
  const head =
    '# Roots chosen with `certifix fix` (and kept from CA variables); the bundle adds them to the Mozilla and OS-store roots. Managed by certifix.\n';
  return (
    head +
    roots
      .map(
        (r) =>
          `# origin: ${r.origin}\n${r.from ? `# kept from: ${r.from.replace(/\n/g, ' ')}\n` : ''}# ${r.cert.subject}\n${toPem(r.cert)}`,
      )
      .join('')
  );
}

interface PlanFixOptions {
  clients?: readonly ClientId[] | undefined;
  keepPrevious?: boolean;
  /** The diagnosis of the URL being fixed: a client whose predicted verdict fails is configured. */
  diagnosis?: Diagnosis | undefined;
}

const unique = <T extends { cert: Cert }>(list: readonly T[]): T[] => {
  const seen = new Set<string>();
  return list.filter((r) => !seen.has(r.cert.sha256) && seen.add(r.cert.sha256));
};

export async function planFix(
  chosen: readonly ChosenRoot[],
  opts: PlanFixOptions,
  ctx: Context,
): Promise<FixPlan> {
  const paths = certifixPaths(ctx);
  const previous = opts.keepPrevious === false ? [] : await readChosenRoots(ctx);
  const picked = unique([...previous, ...chosen]);
  const own = picked.filter((r) => !r.from);
  const clients = registry.list().filter((c) => !opts.clients || opts.clients.includes(c.id));
  const installs = (
    await Promise.all(
      clients.map(async (client) => (await client.detect(ctx)).map((inst) => ({ client, inst }))),
    )
  ).flat();
  // A configured client's own CA file is replaced by the bundle: the bundle keeps what that file holds.
  const contents = await bundleContents(
    own.map((r) => r.cert),
    paths.bundle,
    ctx,
    await clientCaFiles(installs, paths.bundle, ctx),
  );
  // Roots kept from a variable's file are remembered too: in new shells the variable names the bundle, and a
  // later `refresh` must still find them. Mozilla's and the OS store's are re-read every time instead: a
  // certificate the OS store holds, and a re-issue of a Mozilla root (same name and key: the same anchor when
  // a chain is built), are neither remembered nor counted as outside the OS store.
  const known = new Set([...contents.parts.mozilla, ...contents.os].map((c) => c.sha256));
  const inOs = (c: Cert) => known.has(c.sha256) || isMozillaRoot(c);
  const kept = contents.variables
    .filter((v) => !inOs(v.cert))
    .map((v): ChosenRoot => ({ cert: v.cert, origin: 'file', from: v.from }));
  const roots = unique([...picked, ...kept]);
  const remembered = roots.filter((r) => r.from);
  if (remembered.length > 0) {
    const groups = contents.parts.groups ?? [];
    contents.parts = {
      ...contents.parts,
      groups: groups.map((g) =>
        g.name === GROUPS.variables ? { ...g, certs: [...g.certs, ...remembered.map((r) => r.cert)] } : g,
      ),
    };
    contents.counts = bundleCounts(contents.parts);
  }
  const shared: Plan = {
    owner: 'certifix',
    summary: `merged bundle: ${describeCounts(contents.counts)}`,
    changes: [
      { kind: 'file', path: paths.bundle, content: renderBundle(contents.parts), mode: 0o644 },
      { kind: 'file', path: rootsPath(ctx), content: renderRoots(roots), mode: 0o644 },
    ],
    notes: contents.warnings,
  };
  const report = opts.diagnosis?.report;
  const choices = await chooseClients(
    {
      installs,
      local: contents.local,
      chosen: own.map((r) => r.cert),
      bundlePath: paths.bundle,
      verdicts: report ? verdictsById(report.clients) : undefined,
      host: report?.target.host,
      journal: await readJournal(ctx),
    },
    ctx,
  );
  // What the bundle adds that the OS store lacks: a client trusting the OS store natively would miss it.
  const outsideOs = roots.map((r) => r.cert).filter((c) => !inOs(c));
  // Several installations of one client usually share one setting (one env var): plan it once.
  const keys = new Set<string>();
  const plans = [shared];
  const configured: FixPlan['installs'] = [];
  for (const choice of choices.filter((c) => c.configure)) {
    const own = choice.installs.map((inst) => choice.client.plan(inst, paths.bundle, ctx, { outsideOs }));
    // A plan that changes nothing configures nothing (the Docker daemon without --registry, a JDK store
    // certifix cannot copy): the client is not configured, and the plan's summary says why; its notes say
    // what would do it.
    if (own.every((p) => p.changes.length === 0))
      Object.assign(choice, {
        configure: false,
        blocked: true,
        reason: `not configured: ${(own[0]?.summary ?? '').replace(/\.$/, '')}`,
      });
    else for (const inst of choice.installs) configured.push({ client: choice.client, inst });
    for (const plan of own) {
      const key = JSON.stringify(plan.changes) + (plan.changes.length ? '' : plan.owner);
      if (keys.has(key)) continue;
      keys.add(key);
      plans.push(plan);
    }
  }
  if (ctx.platform === 'win32') {
    // Windows: pip.ini, .npmrc and .condarc where those tools are installed (found by their Windows layout).
    const node = installs.find((i) => i.client.id === 'node')?.inst.path;
    const { windowsPlan } = await import('../apply/windows.ts');
    const w = await windowsPlan(paths.bundle, ctx, node && dirname(node));
    if (w) plans.push(w);
  }
  if (ctx.platform === 'darwin') {
    // macOS: a LaunchAgent carries the variables to GUI apps at every login (launchd.ts).
    const { launchAgentPlan } = await import('../apply/launchd.ts');
    const agent = launchAgentPlan(plans, ctx);
    if (agent) plans.push(agent);
  }
  const note = sslCertFileNote(plans, choices);
  if (note) shared.notes = [...(shared.notes ?? []), note];
  return {
    bundlePath: paths.bundle,
    rootsPath: rootsPath(ctx),
    roots,
    contents,
    plans,
    choices,
    installs: configured,
  };
}

/** The environment a new shell will have once the plans are applied (for proving the fix now). */
export function envAfter(plans: readonly Plan[], env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const p of plans) for (const c of p.changes) if (c.kind === 'env') out[c.name] = c.value;
  return out;
}
