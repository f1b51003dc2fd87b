/**
 * Settings that turn certificate verification off. certifix never sets any of these; `status` finds them and
 * says why they are dangerous, because they are the "fix" people reach for first.
 */
import { join } from 'node:path';
import { readText } from './clients/fsx.ts';
import { gitConfigValue } from './clients/git.ts';
import { findNode } from './clients/node.ts';
import { findNpm, npmLayers } from './clients/npm.ts';
import { pipOption } from './clients/pip-config.ts';
import { findPythons } from './clients/python.ts';
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
  if (npm) {
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
  const curlrc = await readText(join(ctx.env.CURL_HOME || ctx.home, '.curlrc'));
  if (curlrc && /^\s*(-k|--?insecure)\b/m.test(curlrc)) out.push(found('insecure in your .curlrc', 'curl'));
  return out;
}
