/** Byte-level snapshots of a directory tree, to prove `certifix undo` restores every file. */
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Relative path → sha256 of the content; `symlink:<target>` for links; `dir` for directories. */
export type Snapshot = Record<string, string>;

/**
 * Files clients write on their own while they run (npm's cache and logs, pip's cache, shell history):
 * pass as `ignore` when comparing before a fix with after an undo.
 */
export const CLIENT_NOISE =
  /^(\.npm|\.cache|\.python_history|\.bash_history|\.lesshst|\.node_repl_history)(\/|$)/;

export async function snapshotTree(root: string, opts: { ignore?: RegExp } = {}): Promise<Snapshot> {
  const out: Snapshot = {};
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(join(root, rel), { withFileTypes: true });
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (opts.ignore?.test(r)) continue;
      const abs = join(root, r);
      const st = await lstat(abs);
      if (st.isSymbolicLink()) out[r] = `symlink:${await readlink(abs)}`;
      else if (st.isDirectory()) {
        out[r] = 'dir';
        await walk(r);
      } else
        out[r] = createHash('sha256')
          .update(await readFile(abs))
          .digest('hex');
    }
  };
  await walk('');
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** What changed between two snapshots (empty lists = identical). */
export function diffSnapshots(
  before: Snapshot,
  after: Snapshot,
): { added: string[]; removed: string[]; changed: string[] } {
  const added = Object.keys(after).filter((k) => !(k in before));
  const removed = Object.keys(before).filter((k) => !(k in after));
  const changed = Object.keys(after).filter((k) => k in before && before[k] !== after[k]);
  return { added, removed, changed };
}
