/**
 * Windows: what `fix` writes besides the user environment (registry.ts). On Windows the Python most people
 * have is Anaconda's, which is not on PATH outside the Anaconda Prompt, so it is found by its install layout,
 * not by a PATH search; npm is a `npm.cmd` next to node.exe. Config files then go where each tool reads them
 * on Windows:
 * - pip: %APPDATA%\pip\pip.ini (https://pip.pypa.io/en/stable/topics/configuration/#location);
 * - npm: %USERPROFILE%\.npmrc (https://docs.npmjs.com/cli/v11/configuring-npm/npmrc#files);
 * - conda: %USERPROFILE%\.condarc `ssl_verify: <bundle>` (https://docs.conda.io/projects/conda/en/latest/user-guide/configuration/settings.html#ssl-verify);
 * - requests (certifi) in Anaconda: REQUESTS_CA_BUNDLE (https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification).
 * Windows' own curl.exe and Git for Windows with `http.sslBackend=schannel` verify with Schannel, i.e. the
 * Windows store: nothing to configure for them, and the plan says so.
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { Change, Plan } from '../core/plan.ts';
import { gitconfig } from '../formats/gitconfig.ts';
import { getKey } from '../formats/keyfile.ts';
import { readText } from '../host-files.ts';
import type { Context, Runner } from '../types.ts';

type Ctx = Pick<Context, 'env' | 'home'> & { run?: Runner | undefined };

const isDir = async (p: string) => (await stat(p).catch(() => null))?.isDirectory() === true;
const isFile = async (p: string) => (await stat(p).catch(() => null))?.isFile() === true;

/** Where Anaconda and Miniconda install (https://docs.anaconda.com/anaconda/install/windows/: "Just Me"
 * installs to %USERPROFILE%\anaconda3, "All Users" to C:\ProgramData\anaconda3). */
function condaRoots(ctx: Ctx): string[] {
  const profile = ctx.env.USERPROFILE || ctx.home;
  const data = ctx.env.ProgramData || ctx.env.PROGRAMDATA || 'C:\\ProgramData';
  const local = ctx.env.LOCALAPPDATA || join(profile, 'AppData', 'Local');
  return [
    join(profile, 'anaconda3'),
    join(profile, 'miniconda3'),
    join(local, 'anaconda3'), // the installer's default when the profile path has spaces
    join(local, 'miniconda3'),
    join(data, 'anaconda3'),
    join(data, 'miniconda3'),
  ];
}

/** One Python prefix of a conda installation (the base or one of envs\*). */
interface CondaPrefix {
  prefix: string;
  /** certifi's bundle, which requests uses: Lib\site-packages\certifi\cacert.pem. */
  certifi: string | null;
  /** conda's OpenSSL bundle (the ca-certificates package): Library\ssl\cacert.pem. */
  opensslBundle: string | null;
}

async function prefixOf(dir: string): Promise<CondaPrefix | null> {
  if (!(await isFile(join(dir, 'python.exe')))) return null;
  const certifi = join(dir, 'Lib', 'site-packages', 'certifi', 'cacert.pem');
  const ssl = join(dir, 'Library', 'ssl', 'cacert.pem');
  return {
    prefix: dir,
    certifi: (await isFile(certifi)) ? certifi : null,
    opensslBundle: (await isFile(ssl)) ? ssl : null,
  };
}

/** Every conda installation and its environments (envs\<name>), base first. */
async function findConda(ctx: Ctx): Promise<CondaPrefix[]> {
  const out: CondaPrefix[] = [];
  for (const root of condaRoots(ctx)) {
    // conda-meta marks a conda prefix (https://docs.conda.io/projects/conda/en/latest/user-guide/concepts/environments.html).
    if (!(await isDir(join(root, 'conda-meta')))) continue;
    const base = await prefixOf(root);
    if (base) out.push(base);
    const names = await readdir(join(root, 'envs')).catch(() => [] as string[]);
    for (const n of names.sort().slice(0, 200)) {
      const env = await prefixOf(join(root, 'envs', n));
      if (env) out.push(env);
    }
  }
  return out;
}

