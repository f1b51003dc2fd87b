/** How check and fix's proof schedule real clients, and when fix's proof lets one run answer for another. */
import { describe, expect, it } from 'vitest';
import { az } from '../../src/clients/az.ts';
import { verdictFromOutput } from '../../src/clients/messages.ts';
import type { Client } from '../../src/clients/types.ts';
import { checkOnce, costOf, limitOf, scheduled } from '../../src/commands/run-clients.ts';
import { questionOf } from '../../src/commands/same-question.ts';
import { runProcess } from '../../src/context.ts';
import type { ClientId, Context, Installation } from '../../src/types.ts';

const ctx = (env: NodeJS.ProcessEnv = {}): Context => ({
  env,
  home: '/nonexistent',
  cwd: '/',
  platform: 'linux',
  run: async (_cmd, _args, opts) => ({ code: 0, stdout: String(opts?.timeoutMs), stderr: '' }),
});

const run = (id: ClientId) => ({ client: { id } as Client, inst: { client: id, path: `/bin/${id}` } });

describe('scheduled', () => {
  it('starts the costliest clients first, keeps the results in order, and limits each to its time', async () => {
    const started: string[] = [];
    const runs = [run('curl'), run('maven'), run('az'), run('git')];
    const out = await scheduled(
      runs,
      ctx(),
      async (r, c) => {
        started.push(r.client.id);
        return `${r.client.id}:${(await c.run('x', [], { timeoutMs: 200_000 })).stdout}`;
      },
      1,
    );
    expect(started).toEqual(['az', 'maven', 'curl', 'git']);
    expect(out).toEqual([
      `curl:${limitOf('curl')}`,
      `maven:${limitOf('maven')}`,
      `az:${limitOf('az')}`,
      `git:${limitOf('git')}`,
    ]);
    expect(costOf('az')).toBeGreaterThan(costOf('curl'));
    expect(limitOf('curl')).toBe(30_000);
  });
});

describe('checkOnce', () => {
  const inst: Installation = { client: 'curl', path: '/bin/sh' };
  /** A client whose check runs `script` under `limit` ms and reads what it printed as curl's would be. */
  const client = (script: string, limit: number) =>
    ({
      id: 'curl',
      check: async (_inst, _url, c) => {
        const r = await c.run('sh', ['-c', script], { timeoutMs: limit });
        return verdictFromOutput(`${r.stdout}\n${r.stderr}`, r.code);
      },
    }) as Client;
  const real: Context = { ...ctx(), run: runProcess };

  it('a run certifix stopped at its limit, with nothing recognised before, is TIMEOUT quoting the stop', async () => {
    expect(
      await checkOnce(client('echo connecting >&2; sleep 5', 200), inst, 'https://x.test/', real),
    ).toEqual({
      ok: false,
      code: 'TIMEOUT',
      message: 'did not finish: certifix stopped it at its time limit',
      printed: 'certifix stopped sh after 0.2 s: it had not finished',
    });
  });

  it('keeps a reason the client printed before it was stopped, and every verdict of a run that finished', async () => {
    const tls = 'echo "SSL certificate problem: self-signed certificate in certificate chain" >&2; sleep 5';
    expect(await checkOnce(client(tls, 200), inst, 'https://x.test/', real)).toMatchObject({
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
    });
    // The client's own timeout is not certifix's: still UNKNOWN (check does not count it as agreeing either).
    const own = 'echo "ReadTimeoutError: Read timed out." >&2; exit 1';
    expect(await checkOnce(client(own, 5000), inst, 'https://x.test/', real)).toMatchObject({
      code: 'UNKNOWN',
      printed: 'ReadTimeoutError: Read timed out.',
    });
    expect(await checkOnce(client('exit 0', 5000), inst, 'https://x.test/', real)).toMatchObject({
      ok: true,
    });
  });
});

describe('questionOf (fix proof shortcuts)', () => {
  const inst: Installation = {
    client: 'az',
    path: '/usr/bin/az',
    details: {
      python: '/usr/bin/python3',
      pythonVersion: '3.11',
      prefix: '/usr',
      sitePackages: '/usr/lib/python3/dist-packages',
    },
  };
  it("proves az with requests in az's interpreter", async () => {
    const q = await questionOf(az, inst, 'https://x.test/', ctx());
    expect(q.client.id).toBe('python-requests');
    expect(q.inst.details?.python).toBe('/usr/bin/python3');
    expect(q.how).toContain("requests in az's interpreter");
  });
  it('runs az itself when it does not verify', async () => {
    const q = await questionOf(
      az,
      inst,
      'https://x.test/',
      ctx({ AZURE_CLI_DISABLE_CONNECTION_VERIFICATION: '1' }),
    );
    expect(q.client.id).toBe('az');
    expect(q.how).toBeUndefined();
  });
});
