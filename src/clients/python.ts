/**
 * Finding Python interpreters and their packages by reading files only (spawning python costs 20+ ms):
 * PATH lookup, pyenv shims resolved the way pyenv does it, venvs via pyvenv.cfg, packages via *.dist-info.
 */
import { basename, dirname, join } from 'node:path';
import { exists, isDir, listDir, readText, real, whichAll } from '../host-files.ts';
import type { Context, TrustSource } from '../types.ts';

export interface PythonInfo {
  /** What is on PATH (a shim or a symlink). */
  command: string;
  /** The real interpreter after shims and symlinks. */
  exe: string;
  /** `3.11.7` when the path or pyvenv.cfg says so, else `3.11`. */
  version: string;
  /** [major, minor] */
  mm: [number, number];
  prefix: string;
  venv: boolean;
  /** Where packages are imported from, in sys.path order. */
  sitePackages: string[];
  /** How it was found (python-envs.ts): on PATH, a pyenv version, a conda env, a project .venv, --python. */
  kind?: EnvKind | undefined;
  /** A conda prefix whose own OpenSSL (lib/libssl*) Python links: its OPENSSLDIR is <prefix>/ssl. */
  condaSsl?: string | undefined;
  /** What the search for environments read only in part (python-envs.ts): on the first environment alone. */
  partial?: string[] | undefined;
}

export type EnvKind = 'path' | 'pyenv' | 'conda' | 'venv' | 'given';

/**
 * pyenv picks the version from PYENV_VERSION, then `.python-version` in the cwd or a parent, then
 * `$PYENV_ROOT/version` (https://github.com/pyenv/pyenv#choosing-the-python-version); PYENV_ROOT defaults
 * to ~/.pyenv (https://github.com/pyenv/pyenv#set-up-your-shell-environment-for-pyenv).
 */
async function pyenvVersion(
  ctx: Pick<Context, 'env' | 'home' | 'cwd'>,
): Promise<{ root: string; version: string }> {
  const root = ctx.env.PYENV_ROOT || join(ctx.home, '.pyenv');
  const first = (s: string) => s.split(/[\s:]+/).find((v) => v && !v.startsWith('#')) ?? 'system';
  if (ctx.env.PYENV_VERSION) return { root, version: first(ctx.env.PYENV_VERSION) };
  for (let d = ctx.cwd; ; d = dirname(d)) {
    const t = await readText(join(d, '.python-version'));
    if (t?.trim()) return { root, version: first(t) };
    if (dirname(d) === d) break;
  }
  const t = await readText(join(root, 'version'));
  return { root, version: t?.trim() ? first(t) : 'system' };
}

async function isPyenvShim(path: string): Promise<boolean> {
  if (!path.includes('shims')) return false;
  const head = (await readText(path))?.slice(0, 400) ?? '';
  return head.startsWith('#!') && head.includes('pyenv');
}

const VERSION_DIR = /(?:^|\/)(\d+\.\d+(?:\.\d+)?)[^/]*\/bin\/[^/]+$/;

/** Resolve one PATH entry to an interpreter, or null (a pyenv shim for 'system' resolves to the next one). */
export async function resolvePython(
  command: string,
  name: string,
  ctx: Pick<Context, 'env' | 'home' | 'cwd'>,
): Promise<PythonInfo | null> {
  let path = command;
  let version: string | undefined;
  if (await isPyenvShim(command)) {
    const pv = await pyenvVersion(ctx);
    if (pv.version === 'system') return null;
    path = join(pv.root, 'versions', pv.version, 'bin', name);
    if (!(await exists(path))) return null;
    version = /^\d+\.\d+(\.\d+)?/.exec(pv.version)?.[0];
  }
  // A venv's bin/python3 is a symlink to the base interpreter; pyvenv.cfg sits one level above bin/.
  const venvDir = dirname(dirname(path));
  const cfg = await readText(join(venvDir, 'pyvenv.cfg'));
  const exe = await real(path);
  version ??= /^version(?:_info)?\s*=\s*(\d+\.\d+(?:\.\d+)?)/m.exec(cfg ?? '')?.[1];
  version ??= VERSION_DIR.exec(exe)?.[1];
  version ??= /python(\d+\.\d+)$/.exec(basename(exe))?.[1];
  const prefix = cfg !== null ? venvDir : dirname(dirname(exe));
  const basePrefix = dirname(dirname(exe));
  version ??= await versionFromLib(prefix);
  if (!version) return null;
  const [maj = 3, min = 0] = version.split('.').map(Number);
  const lib = `python${maj}.${min}`;
  const site: string[] = [join(prefix, 'lib', lib, 'site-packages')];
  const userSite = join(ctx.home, '.local', 'lib', lib, 'site-packages');
  if (cfg === null || /include-system-site-packages\s*=\s*true/i.test(cfg)) {
    if (cfg !== null) site.push(join(basePrefix, 'lib', lib, 'site-packages'));
    // Debian's own interpreter: /usr/local/lib/python3.X/dist-packages then /usr/lib/python3/dist-packages
    // (https://wiki.debian.org/Python#Deviations_from_upstream).
    if (basePrefix === '/usr')
      site.unshift(join('/usr/local/lib', lib, 'dist-packages'), '/usr/lib/python3/dist-packages');
  }
  if (cfg === null) site.unshift(userSite); // user site precedes site-packages (site.py ENABLE_USER_SITE)
  const sitePackages: string[] = [];
  for (const s of site) if (!sitePackages.includes(s) && (await isDir(s))) sitePackages.push(s);
  return { command, exe, version, mm: [maj, min], prefix, venv: cfg !== null, sitePackages };
}

