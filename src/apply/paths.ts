/**
 * certifix's own per-user files. One directory holds the stable bundle, the journal and the lock:
 * - Linux/BSD: $XDG_DATA_HOME/certifix, default ~/.local/share/certifix (XDG Base Directory spec).
 * - macOS: ~/Library/Application Support/certifix.
 * - Windows: %LOCALAPPDATA%\certifix.
 * The journal stays next to the bundle rather than in $XDG_STATE_HOME: the spec describes state data as
 * "not important or portable enough" for the data dir, but the journal is the only way back to the user's
 * original files, and it lives and dies with the bundle (undo removes both), so one directory keeps them
 * together and makes "undo leaves nothing behind" a single rmdir.
 */
import { isAbsolute, join } from 'node:path';
import type { Context } from '../types.ts';

export interface CertifixPaths {
  /** The data directory. */
  dir: string;
  /** The merged CA bundle; its path never changes, so client configs need no update when it is rebuilt. */
  bundle: string;
  journal: string;
  lock: string;
  /** Copies of large files' original bytes (small ones are kept inline in the journal). */
  backups: string;
}

type Ctx = Pick<Context, 'env' | 'home' | 'platform'>;

/** An env var's value when it is an absolute path (the XDG spec says relative values are to be ignored). */
function absEnv(ctx: Ctx, name: string): string | undefined {
  const v = ctx.env[name];
  return v && isAbsolute(v) ? v : undefined;
}

export function dataDir(ctx: Ctx): string {
  if (ctx.platform === 'win32') {
    return join(ctx.env.LOCALAPPDATA || join(ctx.home, 'AppData', 'Local'), 'certifix');
  }
  if (ctx.platform === 'darwin') return join(ctx.home, 'Library', 'Application Support', 'certifix');
  return join(absEnv(ctx, 'XDG_DATA_HOME') ?? join(ctx.home, '.local', 'share'), 'certifix');
}

export function certifixPaths(ctx: Ctx): CertifixPaths {
  const dir = dataDir(ctx);
  return {
    dir,
    bundle: join(dir, 'bundle.pem'),
    journal: join(dir, 'journal.json'),
    lock: join(dir, 'lock'),
    backups: join(dir, 'backups'),
  };
}

/** $XDG_CONFIG_HOME or ~/.config (fish and systemd both honour it). */
export function configHome(ctx: Ctx): string {
  return absEnv(ctx, 'XDG_CONFIG_HOME') ?? join(ctx.home, '.config');
}

/** zsh reads its dotfiles from $ZDOTDIR when set, else $HOME (zsh(1) "STARTUP/SHUTDOWN FILES"). */
export function zdotdir(ctx: Ctx): string {
  return absEnv(ctx, 'ZDOTDIR') ?? ctx.home;
}
