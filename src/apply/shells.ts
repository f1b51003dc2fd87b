/**
 * Where environment variables must be written so every NEW shell and session sees them. One row per
 * startup file, with the rule that decides whether we write it and why.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Context } from '../types.ts';
import type { BlockPlacement, BlockSyntax } from './block.ts';
import { configHome, zdotdir } from './paths.ts';
import { profilePath } from './powershell-profile.ts';

export type EnvTargetId =
  | 'profile'
  | 'bash_profile'
  | 'bash_login'
  | 'bashrc'
  | 'zshenv'
  | 'fish'
  | 'environment.d'
  | 'powershell'
  | 'windowspowershell';

interface EnvTarget {
  id: EnvTargetId;
  path: string;
  syntax: BlockSyntax;
  where: BlockPlacement;
  /** A file certifix owns outright (its whole content is our block). */
  owned: boolean;
}

type Ctx = Pick<Context, 'env' | 'home' | 'platform'> & {
  /** Windows: the Documents folder, resolved by the caller (powershell-profile.ts documentsDir). */
  documents?: string | undefined;
};
type Exists = (path: string) => boolean;

interface Row extends Omit<EnvTarget, 'path'> {
  path(ctx: Ctx): string;
  /** Write this file? */
  when(ctx: Ctx, has: Exists): boolean;
}

const shell = (ctx: Ctx) => basename(ctx.env.SHELL ?? '');

const ROWS: Row[] = [
  // sh/dash login shells read ~/.profile; bash login shells read the FIRST of ~/.bash_profile,
  // ~/.bash_login, ~/.profile (bash(1) INVOCATION). At the bottom, so we override earlier user exports.
  // Always written: dash, display managers and `bash -l` without a .bash_profile all read it.
  {
    id: 'profile',
    syntax: 'posix',
    where: 'bottom',
    owned: false,
    path: (c) => join(c.home, '.profile'),
    when: () => true,
  },
  {
    id: 'bash_profile',
    syntax: 'posix',
    where: 'bottom',
    owned: false,
    path: (c) => join(c.home, '.bash_profile'),
    when: (c, has) => has(join(c.home, '.bash_profile')),
  },
  {
    id: 'bash_login',
    syntax: 'posix',
    where: 'bottom',
    owned: false,
    path: (c) => join(c.home, '.bash_login'),
    when: (c, has) => !has(join(c.home, '.bash_profile')) && has(join(c.home, '.bash_login')),
  },
  // Interactive non-login bash reads ~/.bashrc. At the TOP (unless the file sets one of our variables itself:
  // then below that line, so the block wins; block.ts setBlock): Debian's skeleton .bashrc starts with
  // `case $- in *i*) ;; *) return;; esac`, and bash also reads .bashrc for `ssh host cmd` (non-interactive),
  // which must see the variables too.
  {
    id: 'bashrc',
    syntax: 'posix',
    where: 'top',
    owned: false,
    path: (c) => join(c.home, '.bashrc'),
    when: (c, has) => has(join(c.home, '.bashrc')) || shell(c) === 'bash',
  },
  // zsh reads $ZDOTDIR/.zshenv for every shell, login or not, interactive or not (zsh(1) STARTUP FILES).
  // Written when zsh is in use: the file exists, zsh is the login shell, a .zshrc exists, or macOS (zsh has
  // been its default shell since 10.15).
  {
    id: 'zshenv',
    syntax: 'posix',
    where: 'bottom',
    owned: false,
    path: (c) => join(zdotdir(c), '.zshenv'),
    when: (c, has) =>
      has(join(zdotdir(c), '.zshenv')) ||
      has(join(zdotdir(c), '.zshrc')) ||
      shell(c) === 'zsh' ||
      c.platform === 'darwin',
  },
  // fish sources conf.d/*.fish at every start; a file of our own (fish-doc "Configuration files").
  {
    id: 'fish',
    syntax: 'fish',
    where: 'bottom',
    owned: true,
    path: (c) => join(configHome(c), 'fish', 'conf.d', 'certifix.fish'),
    when: (c, has) => has(join(configHome(c), 'fish')) || shell(c) === 'fish',
  },
  // systemd user sessions (GNOME/KDE apps, IDEs started from the desktop) get environment.d(5); 60- is the
  // range the man page suggests for local configuration.
  {
    id: 'environment.d',
    syntax: 'envd',
    where: 'bottom',
    owned: true,
    path: (c) => join(configHome(c), 'environment.d', '60-certifix.conf'),
    when: (c, has) =>
      c.platform === 'linux' &&
      (has(join(configHome(c), 'environment.d')) ||
        has('/run/systemd/system') ||
        (c.env.XDG_RUNTIME_DIR !== undefined && has(join(c.env.XDG_RUNTIME_DIR, 'systemd')))),
  },
];

const documents = (c: Ctx) => c.documents ?? join(c.env.USERPROFILE || c.home, 'Documents');

/**
 * Windows: the variables live in HKCU\Environment (registry.ts); the PowerShell profiles that exist also get
 * the block, for sessions that do not re-read the registry (powershell-profile.ts says why only existing ones).
 */
const WINDOWS_ROWS: Row[] = (['powershell', 'windowspowershell'] as const).map((id) => ({
  id,
  syntax: 'powershell',
  where: 'bottom',
  owned: false,
  path: (c: Ctx) => profilePath(documents(c), id),
  when: (c: Ctx, has: Exists) => has(profilePath(documents(c), id)),
}));

/**
 * The startup files to carry the managed block on this machine (on Windows, the existing PowerShell profiles).
 * `only` picks targets by id instead of detecting them.
 */
export function envTargets(ctx: Ctx, only?: readonly EnvTargetId[], has: Exists = existsSync): EnvTarget[] {
  const all = ctx.platform === 'win32' ? WINDOWS_ROWS : ROWS;
  const rows = only ? all.filter((r) => only.includes(r.id)) : all.filter((r) => r.when(ctx, has));
  return rows.map(({ when: _w, path, ...r }) => ({ ...r, path: path(ctx) }));
}
