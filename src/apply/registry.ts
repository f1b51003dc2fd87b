/**
 * Windows persists a user's environment in the registry, not in startup files: `HKCU\Environment` holds the
 * variables every new process of that user inherits (Explorer builds new processes' environment from it:
 * https://learn.microsoft.com/windows/win32/procthread/environment-variables). We write it with `reg.exe`,
 * present on every Windows (and under Wine), so no native code is needed:
 * https://learn.microsoft.com/windows-server/administration/windows-commands/reg-add.
 *
 * Running programs keep their environment; Explorer re-reads the key when a WM_SETTINGCHANGE "Environment"
 * message is broadcast, which `setx` and .NET's `Environment.SetEnvironmentVariable(..., User)` send and
 * `reg add` does not. Without native code the broadcast comes from one of those: `broadcastCommand` re-sets
 * one value to what `reg add` just wrote through PowerShell (which sends the message), best effort: when it
 * cannot run, new sign-ins and anything started from a new Explorer still see the variables.
 *
 * The journal keeps each value's type and data from before the first run (or that it was absent), so undo
 * puts back exactly that: the same REG_SZ / REG_EXPAND_SZ and bytes, or no value at all.
 */

import { CertifixError } from '../core/errors.ts';
import type { Runner } from '../types.ts';

const USER_ENV_KEY = 'HKCU\\Environment';

/** A registry value as `reg query` shows it. */
export interface RegValue {
  type: string;
  data: string;
}

/** One variable certifix set in HKCU\Environment. */
export interface RegistryEntry {
  key: string;
  name: string;
  /** The value before the first certifix run; null when there was none. */
  before: RegValue | null;
  /** What certifix wrote last (REG_SZ). */
  after: string;
}

export interface RegistryChange {
  key: string;
  name: string;
  before: RegValue | null;
  after: string;
}

/**
 * Parse `reg query <key> /v <name>` (format: the key on its own line, then `    NAME    TYPE    DATA`, four
 * spaces between the columns, as shown in
 * https://learn.microsoft.com/windows-server/administration/windows-commands/reg-query#examples).
 * Returns null when the value is not listed.
 */
export function parseRegQuery(stdout: string, name: string): RegValue | null {
  for (const line of stdout.split(/\r?\n/)) {
    const m = /^ {4}(.+?) {4}(REG_[A-Z_]+)(?: {4}(.*))?$/.exec(line);
    if (m && m[1]?.toLowerCase() === name.toLowerCase()) return { type: m[2] ?? 'REG_SZ', data: m[3] ?? '' };
  }
  return null;
}

/** The current value of `name` under `key`, or null when it does not exist (reg query then exits 1). */
export async function readValue(run: Runner, key: string, name: string): Promise<RegValue | null> {
  const r = await run('reg', ['query', key, '/v', name], { timeoutMs: 30_000 });
  if (r.code !== 0) return null;
  return parseRegQuery(r.stdout, name);
}

async function reg(run: Runner, args: string[], what: string): Promise<void> {
  const r = await run('reg', args, { timeoutMs: 30_000 });
  if (r.code !== 0) {
    throw new CertifixError('IO', `could not ${what}: reg ${args.join(' ')} exited ${r.code}`, {
      cause: new Error(r.stderr.trim() || r.stdout.trim()),
      hint: 'check that reg.exe can write your user environment (HKCU\\Environment)',
    });
  }
}

function writeValue(run: Runner, key: string, name: string, v: RegValue): Promise<void> {
  return reg(run, ['add', key, '/v', name, '/t', v.type, '/d', v.data, '/f'], `set ${name} in ${key}`);
}

function deleteValue(run: Runner, key: string, name: string): Promise<void> {
  return reg(run, ['delete', key, '/v', name, '/f'], `remove ${name} from ${key}`);
}

/** What applying `env` to HKCU\Environment would change (reads only). */
export async function planUserEnv(run: Runner, env: Record<string, string>): Promise<RegistryChange[]> {
  const out: RegistryChange[] = [];
  for (const [name, after] of Object.entries(env)) {
    const before = await readValue(run, USER_ENV_KEY, name);
    if (before?.data !== after || before.type !== 'REG_SZ')
      out.push({ key: USER_ENV_KEY, name, before, after });
  }
  return out;
}

/**
 * Journal, then write, each change. `journal` holds the entries from earlier runs: a value's `before` is
 * kept from the first run, so a re-run never records our own value as the user's.
 */
export async function applyUserEnv(
  run: Runner,
  changes: readonly RegistryChange[],
  journal: RegistryEntry[],
  save: () => Promise<void>,
): Promise<void> {
  for (const c of changes) {
    let e = journal.find((x) => x.key === c.key && x.name.toLowerCase() === c.name.toLowerCase());
    if (!e) {
      e = { key: c.key, name: c.name, before: c.before, after: c.after };
      journal.push(e);
    }
    e.after = c.after;
    await save();
    await writeValue(run, c.key, c.name, { type: 'REG_SZ', data: c.after });
  }
  if (changes.length > 0) await broadcast(run, changes[0] as RegistryChange);
}

/**
 * The settings-change broadcast, through PowerShell: `SetEnvironmentVariable(name, value, 'User')` writes the
 * same value again and sends WM_SETTINGCHANGE "Environment"
 * (https://learn.microsoft.com/dotnet/api/system.environment.setenvironmentvariable#system-environment-setenvironmentvariable(system-string-system-string-system-environmentvariabletarget)).
 * Best effort: no PowerShell (Windows without it, Wine) only means running Explorer windows keep the old
 * environment until the next sign-in.
 */
export function broadcastCommand(name: string): string[] {
  const n = name.replace(/'/g, "''");
  return [
    '-NoProfile',
    '-NonInteractive',
    '-Command',
    `[Environment]::SetEnvironmentVariable('${n}', [Environment]::GetEnvironmentVariable('${n}', 'User'), 'User')`,
  ];
}

async function broadcast(run: Runner, c: RegistryChange): Promise<boolean> {
  try {
    const r = await run('powershell.exe', broadcastCommand(c.name), { timeoutMs: 30_000 });
    return r.code === 0;
  } catch {
    return false;
  }
}

interface RegistryUndo {
  restored: string[];
  removed: string[];
  conflicts: { path: string; reason: string }[];
}

/**
 * Put every journaled value back: the exact previous type and data, or no value when there was none. A value
 * someone changed since certifix wrote it is left as it is, and reported.
 */
export async function undoUserEnv(run: Runner, entries: readonly RegistryEntry[]): Promise<RegistryUndo> {
  const out: RegistryUndo = { restored: [], removed: [], conflicts: [] };
  for (const e of [...entries].reverse()) {
    const shown = `${e.key}\\${e.name}`;
    const now = await readValue(run, e.key, e.name);
    const same = (a: RegValue | null, b: RegValue | null) => a?.type === b?.type && a?.data === b?.data;
    if (same(now, e.before)) continue; // never written, or already undone
    if (now?.data !== e.after) {
      out.conflicts.push({ path: shown, reason: 'changed after certifix set it; left as it is' });
      continue;
    }
    if (e.before) {
      await writeValue(run, e.key, e.name, e.before);
      out.restored.push(shown);
    } else {
      await deleteValue(run, e.key, e.name);
      out.removed.push(shown);
    }
  }
  if (entries.length > 0) await broadcast(run, entries[0] as RegistryChange);
  return out;
}
