/**
 * VS Code: extensions run in the extension host, a Node process of VS Code's Electron, so their HTTPS
 * verifies against Node's bundled Mozilla roots plus NODE_EXTRA_CA_CERTS, read once when the process starts
 * (https://nodejs.org/api/cli.html#node_extra_ca_certsfile). VS Code adds the OS's roots to extension
 * requests while `http.systemCertificates` is true, its default ("Controls whether CA certificates should be
 * loaded from the OS", https://code.visualstudio.com/docs/setup/network); on Linux that is the first of
 * /etc/ssl/certs/ca-certificates.crt, /etc/ssl/certs/ca-bundle.crt, /etc/ssl/ca-bundle.pem
 * (@vscode/proxy-agent src/index.ts `readLinuxCaCertificates`, https://github.com/microsoft/vscode-proxy-agent).
 * `http.proxyStrictSSL: false` turns verification off for them.
 * User settings: $XDG_CONFIG_HOME (else ~/.config)/Code/User/settings.json on Linux,
 * ~/Library/Application Support/Code/User on macOS, %APPDATA%\Code\User on Windows (VS Code's
 * userDataPath.ts, https://github.com/microsoft/vscode; https://code.visualstudio.com/docs/configure/settings).
 * VS Code started from the desktop (Dock, Start menu, a launcher) has the environment of the graphical
 * session, not a shell's: NODE_EXTRA_CA_CERTS reaches it through the places certifix persists variables for
 * graphical sessions (environment.d, launchd, HKCU\Environment), once VS Code is restarted.
 * Nothing certifix can run shows what VS Code's extension host would do, so it is `unobservable`: check
 * and fix's proof list it as not run, with its prediction.
 */
import { join } from 'node:path';
import { envOf, isDir, isFile, readText, sys, which } from '../host-files.ts';
import type { Context, Installation, TrustSource } from '../types.ts';
import { NOT_VERIFIED } from './messages.ts';
import { envPlan } from './on-path.ts';
import { renderOf } from './renders.ts';
import { merge, pathSource } from './source.ts';
import type { Client } from './types.ts';

/** The products sharing this layout: the command on PATH and the folder of their user data. */
const PRODUCTS = [
  { command: 'code', folder: 'Code' },
  { command: 'code-insiders', folder: 'Code - Insiders' },
  { command: 'codium', folder: 'VSCodium' },
] as const;

/** @vscode/proxy-agent's Linux list, first readable wins. */
const LINUX_CA_FILES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/ssl/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
];

function userDir(ctx: Pick<Context, 'env' | 'home' | 'platform'>, folder: string): string {
  if (ctx.platform === 'darwin') return join(ctx.home, 'Library', 'Application Support', folder, 'User');
  if (ctx.platform === 'win32')
    return join(ctx.env.APPDATA || join(ctx.home, 'AppData', 'Roaming'), folder, 'User');
  return join(ctx.env.XDG_CONFIG_HOME || join(ctx.home, '.config'), folder, 'User');
}

/** A boolean setting written in settings.json (JSON with comments); null when not written. */
export function vscodeSetting(jsonc: string, key: string): boolean | null {
  const quoted = key.replace(/\./g, '\\.');
  const m = new RegExp(`^[^/"]*"${quoted}"\\s*:\\s*(true|false)\\b`, 'm').exec(jsonc);
  return m ? m[1] === 'true' : null;
}

async function vscodeTrust(inst: Installation, ctx: Context): Promise<TrustSource> {
  const profile = 'node' as const;
  const settings = (await readText(join(inst.details?.userDir ?? '', 'settings.json'))) ?? '';
  const system = vscodeSetting(settings, 'http.systemCertificates') !== false;
  let s: TrustSource = {
    source: system ? 'bundled+system' : 'bundled',
    path: null,
    files: [],
    dirs: [],
    bundled: true,
    profile,
    why: system
      ? "VS Code's extension host trusts Node's bundled roots plus the OS store (http.systemCertificates)."
      : "VS Code's extension host trusts Node's bundled roots only: http.systemCertificates is false.",
  };
  if (system && ctx.platform === 'linux') {
    for (const f of LINUX_CA_FILES)
      if (await isFile(sys(ctx, f))) {
        s = merge({ ...s, path: sys(ctx, f) }, { ...s, files: [sys(ctx, f)] });
        break;
      }
  }
  const extra = envOf(ctx, 'NODE_EXTRA_CA_CERTS');
  if (extra)
    s = merge(s, await pathSource(extra, { source: 'env', via: 'NODE_EXTRA_CA_CERTS', profile, why: '' }));
  const ignores = [
    'VS Code started from the desktop sees only the environment of the graphical session (environment.d, launchd, HKCU\\Environment), not shell profiles, and only after a restart',
    'extensions that start their own tools (Python, Java, Go language servers) verify as those tools do',
    ...(system ? [] : ['http.systemCertificates is false: the OS store is not added to extension requests']),
  ];
  const warnings =
    vscodeSetting(settings, 'http.proxyStrictSSL') === false
      ? ['http.proxyStrictSSL is false: extension requests are not verified']
      : [];
  return { ...s, ignores, ...(warnings.length ? { warnings: [...(s.warnings ?? []), ...warnings] } : {}) };
}

export const vscode: Client = {
  id: 'vscode',

  // The command on PATH, or (desktop installs without it) the user data folder.
  async detect(ctx) {
    const out: Installation[] = [];
    for (const p of PRODUCTS) {
      const dir = userDir(ctx, p.folder);
      const command = await which(p.command, ctx);
      if (command || (await isDir(dir)))
        out.push({ client: 'vscode', path: command ?? dir, details: { userDir: dir } });
    }
    return out;
  },

  trust: vscodeTrust,

  render: renderOf('vscode'),

  plan: (_inst, bundlePath) =>
    envPlan(
      'vscode',
      'NODE_EXTRA_CA_CERTS',
      bundlePath,
      "Set NODE_EXTRA_CA_CERTS to the merged bundle: VS Code's extension host adds it to Node's roots.",
      ['Takes effect when VS Code is restarted (quit every window).'],
    ),

  unobservable:
    "VS Code's extension host starts only inside VS Code's window: its result is predicted from its store",

  async check() {
    return { ok: false, code: NOT_VERIFIED.UNKNOWN, message: 'VS Code is not run (unobservable)' };
  },
};
