/**
 * The login environment's start: /etc/environment is read bounded, like every config file (host-files.ts
 * readText): a device or FIFO in its place is not read, nor a file past 64 KB. The shell itself is not run
 * here: the runner records the environment it would be started with.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loginShellEnv } from '../src/shell-env.ts';
import type { Context } from '../src/types.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A sysroot whose /etc/environment is made by `make`, and the environment the login shell gets from it. */
async function startWith(make: (file: string) => void): Promise<NodeJS.ProcessEnv> {
  const sysroot = mkdtempSync(join(tmpdir(), 'certifix-shell-env-'));
  dirs.push(sysroot);
  mkdirSync(join(sysroot, 'etc'));
  make(join(sysroot, 'etc', 'environment'));
  let seen: NodeJS.ProcessEnv = {};
  const ctx: Context = {
    env: { USER: 'alice', SHELL: '/bin/sh' },
    home: sysroot,
    cwd: sysroot,
    platform: 'linux',
    sysroot,
    run: async (_cmd, _args, opts) => {
      seen = opts?.env ?? {};
      return { code: 1, stdout: '', stderr: 'not run in this test' };
    },
  };
  await loginShellEnv(ctx);
  return seen;
}

describe('/etc/environment in the login start', () => {
  it('is read as pam_env reads it', async () => {
    const env = await startWith((f) => writeFileSync(f, '# corp\nCORP_PROXY="http://proxy:3128"\n'));
    expect(env.CORP_PROXY).toBe('http://proxy:3128');
  });

  it('is not read when it is a device (a link to /dev/zero would never end)', async () => {
    const env = await startWith((f) => symlinkSync('/dev/zero', f));
    expect(env.PATH).toBe('/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games');
  }, 10_000);

  it('is not read past 64 KB (cut short, its last line could be half a value)', async () => {
    const env = await startWith((f) => {
      writeFileSync(f, 'CORP_PROXY=http://proxy:3128\n');
      truncateSync(f, 64 * 1024 + 1);
    });
    expect(env.CORP_PROXY).toBeUndefined();
    const small = await startWith((f) => {
      writeFileSync(f, 'CORP_PROXY=http://proxy:3128\n');
      truncateSync(f, 64 * 1024);
    });
    expect(small.CORP_PROXY).toBe('http://proxy:3128');
  });
});