/** `name` with each PATHEXT extension, searched on PATH as cmd.exe does. */
async function onPath(name: string, ctx: Ctx): Promise<string | null> {
  const exts = (ctx.env.PATHEXT || '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean);
  for (const dir of (ctx.env.PATH ?? ctx.env.Path ?? '').split(delimiter).filter(Boolean)) {
    for (const ext of exts) {
      const p = join(dir, name + ext.toLowerCase());
      if (await isFile(p)) return p;
    }
  }
  return null;
}

/** npm is installed: npm.cmd on PATH (the Node installer puts it next to node.exe), or its global prefix
 * %APPDATA%\npm exists (https://docs.npmjs.com/cli/v11/configuring-npm/folders#prefix-configuration). */
async function hasNpm(ctx: Ctx, nodeDir?: string): Promise<boolean> {
  if (nodeDir && (await isFile(join(nodeDir, 'npm.cmd')))) return true;
  if (await onPath('npm', ctx)) return true;
  return isDir(join(ctx.env.APPDATA || join(ctx.home, 'AppData', 'Roaming'), 'npm'));
}

/** The condarc change: our own file when there is none; an existing .condarc is YAML we do not rewrite. */
async function condarc(ctx: Ctx, bundlePath: string): Promise<{ change?: Change; note: string }> {
  const path = join(ctx.env.USERPROFILE || ctx.home, '.condarc');
  // Only whether it exists matters: lstat, so a symlink or an oversized file is never read nor replaced.
  const present = await lstat(path).then(
    () => true,
    (e: NodeJS.ErrnoException) => e.code !== 'ENOENT',
  );
  if (!present) {
    return {
      change: { kind: 'file', path, content: `ssl_verify: ${JSON.stringify(bundlePath)}\n`, mode: 0o644 },
      note: `conda: ssl_verify in ${path} points at the merged bundle.`,
    };
  }
  return {
    note: `conda: ${path} exists; add \`ssl_verify: ${bundlePath}\` to it (or run \`conda config --set ssl_verify ${bundlePath}\`).`,
  };
}

/**
 * Git for Windows' `http.sslBackend`: its installer records the choice in the system config
 * (<Program Files>\Git\etc\gitconfig); the user's ~/.gitconfig, read later, wins
 * (https://git-scm.com/docs/git-config#Documentation/git-config.txt-httpsslBackend). Unset means openssl.
 * Null when Git for Windows is not installed.
 */
export async function gitBackend(ctx: Ctx): Promise<string | null> {
  const pf = ctx.env.ProgramFiles || ctx.env.PROGRAMFILES || 'C:\\Program Files';
  const system = await readText(join(pf, 'Git', 'etc', 'gitconfig'));
  if (system === null) return null;
  const user = (await readText(join(ctx.env.USERPROFILE || ctx.home, '.gitconfig'))) ?? '';
  const value =
    getKey(user, 'http', 'sslBackend', gitconfig) ?? getKey(system, 'http', 'sslBackend', gitconfig);
  return (value ?? 'openssl').toLowerCase();
}

/**
 * The TLS backend on `curl -V`'s first line: the first one after `libcurl/<version>`, a multi-SSL build listing
 * the others in parentheses (`OpenSSL/3.0.7 (Schannel)`). Windows' own curl says `Schannel`
 * (`curl 8.13.0 (Windows) libcurl/8.13.0 Schannel zlib/1.3.1 WinIDN`: https://github.com/curl/curl-www/issues/463),
 * older ones `WinSSL` (`curl 7.55.1 (Windows) libcurl/7.55.1 WinSSL`: https://github.com/curl/curl/issues/4473).
 */
export function curlBackend(versionOutput: string): string | null {
  const first = versionOutput.split(/\r?\n/, 1)[0] ?? '';
  const m = /\blibcurl\/\S+\s+([A-Za-z][\w-]*)/.exec(first);
  if (!m?.[1]) return null;
  return /^(schannel|winssl)$/i.test(m[1]) ? 'schannel' : m[1].toLowerCase();
}

async function curlUsesSchannel(ctx: Ctx, exe: string): Promise<boolean> {
  if (!ctx.run) return true; // Windows' own curl.exe is built with Schannel by Microsoft
  const r = await ctx.run(exe, ['-V'], { timeoutMs: 10_000 }).catch(() => null);
  return r?.code === 0 && curlBackend(r.stdout) === 'schannel';
}

/** What already uses the Windows store through Schannel (for the plan and for `status`). */
export async function schannelNotes(ctx: Ctx): Promise<string[]> {
  const notes: string[] = [];
  const sysroot = ctx.env.SystemRoot || ctx.env.SYSTEMROOT || 'C:\\Windows';
  const curl = join(sysroot, 'System32', 'curl.exe');
  if ((await isFile(curl)) && (await curlUsesSchannel(ctx, curl))) {
    notes.push("curl.exe (Windows' own) verifies with Schannel, i.e. the Windows store: nothing to set.");
  }
  const backend = await gitBackend(ctx);
  if (backend === 'schannel')
    notes.push(
      'Git for Windows uses Schannel (http.sslBackend=schannel): the Windows store, nothing to set.',
    );
  else if (backend)
    notes.push(
      `Git for Windows uses ${backend} (http.sslBackend): it reads GIT_SSL_CAINFO / http.sslCAInfo, which fix sets; \`git config --global http.sslBackend schannel\` would use the Windows store instead.`,
    );
  return notes;
}

/** The Windows-only plan: config files for pip, npm and conda, REQUESTS_CA_BUNDLE for Anaconda's requests. */
export async function windowsPlan(bundlePath: string, ctx: Ctx, nodeDir?: string): Promise<Plan | null> {
  const changes: Change[] = [];
  const notes: string[] = [];
  const conda = await findConda(ctx);
  if (conda.length > 0) {
    const appdata = ctx.env.APPDATA || join(ctx.home, 'AppData', 'Roaming');
    changes.push({
      kind: 'ini',
      path: join(appdata, 'pip', 'pip.ini'),
      section: 'global',
      key: 'cert',
      value: bundlePath,
    });
    changes.push({ kind: 'env', name: 'REQUESTS_CA_BUNDLE', value: bundlePath });
    const c = await condarc(ctx, bundlePath);
    if (c.change) changes.push(c.change);
    notes.push(`Anaconda: ${conda.map((p) => p.prefix).join(', ')}`, c.note);
  }
  if (await hasNpm(ctx, nodeDir)) {
    const path = ctx.env.NPM_CONFIG_USERCONFIG || join(ctx.env.USERPROFILE || ctx.home, '.npmrc');
    changes.push({ kind: 'npmrc', path, key: 'cafile', value: bundlePath });
  }
  notes.push(...(await schannelNotes(ctx)));
  if (changes.length === 0 && notes.length === 0) return null;
  return {
    owner: 'certifix',
    summary: 'Windows: pip.ini, .npmrc and .condarc where those tools are installed.',
    changes,
    notes,
  };
}
