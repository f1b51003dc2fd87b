/**
 * Every Python environment the user has, each with its own certifi and OpenSSL, found by reading files only:
 * the pythons on PATH (first: the one `python3` runs), pyenv's versions, conda's base and envs, project
 * `.venv`s under the current directory, and interpreters named with `--python PATH` (ctx.pythons).
 * Everything here is in someone's HOME: reads are bounded (entries, bytes), and a symlinked version, env or
 * project directory is skipped (a link planted to steer `sudo certifix` elsewhere is not followed); the
 * interpreter link inside an environment (bin/python3 -> python3.11) is the expected one.
 */
import { lstat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { exists, isDir, listDir, readText } from '../host-files.ts';
import type { Context } from '../types.ts';
import { type EnvKind, findPythons, firstName, type PythonInfo, resolvePython } from './python.ts';

/** At most this many environments (a HOME with more is read in part, in the order below). */
const MAX_ENVS = 64;
/** Entries read from one directory listing (versions/, envs/, a project directory). */
const MAX_ENTRIES = 500;
/** What was read in part, said at most this many times (then how many more). */
const MAX_NOTES = 3;

/** What a search read only in part, said in the first environment's rows (diagnose, status). */
type Capped = string[];

async function subdirs(dir: string, partial?: Capped): Promise<string[]> {
  const listing = listDir(dir, MAX_ENTRIES);
  if (listing?.capped)
    partial?.push(`${dir} holds more than ${MAX_ENTRIES} entries: only ${MAX_ENTRIES} of them were read`);
  // Each entry's type is its own: a symlink is not isDirectory(), so links are skipped.
  return (listing?.entries ?? [])
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** A directory that is itself no symlink (the user's own trees, not a link someone planted). */
async function realDir(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * conda's install locations: the installers' defaults in HOME (Anaconda: ~/anaconda3,
 * https://docs.anaconda.com/anaconda/install/; Miniconda: ~/miniconda3; Miniforge: ~/miniforge3 and the
 * older ~/mambaforge, https://github.com/conda-forge/miniforge#install) and, on Windows, %LOCALAPPDATA%
 * and %ProgramData% ("All Users"); conda's own record of every env it created,
 * ~/.conda/environments.txt (one prefix a line; conda/core/envs_manager.py `USER_ENVIRONMENTS_TXT_FILE`,
 * https://github.com/conda/conda); and the active one ($CONDA_PREFIX) and the conda that runs ($CONDA_EXE).
 */
export async function condaPrefixes(
  ctx: Pick<Context, 'env' | 'home' | 'platform'>,
  partial?: Capped,
): Promise<string[]> {
  const names = ['anaconda3', 'miniconda3', 'miniforge3', 'mambaforge'];
  const roots = names.map((n) => join(ctx.env.USERPROFILE || ctx.home, n));
  if (ctx.platform === 'win32') {
    const local = ctx.env.LOCALAPPDATA;
    const data = ctx.env.ProgramData || ctx.env.PROGRAMDATA;
    for (const base of [local, data]) if (base) roots.push(...names.map((n) => join(base, n)));
  }
  const exe = ctx.env.CONDA_EXE;
  // $CONDA_EXE is <root>/bin/conda (Windows: <root>\Scripts\conda.exe)
  if (exe && isAbsolute(exe)) roots.push(join(exe, '..', '..'));
  const out: string[] = [];
  const add = (p: string) => {
    if (isAbsolute(p) && !out.includes(p)) out.push(p);
  };
  for (const root of roots) {
    if (!(await realDir(join(root, 'conda-meta')))) continue;
    add(root);
    for (const n of await subdirs(join(root, 'envs'), partial)) add(join(root, 'envs', n));
  }
  const txt = await readText(join(ctx.home, '.conda', 'environments.txt'));
  for (const line of (txt ?? '').split(/\r?\n/).slice(0, MAX_ENTRIES)) add(line.trim());
  if (ctx.env.CONDA_PREFIX) add(ctx.env.CONDA_PREFIX);
  const prefixes: string[] = [];
  for (const p of out) if (await realDir(join(p, 'conda-meta'))) prefixes.push(p);
  return prefixes;
}

/** The interpreter of a conda prefix, with its own OpenSSL when it links one. */
async function condaPython(prefix: string, ctx: Pick<Context, 'env' | 'home' | 'cwd' | 'platform'>) {
  if (ctx.platform === 'win32') return windowsCondaPython(prefix);
  const py = await resolvePython(join(prefix, 'bin', 'python3'), 'python3', ctx);
  if (!py) return null;
  // conda-forge builds OpenSSL with --prefix=$PREFIX and no --openssldir (recipe/build.sh,
  // https://github.com/conda-forge/openssl-feedstock), so OPENSSLDIR is PREFIX/ssl (OpenSSL's Configure:
  // "--openssldir ... (Default: PREFIX/ssl)", https://github.com/openssl/openssl/blob/master/Configure), and
  // conda relocates that prefix on install. The ca-certificates package puts cert.pem there.
  const ownSsl = firstName(join(prefix, 'lib'), /^libssl\.(so|\d.*dylib)/) !== null;
  return { ...py, kind: 'conda' as const, ...(ownSsl ? { condaSsl: join(prefix, 'ssl') } : {}) };
}

/**
 * Anaconda's Windows layout (https://docs.anaconda.com/anaconda/user-guide/tasks/integration/python-path/):
 * <prefix>\python.exe, packages in <prefix>\Lib\site-packages, the interpreter's version in the name of its
 * conda-meta record (conda-meta\python-3.11.5-h….json). Its OpenSSL's OPENSSLDIR is %CommonProgramFiles%\ssl,
 * not the prefix; activation points SSL_CERT_FILE at Library\ssl\cacert.pem instead (recipe/bld.bat,
 * https://github.com/conda-forge/openssl-feedstock).
 */
async function windowsCondaPython(prefix: string): Promise<PythonInfo | null> {
  const exe = join(prefix, 'python.exe');
  if (!(await exists(exe))) return null;
  const version = firstName(join(prefix, 'conda-meta'), /^python-(\d+\.\d+(?:\.\d+)?)-/)?.[1];
  if (!version) return null;
  const [maj = 3, min = 0] = version.split('.').map(Number);
  const site = join(prefix, 'Lib', 'site-packages');
  return {
    command: exe,
    exe,
    version,
    mm: [maj, min],
    prefix,
    venv: false,
    sitePackages: (await isDir(site)) ? [site] : [],
    kind: 'conda',
  };
}

/** pyenv's installed versions ($PYENV_ROOT/versions/*, https://github.com/pyenv/pyenv#how-it-works). */
async function pyenvPythons(ctx: Pick<Context, 'env' | 'home' | 'cwd'>, partial: Capped): Promise<string[]> {
  const root = join(ctx.env.PYENV_ROOT || join(ctx.home, '.pyenv'), 'versions');
  return (await subdirs(root, partial)).map((v) => join(root, v, 'bin', 'python3'));
}

/**
 * Project `.venv`s (uv, poetry with in-project venvs, `python -m venv .venv`) in cwd and two levels below.
 * A search of wherever the command runs, so it says nothing of what it read in part: /tmp or a downloads
 * folder with a thousand files is no problem of the user's. cwd's own .venv is looked for by name, past any
 * bound; the levels below are read within the bounds.
 */
async function projectVenvs(cwd: string): Promise<string[]> {
  const out: string[] = [];
  const own = join(cwd, '.venv');
  if ((await realDir(own)) && (await exists(join(own, 'pyvenv.cfg')))) out.push(join(own, 'bin', 'python3'));
  let level = [cwd];
  let listed = 0;
  for (let depth = 0; depth <= 2 && level.length > 0; depth++) {
    const next: string[] = [];
    for (const dir of level) {
      if (listed++ > MAX_ENTRIES) return out;
      const names = await subdirs(dir);
      if (dir !== cwd && names.includes('.venv') && (await exists(join(dir, '.venv', 'pyvenv.cfg'))))
        out.push(join(dir, '.venv', 'bin', 'python3'));
      for (const n of names) if (!n.startsWith('.') && n !== 'node_modules') next.push(join(dir, n));
    }
    level = next;
  }
  return out;
}

/**
 * The Python environments, PATH's first (in PATH order), then conda's and --python's; with
 * `ctx.pythonScope === 'all'` (diagnose) also every pyenv version and project .venv.
 */
export async function findPythonEnvs(ctx: Context): Promise<PythonInfo[]> {
  const out: PythonInfo[] = [];
  const partial: Capped = [];
  let dropped = 0;
  // The interpreters named with --python are never dropped: they are how a user reaches one past the bound.
  const push = (py: PythonInfo | null, kind: EnvKind) => {
    if (!py || out.some((o) => o.exe === py.exe && o.prefix === py.prefix)) return;
    if (out.length >= MAX_ENVS && kind !== 'given') dropped++;
    else out.push({ ...py, kind: py.kind ?? kind });
  };
  const conda = new Set(await condaPrefixes(ctx, partial));
  for (const py of await findPythons(ctx)) {
    const c = conda.has(py.prefix) ? await condaPython(py.prefix, ctx) : null;
    push(c ?? py, 'path');
  }
  const all = ctx.pythonScope === 'all';
  if (all)
    for (const p of await pyenvPythons(ctx, partial)) push(await resolvePython(p, 'python3', ctx), 'pyenv');
  for (const prefix of conda) push(await condaPython(prefix, ctx), 'conda');
  if (all && ctx.cwd !== ctx.home && ctx.cwd !== '/') {
    for (const p of await projectVenvs(ctx.cwd)) push(await resolvePython(p, 'python3', ctx), 'venv');
  }
  for (const p of ctx.pythons ?? []) push(await resolvePython(p, 'python3', ctx), 'given');
  if (dropped > 0)
    partial.push(
      `${MAX_ENVS + dropped} Python environments found: only the first ${MAX_ENVS} were looked at`,
    );
  const [first] = out;
  // said once, by the rows of the first environment (PATH's python3); diagnose, check and fix take --python
  if (first && partial.length > 0) {
    const shown = partial
      .slice(0, MAX_NOTES)
      .map((p) => `${p} (diagnose, check and fix look at another with --python PATH)`);
    if (partial.length > MAX_NOTES)
      shown.push(`and ${partial.length - MAX_NOTES} more directories read in part`);
    out[0] = { ...first, partial: shown };
  }
  return out;
}

/** The label of an installation's Python environment (from Installation.details). */
export function envLabelOf(inst: { details?: Record<string, string> | undefined }, home: string): string {
  const d = inst.details ?? {};
  return envLabel(
    { prefix: d.prefix ?? '', version: d.pythonVersion ?? '?', kind: d.env as EnvKind | undefined },
    home,
  );
}

/** How a row names an environment: `~/miniconda3/envs/ds (conda, Python 3.11.5)`. */
export function envLabel(py: Pick<PythonInfo, 'prefix' | 'version' | 'kind'>, home: string): string {
  const where = py.prefix.startsWith(`${home}/`) ? `~${py.prefix.slice(home.length)}` : py.prefix;
  return `${where} (${py.kind && py.kind !== 'path' ? `${py.kind}, ` : ''}Python ${py.version})`;
}
