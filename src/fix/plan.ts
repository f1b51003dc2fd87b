/**
 * Step 2 of `fix`: the plans. One merged bundle at a stable path (Mozilla roots + chosen roots), the chosen
 * roots remembered next to it (so `refresh` can rebuild and `status` can compare), and each installed
 * client's own plan pointing it at the bundle.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { certifixPaths } from '../apply/index.ts';
import { registry } from '../clients/registry.ts';
import type { Client, ClientId, Context, Installation } from '../clients/types.ts';
import { renderBundle } from '../core/bundle.ts';
import { type Cert, parseCerts, toPem } from '../core/cert.ts';
import type { Plan } from '../core/plan.ts';
import type { Origin } from '../core/screen.ts';
import { mozillaRoots } from '../stores/index.ts';

export interface ChosenRoot {
  cert: Cert;
  origin: Origin;
}

export interface FixPlan {
  bundlePath: string;
  rootsPath: string;
  roots: ChosenRoot[];
  plans: Plan[];
  installs: Array<{ client: Client; inst: Installation }>;
}

export function rootsPath(ctx: Pick<Context, 'env' | 'home' | 'platform'>): string {
  return join(certifixPaths(ctx).dir, 'roots.pem');
}

const ORIGIN_RE = /^# origin: (os-store|file|network)$/;

/** The roots chosen by earlier runs, with their origin (comment lines written by `renderRoots`). */
export async function readChosenRoots(
  ctx: Pick<Context, 'env' | 'home' | 'platform'>,
): Promise<ChosenRoot[]> {
  let text: string;
  try {
    text = await readFile(rootsPath(ctx), 'utf8');
  } catch {
    return [];
  }
  const out: ChosenRoot[] = [];
  for (const block of text.split(/\n(?=# origin: )/)) {
    const origin = block
      .split('\n')
      .find((l) => ORIGIN_RE.test(l))
      ?.match(ORIGIN_RE)?.[1] as Origin | undefined;
    for (const cert of parseCerts(block).certs) out.push({ cert, origin: origin ?? 'file' });
  }
  return out;
}

export function renderRoots(roots: readonly ChosenRoot[]): string {
  const head =
    '# Roots chosen with `certifix fix`; the bundle is Mozilla roots + these. Managed by certifix.\n';
  return head + roots.map((r) => `# origin: ${r.origin}\n# ${r.cert.subject}\n${toPem(r.cert)}`).join('');
}

export async function planFix(
  chosen: readonly ChosenRoot[],
  opts: { clients?: readonly ClientId[] | undefined; keepPrevious?: boolean },
  ctx: Context,
): Promise<FixPlan> {
  const paths = certifixPaths(ctx);
  const previous = opts.keepPrevious === false ? [] : await readChosenRoots(ctx);
  const seen = new Set<string>();
  const roots = [...previous, ...chosen].filter((r) => !seen.has(r.cert.sha256) && seen.add(r.cert.sha256));
  const shared: Plan = {
    owner: 'certifix',
    summary: `merged bundle: ${mozillaRoots().length} Mozilla roots + ${roots.length} chosen`,
    changes: [
      {
        kind: 'file',
        path: paths.bundle,
        content: renderBundle({ mozilla: mozillaRoots(), extra: roots.map((r) => r.cert) }),
        mode: 0o644,
      },
      { kind: 'file', path: rootsPath(ctx), content: renderRoots(roots), mode: 0o644 },
    ],
  };
  const clients = registry.list().filter((c) => !opts.clients || opts.clients.includes(c.id));
  const installs = (
    await Promise.all(
      clients.map(async (client) => (await client.detect(ctx)).map((inst) => ({ client, inst }))),
    )
  ).flat();
  // Several installations of one client usually share one setting (one env var): plan it once.
  const keys = new Set<string>();
  const plans = [shared];
  for (const { client, inst } of installs) {
    const plan = client.plan(inst, paths.bundle, ctx);
    const key = JSON.stringify(plan.changes);
    if (keys.has(key)) continue;
    keys.add(key);
    plans.push(plan);
  }
  if (ctx.platform === 'win32') {
    // Windows: pip.ini, .npmrc and .condarc where those tools are installed (found by their Windows layout).
    const node = installs.find((i) => i.client.id === 'node')?.inst.path;
    const { windowsPlan } = await import('../apply/windows.ts');
    const w = await windowsPlan(paths.bundle, ctx, node && dirname(node));
    if (w) plans.push(w);
  }
  return { bundlePath: paths.bundle, rootsPath: rootsPath(ctx), roots, plans, installs };
}

/** The environment a new shell will have once the plans are applied (for proving the fix now). */
export function envAfter(plans: readonly Plan[], env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const p of plans) for (const c of p.changes) if (c.kind === 'env') out[c.name] = c.value;
  return out;
}