async function versionFromLib(prefix: string): Promise<string | undefined> {
  return firstName(join(prefix, 'lib'), /^python(\d+\.\d+)$/)?.[1];
}

/**
 * Entries read from one directory of an environment (site-packages, lib/, conda-meta/): a large Anaconda base
 * holds a few thousand; a directory in someone's HOME may hold millions, and is not read past this.
 */
export const MAX_ENV_DIR_ENTRIES = 10_000;

/**
 * The first name in `dir` that `re` matches, in the order the directory lists them, the listing stopping
 * there or at MAX_ENV_DIR_ENTRIES; null when none is found within them (or `dir` cannot be listed).
 */
export function firstName(dir: string, re: RegExp): RegExpExecArray | null {
  let m: RegExpExecArray | null = null;
  listDir(dir, MAX_ENV_DIR_ENTRIES, (e) => {
    m = re.exec(e.name);
    return m !== null;
  });
  return m;
}

/** The python3 interpreters on PATH, first one first (the one `python3` runs). */
export async function findPythons(
  ctx: Pick<Context, 'env' | 'home' | 'cwd'>,
  name = 'python3',
): Promise<PythonInfo[]> {
  const out: PythonInfo[] = [];
  for (const cmd of await whichAll(name, ctx)) {
    const info = await resolvePython(cmd, name, ctx);
    if (info && !out.some((o) => o.exe === info.exe && o.prefix === info.prefix)) out.push(info);
  }
  return out;
}

export interface PackageInfo {
  dir: string;
  version: string | undefined;
  site: string;
}

/** A package in the first site-packages that has it, with its version from the `*.dist-info` folder name. */
export async function findPackage(py: PythonInfo, pkg: string): Promise<PackageInfo | null> {
  for (const site of py.sitePackages) {
    const dir = join(site, pkg);
    if (!(await exists(join(dir, '__init__.py')))) continue;
    return { dir, version: distVersion(site, pkg), site };
  }
  return null;
}

/** The version in the name of `<pkg>-<version>.dist-info` (or `.egg-info`) in `site`. */
export function distVersion(site: string, pkg: string): string | undefined {
  return firstName(site, new RegExp(`^${pkg}-([^-]+)\\.(dist|egg)-info$`, 'i'))?.[1];
}

/** Python >= 3.13 verifies with VERIFY_X509_STRICT | VERIFY_X509_PARTIAL_CHAIN. */
export function profileOf(py: PythonInfo): 'python313' | 'openssl' {
  return py.mm[0] > 3 || (py.mm[0] === 3 && py.mm[1] >= 13) ? 'python313' : 'openssl';
}

/** Installation.details for a Python-based client. */
export function pythonDetails(py: PythonInfo): Record<string, string> {
  return {
    python: py.exe,
    pythonVersion: py.version,
    prefix: py.prefix,
    venv: String(py.venv),
    sitePackages: py.sitePackages.join('\n'),
    ...(py.kind ? { env: py.kind } : {}),
    ...(py.condaSsl ? { condaSsl: py.condaSsl } : {}),
    ...(py.partial?.length ? { partial: py.partial.join('\n') } : {}),
  };
}

/** Back from Installation.details to a PythonInfo (trust() gets only the Installation). */
export function pythonFromDetails(d: Record<string, string> | undefined): PythonInfo | null {
  if (!d?.python || !d.pythonVersion) return null;
  const [maj = 3, min = 0] = d.pythonVersion.split('.').map(Number);
  return {
    command: d.python,
    exe: d.python,
    version: d.pythonVersion,
    mm: [maj, min],
    prefix: d.prefix ?? dirname(dirname(d.python)),
    venv: d.venv === 'true',
    sitePackages: (d.sitePackages ?? '').split('\n').filter(Boolean),
    kind: d.env as EnvKind | undefined,
    condaSsl: d.condaSsl,
    partial: d.partial?.split('\n'),
  };
}

/** `s` with what the search for Python environments read only in part among its warnings (pythonDetails). */
export function withPartial(inst: { details?: Record<string, string> }, s: TrustSource): TrustSource {
  const partial = inst.details?.partial?.split('\n') ?? [];
  return partial.length ? { ...s, warnings: [...(s.warnings ?? []), ...partial] } : s;
}
