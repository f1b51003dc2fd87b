/**
 * Settings that turn certificate verification off. certifix never sets any of these; `status` finds them and
 * says why they are dangerous, because they are the "fix" people reach for first.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { configHome, zdotdir } from './apply/paths.ts';
import { gitConfigValue } from './clients/git.ts';
import { findNode } from './clients/node.ts';
import { findNpm, npmLayers } from './clients/npm.ts';
import { pipOption } from './clients/pip-config.ts';
import { findPythons } from './clients/python.ts';
import type { Finding } from './core/report.ts';
import { curlrcInsecure } from './formats/curlrc.ts';
import { shellAssignments } from './formats/shell.ts';
import { readText } from './host-files.ts';
import type { Context } from './types.ts';

/** Environment variables, the value that disables verification, and who reads them. */
const ENV_SWITCHES: ReadonlyArray<{ name: string; off: (v: string) => boolean; who: string }> = [
  // https://nodejs.org/api/cli.html#node_tls_reject_unauthorizedvalue
  { name: 'NODE_TLS_REJECT_UNAUTHORIZED', off: (v) => v === '0', who: 'Node and npm' },
  // https://peps.python.org/pep-0493/ (honoured by some distro Pythons)
  { name: 'PYTHONHTTPSVERIFY', off: (v) => v === '0', who: 'Python (PEP 493 builds)' },
  // https://git-scm.com/docs/git-config#Documentation/git-config.txt-httpsslVerify
  { name: 'GIT_SSL_NO_VERIFY', off: (v) => v !== '' && v !== '0' && v.toLowerCase() !== 'false', who: 'git' },
];

const found = (what: string, who: string): Finding => ({
  id: 'verification-disabled',
  severity: 'error',
  message: `${what} switches certificate verification off for ${who}: anyone on the network can read and change that traffic.`,
  fix: 'Remove it; `certifix fix` makes verification succeed instead.',
});

export async function weakeningSettings(ctx: Context): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const s of ENV_SWITCHES) {
    const v = ctx.env[s.name];
    if (v !== undefined && s.off(v)) out.push(found(`${s.name}=${v}`, s.who));
  }
  // Config settings, read through each client's own layer resolution (env, project, user, global files).
  const [npm, node, pythons, gitVerify] = await Promise.all([
    findNpm(ctx),
    findNode(ctx),
    findPythons(ctx),
    gitConfigValue(ctx, 'http.sslverify'),
  ]);
  if (npm && node) {
    // https://docs.npmjs.com/cli/v10/using-npm/config#strict-ssl
    for (const layer of await npmLayers(ctx, npm.dir, node.path)) {
      if (layer.values.get('strict-ssl')?.includes('false')) {
        out.push(found(`strict-ssl=false in ${layer.file ?? 'the npm_config_* environment'}`, 'npm'));
      }
    }
  }
  const python = pythons[0];
  // https://pip.pypa.io/en/stable/cli/pip/#cmdoption-trusted-host
  const trusted = python ? await pipOption(ctx, python.prefix, 'trusted-host') : null;
  if (trusted?.value.trim()) out.push(found(`trusted-host (${trusted.via})`, 'pip (for those hosts)'));
  if (gitVerify && /^(false|no|off|0)$/i.test(gitVerify.value)) {
    out.push(found(`http.sslVerify=${gitVerify.value} in ${gitVerify.file}`, 'git'));
  }
  for (const file of curlrcCandidates(ctx)) {
    const text = await readText(file);
    if (text !== null && curlrcInsecure(text)) out.push(found(`insecure in ${file}`, 'curl'));
  }
  out.push(...(await startupFileSwitches(ctx)));
  return out;
}

/**
 * Every file curl may read its defaults from (tool_findfile.c; https://github.com/curl/curl/issues/12129):
 * $CURL_HOME/.curlrc, $XDG_CONFIG_HOME/.curlrc, $HOME/.curlrc, then ~/.config/curlrc, plus
 * $XDG_CONFIG_HOME/curlrc, the XDG spelling users write. curl reads the first it finds; any of them is
 * worth a warning.
 */
function curlrcCandidates(ctx: Context): string[] {
  const xdg = ctx.env.XDG_CONFIG_HOME;
  const files = [
    ctx.env.CURL_HOME && join(ctx.env.CURL_HOME, '.curlrc'),
    xdg && join(xdg, '.curlrc'),
    xdg && join(xdg, 'curlrc'),
    join(ctx.home, '.curlrc'),
    join(ctx.home, '.config', 'curlrc'),
  ];
  return [...new Set(files.filter((f): f is string => Boolean(f)))];
}

/**
 * Verification-off exports written in shell startup files: every NEW shell gets them, whether or not the
 * shell running certifix has them (the startup files of sh, bash, zsh, fish and systemd environment.d).
 */
async function startupFileSwitches(ctx: Context): Promise<Finding[]> {
  const out: Finding[] = [];
  const zdot = zdotdir(ctx);
  const conf = configHome(ctx);
  const files = [
    ...['.profile', '.bash_profile', '.bash_login', '.bashrc'].map((f) => join(ctx.home, f)),
    ...['.zshenv', '.zprofile', '.zshrc', '.zlogin'].map((f) => join(zdot, f)),
    join(conf, 'fish', 'config.fish'),
    ...(await listDir(join(conf, 'fish', 'conf.d'), '.fish')),
    ...(await listDir(join(conf, 'environment.d'), '.conf')),
  ];
  for (const file of [...new Set(files)]) {
    const text = await readText(file);
    if (text === null) continue;
    for (const a of shellAssignments(text)) {
      const s = ENV_SWITCHES.find((x) => x.name === a.name);
      if (s?.off(a.value)) out.push(found(`${a.name}=${a.value} in ${file} (line ${a.line})`, s.who));
    }
  }
  return out;
}

async function listDir(dir: string, ext: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .filter((n) => n.endsWith(ext))
    .slice(0, 200)
    .map((n) => join(dir, n));
}
