/**
 * Every Node a user may run, with its version, found without running any of them: each `node` on PATH, and
 * the versions that version managers keep under HOME. A fix may rely on a switch that only recent Nodes
 * honour (NODE_USE_SYSTEM_CA=1) only when all of them honour it; anything that cannot be told for sure
 * (a node whose version its path does not show, a manager directory that is a symlink, too many entries)
 * counts as an unknown Node, for which the caller keeps what works everywhere.
 *
 * HOME is untrusted input (`sudo certifix` runs in other users' homes): directories are listed with lstat,
 * never through a symlink, at most MAX_ENTRIES names each.
 */
import { lstatSync, readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { whichAllSync } from '../host-files.ts';
import type { Context } from '../types.ts';

const MAX_ENTRIES = 256;

/** x.y.z in a directory name, with or without the `v` nvm and fnm put in front. */
const VERSION_NAME = /^v?(\d+\.\d+\.\d+)$/;
/** A node binary inside a manager's layout: the version is the directory above bin/ (or installation/bin/). */
const VERSION_PATH = /\/v?(\d+\.\d+\.\d+)(?:\/installation)?\/bin\/node$/;

/**
 * Where version managers keep installed Nodes, relative to HOME unless an environment variable moves them.
 * Each row: the variable that overrides the root, the default roots, and the layout below a root.
 */
const MANAGERS: ReadonlyArray<{
  name: string;
  env?: string;
  roots: string[];
  versions: string;
  bin: string;
}> = [
  // nvm: $NVM_DIR (default ~/.nvm), versions/node/v<x.y.z>/bin/node
  // (https://github.com/nvm-sh/nvm#installing-and-updating; nvm.sh `nvm_version_dir`)
  { name: 'nvm', env: 'NVM_DIR', roots: ['.nvm'], versions: 'versions/node', bin: 'bin/node' },
  // fnm: $FNM_DIR (default $XDG_DATA_HOME/fnm, i.e. ~/.local/share/fnm; ~/.fnm before 1.29; macOS
  // ~/Library/Application Support/fnm), node-versions/v<x.y.z>/installation/bin/node
  // (https://github.com/Schniz/fnm/blob/master/docs/configuration.md#--fnm-dir)
  {
    name: 'fnm',
    env: 'FNM_DIR',
    roots: ['.local/share/fnm', '.fnm', 'Library/Application Support/fnm'],
    versions: 'node-versions',
    bin: 'installation/bin/node',
  },
  // Volta: $VOLTA_HOME (default ~/.volta), tools/image/node/<x.y.z>/bin/node
  // (https://docs.volta.sh/advanced/installers#skipping-volta-setup; volta's `layout` crate, `node_image_dir`)
  { name: 'volta', env: 'VOLTA_HOME', roots: ['.volta'], versions: 'tools/image/node', bin: 'bin/node' },
];

interface InstalledNodes {
  /** Versions (x.y.z) of the Nodes found. */
  versions: string[];
  /** What could not be told: a path and why. Non-empty means "assume an old Node is there". */
  unknown: string[];
}

/** The Nodes on PATH and under the version managers; `first` is the node on PATH, whose version detect() knows. */
export function installedNodes(
  first: { path: string; version: string | undefined },
  ctx: Pick<Context, 'env' | 'home' | 'cwd'>,
): InstalledNodes {
  const out: InstalledNodes = { versions: [], unknown: [] };
  const firstReal = realOr(first.path);
  for (const p of whichAllSync('node', ctx)) {
    const real = realOr(p);
    const v = real === firstReal ? first.version : VERSION_PATH.exec(real)?.[1];
    if (v) out.versions.push(v.replace(/^v/, ''));
    else out.unknown.push(`${p}: version not known without running it`);
  }
  for (const m of MANAGERS) {
    const set = m.env ? ctx.env[m.env] : undefined;
    const roots = set ? [set] : m.roots.map((r) => join(ctx.home, r));
    for (const root of roots) listVersions(join(root, m.versions), m.bin, out);
  }
  return out;
}

function listVersions(dir: string, bin: string, out: InstalledNodes): void {
  const st = lstatSync(dir, { throwIfNoEntry: false });
  if (!st) return;
  if (!st.isDirectory()) {
    out.unknown.push(`${dir}: not a plain directory`);
    return;
  }
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    out.unknown.push(`${dir}: cannot be listed`);
    return;
  }
  if (names.length > MAX_ENTRIES) {
    out.unknown.push(`${dir}: more than ${MAX_ENTRIES} entries`);
    return;
  }
  for (const name of names) {
    const v = VERSION_NAME.exec(name)?.[1];
    if (!v) continue; // aliases, downloads in progress
    const d = lstatSync(join(dir, name), { throwIfNoEntry: false });
    if (!d?.isDirectory()) {
      if (d?.isSymbolicLink()) out.unknown.push(`${join(dir, name)}: a symlink`);
      continue;
    }
    if (lstatSync(join(dir, name, bin), { throwIfNoEntry: false })) out.versions.push(v);
  }
}

function realOr(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
