/**
 * Where conda reads `ssl_verify` from. conda loads every file of its SEARCH_PATH that exists, in order, and
 * for a plain setting such as ssl_verify the last one wins; CONDA_SSL_VERIFY (or its alias's
 * CONDA_VERIFY_SSL) overrides the files (conda/base/constants.py SEARCH_PATH, conda/common/configuration.py
 * PrimitiveLoadedParameter.merge and EnvRawParameter; conda/base/context.py `ssl_verify =
 * ParameterLoader(..., aliases=("verify_ssl",), expandvars=True)`; https://github.com/conda/conda, and
 * https://docs.conda.io/projects/conda/en/latest/user-guide/configuration/use-condarc.html#searching-for-condarc).
 * A `condarc.d/` directory adds its *.yml / *.yaml files (configuration.py YAML_EXTENSIONS).
 */
import { readdir } from 'node:fs/promises';
import { join, posix, win32 } from 'node:path';
import { condarc } from '../formats/condarc.ts';
import { getKey } from '../formats/keyfile.ts';
import { readText } from '../host-files.ts';
import type { Context } from '../types.ts';

/** SEARCH_PATH (conda/base/constants.py), with the variables and `~` left for `expandPath`. */
function searchPath(platform: NodeJS.Platform): string[] {
  const system =
    platform === 'win32'
      ? ['C:/ProgramData/conda/.condarc', 'C:/ProgramData/conda/condarc', 'C:/ProgramData/conda/condarc.d']
      : [
          '/etc/conda/.condarc',
          '/etc/conda/condarc',
          '/etc/conda/condarc.d/',
          '/var/lib/conda/.condarc',
          '/var/lib/conda/condarc',
          '/var/lib/conda/condarc.d/',
        ];
  return [
    ...system,
    '$CONDA_ROOT/.condarc',
    '$CONDA_ROOT/condarc',
    '$CONDA_ROOT/condarc.d/',
    '$XDG_CONFIG_HOME/conda/.condarc',
    '$XDG_CONFIG_HOME/conda/condarc',
    '$XDG_CONFIG_HOME/conda/condarc.d/',
    '~/.config/conda/.condarc',
    '~/.config/conda/condarc',
    '~/.config/conda/condarc.d/',
    '~/.conda/.condarc',
    '~/.conda/condarc',
    '~/.conda/condarc.d/',
    '~/.condarc',
    '$CONDA_PREFIX/.condarc',
    '$CONDA_PREFIX/condarc',
    '$CONDA_PREFIX/condarc.d/',
    '$CONDARC',
  ];
}

type Ctx = Pick<Context, 'env' | 'home' | 'platform' | 'sysroot'>;

/** One SEARCH_PATH entry as a path, or null when its variable is unset (conda skips those). */
function expandPath(entry: string, root: string, ctx: Ctx): string | null {
  const path = ctx.platform === 'win32' ? win32 : posix;
  const vars: Record<string, string | undefined> = { ...ctx.env, CONDA_ROOT: root };
  let unset = false;
  const p = entry.replace(/^~(?=\/)/, ctx.home).replace(/\$([A-Z_]+)/g, (_, n: string) => {
    const v = vars[n];
    if (!v) unset = true;
    return v ?? '';
  });
  if (unset) return null;
  const norm = path.normalize(p);
  // System-wide entries go through the sysroot, so tests never read the machine's /etc/conda.
  return entry.startsWith('/') && ctx.sysroot ? join(ctx.sysroot, norm) : norm;
}

/** The files conda would read, in order (a condarc.d's YAML files sorted, at most 50 of them). */
export async function condarcFiles(root: string, ctx: Ctx): Promise<string[]> {
  const out: string[] = [];
  for (const entry of searchPath(ctx.platform)) {
    const p = expandPath(entry, root, ctx);
    if (!p || out.includes(p)) continue;
    if (entry.endsWith('condarc.d/') || entry.endsWith('condarc.d')) {
      const names = await readdir(p).catch(() => [] as string[]);
      for (const n of names
        .filter((n) => /\.ya?ml$/.test(n))
        .sort()
        .slice(0, 50))
        out.push(join(p, n));
    } else out.push(p);
  }
  return out;
}

export interface SslVerify {
  /** `true`, `false`, `truststore` or a path, as conda reads it. */
  value: string;
  /** The file or variable that set it; null: conda's default (true). */
  from: string | null;
}

const FALSE = /^(?:false|no|off|0)$/i;
const TRUE = /^(?:true|yes|on|1)$/i;

/** conda's effective ssl_verify for the installation at `root`. */
export async function sslVerify(root: string, ctx: Ctx): Promise<SslVerify> {
  let found: SslVerify = { value: 'true', from: null };
  for (const file of await condarcFiles(root, ctx)) {
    const text = await readText(file);
    if (text === null) continue;
    const v = getKey(text, null, 'ssl_verify', condarc) ?? getKey(text, null, 'verify_ssl', condarc);
    if (v !== null && v !== '') found = { value: v, from: file };
  }
  for (const name of ['CONDA_SSL_VERIFY', 'CONDA_VERIFY_SSL']) {
    const v = ctx.env[name];
    if (v) found = { value: v, from: name };
  }
  const value = FALSE.test(found.value) ? 'false' : TRUE.test(found.value) ? 'true' : found.value;
  return { ...found, value };
}
