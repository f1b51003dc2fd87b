/** fix's proof leaves out a client whose real result cannot be observed here, and says why. */
import { describe, expect, it } from 'vitest';
import type { Client } from '../../src/clients/types.ts';
import { notProvable, prove } from '../../src/commands/prove.ts';
import type { Context, Installation } from '../../src/types.ts';

const ctx: Context = {
  env: {},
  home: '/nonexistent',
  cwd: '/',
  platform: 'linux',
  run: async () => ({ code: 0, stdout: '', stderr: '' }),
};

function client(id: Client['id'], unobservable?: string): Client {
  return {
    id,
    detect: async () => [],
    trust: async () => ({ source: 'system', path: null, files: [], dirs: [], profile: 'openssl', why: '' }),
    render: () => '',
    plan: () => ({ owner: id, summary: '', changes: [] }),
    check: async () => {
      if (unobservable) throw new Error(`check() of ${id} must not run`);
      return { ok: true, code: 'OK', message: 'ok' };
    },
    ...(unobservable ? { unobservable } : {}),
  };
}

const inst = (id: Installation['client'], path: string): Installation => ({ client: id, path });

describe('prove', () => {
  const installs = [
    { client: client('curl'), inst: inst('curl', '/usr/bin/curl') },
    { client: client('docker', 'the daemon verifies registries'), inst: inst('docker', '/usr/bin/docker') },
  ];
  it('runs the observable clients only', async () => {
    expect(await prove(installs, 'https://x.test/', ctx)).toEqual([
      { id: 'curl', path: '/usr/bin/curl', ok: true, code: 'OK', message: 'ok' },
    ]);
  });
  it('lists the others with their reason', () => {
    expect(notProvable(installs)).toEqual([
      { id: 'docker', path: '/usr/bin/docker', reason: 'the daemon verifies registries' },
    ]);
  });
});
