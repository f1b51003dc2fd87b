/**
 * The acceptance matrix of fix/undo: every real client, through each intercepting proxy and directly to the
 * internal service, run in a NEW login or interactive bash inside the laptop (so only what certifix
 * persisted in the dotfiles counts). Shared by the fix/undo/status e2e files.
 */
import * as client from '../helpers/clients.ts';
import type { Lab } from '../helpers/lab.ts';
import type { Laptop, ShellKind } from '../helpers/laptop.ts';

export interface Probe {
  name: string;
  run: (on: client.Runs) => Promise<client.ClientResult>;
}

/** requests, pip 23.2 (system), node https, npm, curl, git through each proxy; and the internal service. */
export function probes(lab: Lab): Probe[] {
  const out: Probe[] = [];
  const o = lab.origin;
  for (const proxy of lab.proxies) {
    const via = proxy === lab.squid ? 'squid' : 'mitmproxy';
    const p = { proxy };
    out.push(
      { name: `requests via ${via}`, run: (on) => client.pythonRequests(on, o.url, p) },
      { name: `pip via ${via}`, run: (on) => client.pipDownload(on, o.pypiIndex, p) },
      { name: `node https via ${via}`, run: (on) => client.nodeHttps(on, o.url, p) },
      { name: `npm ping via ${via}`, run: (on) => client.npmPing(on, o.npmRegistry, p) },
      { name: `curl via ${via}`, run: (on) => client.curl(on, o.url, p) },
      { name: `git clone via ${via}`, run: (on) => client.gitClone(on, o.gitRepo, p) },
    );
  }
  const i = lab.internal;
  out.push(
    { name: 'requests internal', run: (on) => client.pythonRequests(on, i.url) },
    { name: 'pip internal', run: (on) => client.pipDownload(on, i.pypiIndex) },
    { name: 'node fetch internal', run: (on) => client.nodeFetch(on, i.url) },
    { name: 'curl internal', run: (on) => client.curl(on, i.url) },
    { name: 'git clone internal', run: (on) => client.gitClone(on, i.gitRepo) },
  );
  return out;
}

/** Runs every command as a NEW bash of that kind would: the dotfiles are read, then the client is exec'd. */
export function inShell(laptop: Laptop, kind: ShellKind): client.Runs {
  return {
    run: (cmd, args, opts) =>
      laptop.run('bash', [kind === 'login' ? '-lc' : '-ic', 'exec "$@"', 'bash', cmd, ...args], opts),
  };
}

export type Outcome = { ok: boolean; reason: string | null };

/** name → outcome for every probe, run concurrently. `details` gets stderr of failures for messages. */
export async function runAll(
  list: readonly Probe[],
  on: client.Runs,
  details?: Record<string, string>,
): Promise<Record<string, Outcome>> {
  const results = await Promise.all(list.map((p) => p.run(on)));
  const out: Record<string, Outcome> = {};
  list.forEach((p, k) => {
    const r = results[k] as client.ClientResult;
    out[p.name] = { ok: r.ok, reason: r.reason };
    if (details && !r.ok) details[p.name] = r.stderr.slice(-600);
  });
  return out;
}
