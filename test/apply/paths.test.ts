import { describe, expect, it } from 'vitest';
import { certifixPaths } from '../../src/apply/paths.ts';
import { envTargets } from '../../src/apply/shells.ts';

describe('certifixPaths', () => {
  it.each<[string, NodeJS.Platform, NodeJS.ProcessEnv, string]>([
    ['Linux default', 'linux', {}, '/home/u/.local/share/certifix'],
    ['Linux XDG_DATA_HOME', 'linux', { XDG_DATA_HOME: '/data' }, '/data/certifix'],
    [
      'relative XDG_DATA_HOME is ignored (XDG spec)',
      'linux',
      { XDG_DATA_HOME: 'rel' },
      '/home/u/.local/share/certifix',
    ],
    ['macOS', 'darwin', { XDG_DATA_HOME: '/data' }, '/home/u/Library/Application Support/certifix'],
    [
      'Windows LOCALAPPDATA',
      'win32',
      { LOCALAPPDATA: 'C:/Users/u/AppData/Local' },
      'C:/Users/u/AppData/Local/certifix',
    ],
  ])('%s', (_n, platform, env, dir) => {
    const p = certifixPaths({ home: '/home/u', platform, env });
    expect(p.dir.replaceAll('\\', '/')).toBe(dir);
    expect(p.bundle.replaceAll('\\', '/')).toBe(`${dir}/bundle.pem`);
    expect(p.journal.replaceAll('\\', '/')).toBe(`${dir}/journal.json`);
    expect(p.lock.replaceAll('\\', '/')).toBe(`${dir}/lock`);
  });
});

describe('envTargets', () => {
  const none = () => false;
  it.each<[string, NodeJS.Platform, NodeJS.ProcessEnv, string[]]>([
    ['bare Linux, sh user', 'linux', { SHELL: '/bin/sh' }, ['profile']],
    ['bash user', 'linux', { SHELL: '/bin/bash' }, ['profile', 'bashrc']],
    ['zsh user', 'linux', { SHELL: '/usr/bin/zsh' }, ['profile', 'zshenv']],
    ['fish user', 'linux', { SHELL: '/usr/bin/fish' }, ['profile', 'fish']],
    ['macOS (zsh by default)', 'darwin', { SHELL: '/bin/zsh' }, ['profile', 'zshenv']],
    ['Windows: no startup files', 'win32', {}, []],
  ])('%s', (_n, platform, env, ids) => {
    expect(envTargets({ home: '/h', platform, env }, undefined, none).map((t) => t.id)).toEqual(ids);
  });

  it('follows bash: ~/.bash_login only without ~/.bash_profile; systemd sessions get environment.d', () => {
    const has = (files: string[]) => (p: string) => files.includes(p);
    const ctx = { home: '/h', platform: 'linux' as const, env: {} };
    expect(envTargets(ctx, undefined, has(['/h/.bash_login'])).map((t) => t.id)).toEqual([
      'profile',
      'bash_login',
    ]);
    expect(envTargets(ctx, undefined, has(['/h/.bash_login', '/h/.bash_profile'])).map((t) => t.id)).toEqual([
      'profile',
      'bash_profile',
    ]);
    expect(envTargets(ctx, undefined, has(['/run/systemd/system'])).map((t) => t.path)).toEqual([
      '/h/.profile',
      '/h/.config/environment.d/60-certifix.conf',
    ]);
  });
});
