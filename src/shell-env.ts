/**
 * The environment a NEW login shell has: what `certifix check` runs the clients in, so the verdict is what
 * the user will see in a fresh terminal, not what this (possibly hand-tweaked) shell has.
 *
 * A login starts from almost nothing: login(1)/sshd hand over who and where (HOME, USER, SHELL, TERM, LANG),
 * pam_env adds /etc/environment, and the shell's profile files do the rest. We rebuild that start and ask the
 * user's shell itself to run its profiles (`$SHELL -l -c`), then read what it exported.
 */
import { readText, sys } from './host-files.ts';
import type { Context } from './types.ts';

/** Variables the session hands to a login shell (login(1), sshd, display managers): identity and locale. */
const SESSION_VARS = [
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'TERM',
  'LANG',
  'LANGUAGE',
  'TMPDIR',
  'DISPLAY',
  'WAYLAND_DISPLAY',
  'XDG_RUNTIME_DIR',
  'DBUS_SESSION_BUS_ADDRESS',
];

/**
 * login(1)'s initial PATH before /etc/profile runs: ENV_SUPATH for root, ENV_PATH for others
 * (Debian's /etc/login.defs, https://manpages.debian.org/bookworm/login/login.defs.5.en.html).
 */
const LOGIN_PATH = {
  root: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  user: '/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games',
};

const MARKER = '__certifix_login_env__';
const MAX_ENVIRONMENT_FILE = 64 * 1024;

export interface ShellEnv {
  env: NodeJS.ProcessEnv;
  /** 'login-shell' when the shell ran its profiles; 'current' when it could not (the reason is in `note`). */
  source: 'login-shell' | 'current';
  shell: string | null;
  note?: string | undefined;
}

/**
 * `/etc/environment` as pam_env reads it: `KEY=VALUE` lines, optional quotes, `#` comments
 * (https://manpages.debian.org/bookworm/libpam-modules/pam_env.8.en.html, "readenv").
 */
export function parseEnvironmentFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(raw);
    if (!m?.[1] || m[2] === undefined) continue;
    let v = m[2].trim();
    if (/^(["']).*\1$/.test(v)) v = v.slice(1, -1);
    out[m[1]] = v;
  }
  return out;
}

/** The starting environment of a login: session variables, login's PATH, then /etc/environment. */
async function loginStart(ctx: Pick<Context, 'env' | 'home' | 'sysroot'>): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = {};
  for (const k of SESSION_VARS) if (ctx.env[k]) env[k] = ctx.env[k];
  for (const [k, v] of Object.entries(ctx.env)) if (k.startsWith('LC_') && v) env[k] = v;
  env.HOME = ctx.home;
  const root = (env.USER ?? env.LOGNAME) === 'root';
  env.PATH = root ? LOGIN_PATH.root : LOGIN_PATH.user;
  // Read as every other config file is (host-files.ts readText): a FIFO or device is not read, nor a file past
  // the bound (cut short, its last line could be half a PATH).
  const file = (await readText(sys(ctx, '/etc/environment'), MAX_ENVIRONMENT_FILE)) ?? '';
  Object.assign(env, parseEnvironmentFile(file));
  return env;
}

/** Parse `env -0` output that follows the marker line (a profile may print a banner before it). */
export function parseEnvDump(stdout: string): NodeJS.ProcessEnv | null {
  const at = stdout.indexOf(`${MARKER}\n`);
  if (at < 0) return null;
  const env: NodeJS.ProcessEnv = {};
  for (const entry of stdout.slice(at + MARKER.length + 1).split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** The environment of a new login shell of this user; falls back to `ctx.env` (with a note) when none runs. */
export async function loginShellEnv(ctx: Context): Promise<ShellEnv> {
  if (ctx.platform === 'win32')
    return { env: ctx.env, source: 'current', shell: null, note: 'Windows: the current environment' };
  const shell = ctx.env.SHELL || '/bin/sh';
  const start = await loginStart(ctx);
  start.SHELL = shell;
  // bash, zsh, dash and fish all take `-l -c`; `echo` and `env` exist in each.
  const r = await ctx.run(shell, ['-l', '-c', `echo ${MARKER}; env -0`], {
    env: start,
    cwd: ctx.home,
    timeoutMs: 20_000,
    input: '',
  });
  const env = r.code === 0 ? parseEnvDump(r.stdout) : null;
  if (!env) {
    const why = (r.stderr.trim().split('\n').at(-1) ?? '').slice(0, 200);
    return {
      env: ctx.env,
      source: 'current',
      shell,
      note: `${shell} -l did not start (${why || `exit ${r.code}`}): using the current environment`,
    };
  }
  return { env, source: 'login-shell', shell };
}
