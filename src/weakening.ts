/**
 * Settings that turn certificate verification off. certifix never sets any of these; `status` finds them and
 * says why they are dangerous, because they are the "fix" people reach for first.
 */
import { join } from 'node:path';
import { readText } from './clients/fsx.ts';
import { parseGitConfig, parseIni, parseNpmrc } from './clients/ini.ts';
import type { Context } from './clients/types.ts';
import type { Finding } from './core/report.ts';

/** Environment variables, the value that disables verification, and who reads them. */
const ENV_SWITCHES: ReadonlyArray<{ name: string; off: (v: string) => boolean; who: string }> = [
  // https://nodejs.org/api/cli.html#node_tls_reject_unauthorizedvalue
  { name: 'NODE_TLS_REJECT_UNAUTHORIZED', off: (v) => v === '0', who: 'Node and npm' },
  // https://peps.python.org/pep-0493/ (honoured by some distro Pythons)
  { name: 'PYTHONHTTPSVERIFY', off: (v) => v === '0', who: 'Python (PEP 493 builds)' },
  // https://git-scm.com/docs/git-config#Documentation/git-config.txt-httpsslVerify
  { name: 'GIT_SSL_NO_VERIFY', off: (v) => v !== '' && v !== '0' && v.toLowerCase() !== 'false', who: 'git' },
  // https://docs.npmjs.com/cli/v10/using-npm/config#strict-ssl
  { name: 'npm_config_strict_ssl', off: (v) => v === 'false', who: 'npm' },
  { name: 'NPM_CONFIG_STRICT_SSL', off: (v) => v === 'false', who: 'npm' },
  // https://pip.pypa.io/en/stable/cli/pip/#cmdoption-trusted-host
  {
    name: 'PIP_TRUSTED_HOST',
    off: (v) => v.trim() !== '',
    who: 'pip (trusted-host skips verification for those hosts)',
  },
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
  const npmrc = await readText(
    ctx.env.NPM_CONFIG_USERCONFIG || ctx.env.npm_config_userconfig || join(ctx.home, '.npmrc'),
  );
  if (
    npmrc &&
    parseNpmrc(npmrc)
      .get('strict-ssl')
      ?.some((v) => v === 'false')
  ) {
    out.push(found('strict-ssl=false in your .npmrc', 'npm'));
  }
  for (const pipConf of [
    join(ctx.env.XDG_CONFIG_HOME || join(ctx.home, '.config'), 'pip', 'pip.conf'),
    join(ctx.home, '.pip', 'pip.conf'),
  ]) {
    const text = await readText(pipConf);
    if (!text) continue;
    for (const [section, keys] of parseIni(text)) {
      if (keys.get('trusted-host')) out.push(found(`trusted-host in [${section}] of ${pipConf}`, 'pip'));
    }
  }
  const gitconfig = await readText(ctx.env.GIT_CONFIG_GLOBAL || join(ctx.home, '.gitconfig'));
  if (
    gitconfig &&
    parseGitConfig(gitconfig)
      .get('http.sslverify')
      ?.some((v) => /^(false|no|off|0)$/i.test(v))
  ) {
    out.push(found('http.sslVerify=false in your git config', 'git'));
  }
  const curlrc = await readText(join(ctx.env.CURL_HOME || ctx.home, '.curlrc'));
  if (curlrc && /^\s*(-k|--?insecure)\b/m.test(curlrc)) out.push(found('insecure in your .curlrc', 'curl'));
  return out;
}
