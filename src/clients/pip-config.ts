/**
 * pip's configuration, as pip/_internal/configuration.py loads it (pip 23-24, read from the installed source):
 * variants in OVERRIDE_ORDER = global, user, site, env (PIP_CONFIG_FILE), env-var (PIP_*) — later wins;
 * the user files are skipped when PIP_CONFIG_FILE names an existing file; PIP_CONFIG_FILE=os.devnull skips
 * every file. Within the merged result, sections override as ["global", <command>, ":env:"]
 * (cli/parser.py _get_ordered_configuration_items). Docs: https://pip.pypa.io/en/stable/topics/configuration/
 */
import { join } from 'node:path';
import { exists, readText, sys } from '../host-files.ts';
import type { Context } from '../types.ts';
import { parseIni } from './ini.ts';

interface PipFile {
  variant: 'global' | 'user' | 'site' | 'env';
  path: string;
}

/** The files pip would read on Linux, lowest priority first. */
async function pipConfigFiles(ctx: Context, prefix: string): Promise<PipFile[]> {
  const envFile = ctx.env.PIP_CONFIG_FILE;
  if (envFile === '/dev/null') return [];
  const xdgDirs = (ctx.env.XDG_CONFIG_DIRS || '/etc/xdg').split(':').filter(Boolean);
  const files: PipFile[] = [
    // Global: <each XDG_CONFIG_DIRS>/pip/pip.conf, then /etc/pip.conf (utils/appdirs.py site_config_dirs)
    ...xdgDirs.map((d) => ({ variant: 'global' as const, path: sys(ctx, join(d, 'pip', 'pip.conf')) })),
    { variant: 'global', path: sys(ctx, '/etc/pip.conf') },
  ];
  if (!(envFile && (await exists(envFile)))) {
    if (ctx.platform === 'win32') files.push({ variant: 'user', path: windowsPipIni(ctx) });
    const xdgHome = ctx.env.XDG_CONFIG_HOME || join(ctx.home, '.config');
    // User: legacy ~/.pip/pip.conf, then the XDG file (which overrides it)
    files.push({ variant: 'user', path: join(ctx.home, '.pip', 'pip.conf') });
    files.push({ variant: 'user', path: join(xdgHome, 'pip', 'pip.conf') });
  }
  // Site: sys.prefix/pip.conf (the venv when running in one)
  files.push({ variant: 'site', path: join(prefix, 'pip.conf') });
  if (envFile) files.push({ variant: 'env', path: envFile });
  return files;
}

/** The user file `pip config set --user` writes. */
export function pipUserConfig(ctx: Pick<Context, 'env' | 'home'> & { platform?: NodeJS.Platform }): string {
  // Windows: %APPDATA%\pip\pip.ini (https://pip.pypa.io/en/stable/topics/configuration/#location).
  if (ctx.platform === 'win32') return windowsPipIni(ctx);
  return join(ctx.env.XDG_CONFIG_HOME || join(ctx.home, '.config'), 'pip', 'pip.conf');
}

/** pip's user config file on Windows: %APPDATA%\pip\pip.ini (utils/appdirs.py user_config_dir). */
function windowsPipIni(ctx: Pick<Context, 'env' | 'home'>): string {
  return join(ctx.env.APPDATA || join(ctx.home, 'AppData', 'Roaming'), 'pip', 'pip.ini');
}

interface PipSetting {
  value: string;
  /** `PIP_CERT`, or `/etc/pip.conf [global] cert`. */
  via: string;
}

/** One option as pip resolves it for `command` (default `install`, what users run). */
export async function pipOption(
  ctx: Context,
  prefix: string,
  key: string,
  command = 'install',
): Promise<PipSetting | null> {
  const envName = `PIP_${key.toUpperCase().replace(/-/g, '_')}`;
  const env = ctx.env[envName];
  if (env) return { value: env, via: envName };
  let global: PipSetting | null = null;
  let cmd: PipSetting | null = null;
  for (const f of await pipConfigFiles(ctx, prefix)) {
    const text = await readText(f.path);
    if (text === null) continue;
    const ini = parseIni(text);
    const g = ini.get('global')?.get(key);
    const c = ini.get(command)?.get(key);
    if (g) global = { value: g, via: `${f.path} [global] ${key}` };
    if (c) cmd = { value: c, via: `${f.path} [${command}] ${key}` };
  }
  return cmd ?? global;
}
