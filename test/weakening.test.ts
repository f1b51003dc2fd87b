/**
 * Settings that switch verification off are found in env and in every config layer the clients read,
 * with the clients' own resolvers (a temporary HOME; the machine's global configs masked by the clients'
 * own variables).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runProcess } from '../src/cli/context.ts';
import type { Context } from '../src/types.ts';
import { weakeningSettings } from '../src/weakening.ts';

const homes: string[] = [];
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

function ctxFor(files: Record<string, string>, env: NodeJS.ProcessEnv = {}): Context {
  const home = mkdtempSync(join(tmpdir(), 'certifix-weak-'));
  homes.push(home);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(home, rel, '..'), { recursive: true });
    writeFileSync(join(home, rel), text);
  }
  return {
    env: {
      PATH: process.env.PATH,
      HOME: home,
      GIT_CONFIG_NOSYSTEM: '1',
      NPM_CONFIG_GLOBALCONFIG: '/dev/null',
      PIP_CONFIG_FILE: join(home, 'none.conf'),
      XDG_CONFIG_DIRS: join(home, 'xdg'),
      ...env,
    },
    home,
    cwd: home,
    platform: 'linux',
    run: runProcess,
  };
}

describe('weakeningSettings', () => {
  it('finds nothing on a clean HOME', async () => {
    expect(await weakeningSettings(ctxFor({}))).toEqual([]);
  });

  it('finds each client setting that switches verification off, naming where it is', async () => {
    const ctx = ctxFor({
      '.npmrc': 'strict-ssl=false\n',
      '.config/pip/pip.conf': '[global]\ntrusted-host = pypi.org\n',
      '.gitconfig': '[http]\n\tsslVerify = false\n',
      '.curlrc': '--insecure\n',
    });
    const messages = (await weakeningSettings(ctx)).map((f) => f.message);
    expect(messages).toEqual([
      expect.stringMatching(
        /^strict-ssl=false in \S+\/\.npmrc switches certificate verification off for npm/,
      ),
      expect.stringMatching(/^trusted-host \(.*pip\.conf \[global\] trusted-host\)/),
      expect.stringMatching(/^http\.sslVerify=false in \S+\/\.gitconfig/),
      expect.stringMatching(/^insecure in \S+\/\.curlrc switches certificate verification off for curl/),
    ]);
  });

  it.each([
    ['.curlrc', 'insecure\n'],
    ['.curlrc', '# defaults\n  -k\n'],
    ['.curlrc', 'insecure = \n'],
    ['.config/curlrc', 'insecure\n'],
    ['xdg-config/.curlrc', '--insecure\n'],
    ['xdg-config/curlrc', 'insecure\n'],
  ])('finds curl’s insecure in %s (%j), as curl’s parseconfig reads it', async (file, text) => {
    const ctx = ctxFor({ [file]: text }, {});
    ctx.env.XDG_CONFIG_HOME = join(ctx.home, 'xdg-config');
    const messages = (await weakeningSettings(ctx)).map((f) => f.message);
    expect(messages).toEqual([expect.stringContaining(`insecure in ${join(ctx.home, file)}`)]);
  });

  it('no warning when a later no-insecure switches it back on, or for a comment', async () => {
    const ctx = ctxFor({ '.curlrc': 'insecure\nno-insecure\n# insecure\n' });
    expect(await weakeningSettings(ctx)).toEqual([]);
  });

  it('finds verification-off exports written in startup files, though this shell lacks them', async () => {
    const ctx = ctxFor({
      '.bashrc': "# work around the proxy\nexport NODE_TLS_REJECT_UNAUTHORIZED='0'\n",
      '.profile': 'PYTHONHTTPSVERIFY=0; export PYTHONHTTPSVERIFY\n',
      '.zshrc': 'export GIT_SSL_NO_VERIFY=true # temporary\n',
      '.config/fish/conf.d/corp.fish': 'set -gx NODE_TLS_REJECT_UNAUTHORIZED 0\n',
      '.config/environment.d/10-corp.conf': 'GIT_SSL_NO_VERIFY=1\n',
      '.bash_profile': 'export NODE_TLS_REJECT_UNAUTHORIZED=1\n# export PYTHONHTTPSVERIFY=0\n',
    });
    const messages = (await weakeningSettings(ctx)).map((f) => f.message);
    const at = (f: string) => join(ctx.home, f);
    expect(messages).toEqual([
      expect.stringMatching(new RegExp(`^PYTHONHTTPSVERIFY=0 in ${at('.profile')} \\(line 1\\) switches`)),
      expect.stringContaining(`NODE_TLS_REJECT_UNAUTHORIZED=0 in ${at('.bashrc')} (line 2)`),
      expect.stringContaining(`GIT_SSL_NO_VERIFY=true in ${at('.zshrc')} (line 1)`),
      expect.stringContaining(`NODE_TLS_REJECT_UNAUTHORIZED=0 in ${at('.config/fish/conf.d/corp.fish')}`),
      expect.stringContaining(`GIT_SSL_NO_VERIFY=1 in ${at('.config/environment.d/10-corp.conf')}`),
    ]);
  });

  it('finds the environment switches, npm and pip ones included', async () => {
    const ctx = ctxFor(
      {},
      {
        NODE_TLS_REJECT_UNAUTHORIZED: '0',
        GIT_SSL_NO_VERIFY: '1',
        npm_config_strict_ssl: 'false',
        PIP_TRUSTED_HOST: 'pypi.org',
      },
    );
    const messages = (await weakeningSettings(ctx)).map((f) => f.message).join('\n');
    for (const what of [
      'NODE_TLS_REJECT_UNAUTHORIZED=0',
      'GIT_SSL_NO_VERIFY=1',
      'strict-ssl=false in the npm_config_* environment',
      'trusted-host (PIP_TRUSTED_HOST)',
    ]) {
      expect(messages).toContain(what);
    }
  });
});
