/**
 * macOS GUI apps (IDEs, Jupyter started from the Dock) are started by launchd, not by a shell, so they never
 * read ~/.zshenv or ~/.profile. launchd's own environment reaches them:
 * - now: `launchctl setenv NAME VALUE` ("Sets an environment variable for all processes launched by launchd
 *   in the caller's context", launchctl(1); apps started afterwards inherit it);
 * - at every login: a LaunchAgent whose program runs those `launchctl setenv` calls (RunAtLoad, launchd.plist(5)),
 *   since launchctl's settings do not survive a logout.
 * `launchctl getenv NAME` prints the current value (nothing when unset), which the journal keeps so undo can put
 * it back (`setenv`) or remove ours (`unsetenv`).
 */
import { join } from 'node:path';
import type { Plan } from '../core/plan.ts';
import type { Context, Runner } from '../types.ts';

const AGENT_LABEL = 'dev.certifix.environment';

export function agentPath(ctx: Pick<Context, 'home'>): string {
  return join(ctx.home, 'Library', 'LaunchAgents', `${AGENT_LABEL}.plist`);
}

const xml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The LaunchAgent: `/bin/sh -c 'launchctl setenv N1 "$1"; ...' sh V1 ...`, values as arguments so no value is
 * ever parsed by a shell.
 */
export function renderAgent(vars: Record<string, string>): string {
  const names = Object.keys(vars);
  const script = names.map((n, i) => `/bin/launchctl setenv ${n} "$${i + 1}"`).join('; ');
  const args = ['/bin/sh', '-c', script, 'sh', ...names.map((n) => vars[n] ?? '')];
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>${AGENT_LABEL}</string>
  <key>ProgramArguments</key>
  <array>
${args.map((a) => `    <string>${xml(a)}</string>`).join('\n')}
  </array>
  <key>RunAtLoad</key>
  <true/>
</dict>
</plist>
`;
}

/** Every env change of the plans, last one winning (as the executor's managed block does). */
function envOf(plans: readonly Plan[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of plans) for (const c of p.changes) if (c.kind === 'env') out[c.name] = c.value;
  return out;
}

/** macOS: the LaunchAgent that restores the variables at login (a file of ours; undo removes it). */
export function launchAgentPlan(plans: readonly Plan[], ctx: Pick<Context, 'home'>): Plan | null {
  const vars = envOf(plans);
  if (Object.keys(vars).length === 0) return null;
  return {
    owner: 'certifix',
    summary: 'macOS: GUI apps get the variables through launchd (now, and at every login via a LaunchAgent).',
    changes: [{ kind: 'file', path: agentPath(ctx), content: renderAgent(vars), mode: 0o644 }],
    notes: ['Apps already running keep their environment: quit and reopen them (IDEs, Jupyter).'],
  };
}

/** One variable set with `launchctl setenv`, and what launchd held before (null: unset). */
export interface SessionEnvEntry {
  name: string;
  before: string | null;
  after: string;
}

async function getenv(run: Runner, name: string): Promise<string | null> {
  const r = await run('launchctl', ['getenv', name], { timeoutMs: 10_000 });
  const v = r.stdout.replace(/\n$/, '');
  return r.code === 0 && v !== '' ? v : null;
}

/** Set the variables in launchd now, journaling each previous value first (kept from the first run). */
export async function applySessionEnv(
  run: Runner,
  vars: Record<string, string>,
  journal: SessionEnvEntry[],
  save: () => Promise<void>,
): Promise<void> {
  for (const [name, after] of Object.entries(vars)) {
    const now = await getenv(run, name);
    if (now === after) continue;
    let e = journal.find((x) => x.name === name);
    if (!e) {
      e = { name, before: now, after };
      journal.push(e);
    }
    e.after = after;
    await save();
    await run('launchctl', ['setenv', name, after], { timeoutMs: 10_000 });
  }
}

/** Put launchd's values back; a value changed by someone else since is left alone and reported. */
export async function undoSessionEnv(
  run: Runner,
  entries: readonly SessionEnvEntry[],
): Promise<{ restored: string[]; conflicts: { path: string; reason: string }[] }> {
  const out = { restored: [] as string[], conflicts: [] as { path: string; reason: string }[] };
  for (const e of [...entries].reverse()) {
    const now = await getenv(run, e.name);
    if (now === e.before) continue;
    const shown = `launchctl ${e.name}`;
    if (now !== e.after) {
      out.conflicts.push({ path: shown, reason: 'changed after certifix set it; left as it is' });
      continue;
    }
    await run('launchctl', e.before === null ? ['unsetenv', e.name] : ['setenv', e.name, e.before], {
      timeoutMs: 10_000,
    });
    out.restored.push(shown);
  }
  return out;
}
