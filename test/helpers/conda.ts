/**
 * A conda-shaped prefix for the lab: no conda installer or package can be had here, so a real venv from the
 * wheelhouse (requests + certifi) is laid out as a conda prefix is: conda-meta/ (what marks a prefix,
 * https://docs.conda.io/projects/conda/en/latest/user-guide/concepts/environments.html), ssl/cert.pem (the
 * ca-certificates package's bundle in conda's OPENSSLDIR) and a .condarc of its own (`$CONDA_ROOT/.condarc`
 * in conda's SEARCH_PATH, conda/base/constants.py).
 */
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyVenv, labVenv, type Venv } from './venv.ts';

export const CONDARC = '# conda-shaped test prefix\nchannels:\n  - defaults\nshow_channel_urls: true\n';

/** Copies the lab venv (pip + requests) to `dest` and shapes it as a conda root. */
export async function condaShaped(dest: string): Promise<Venv> {
  const venv = await copyVenv(await labVenv(), dest);
  mkdirSync(join(dest, 'conda-meta'), { recursive: true });
  writeFileSync(join(dest, 'conda-meta', 'history'), '==> 2026-01-01 00:00:00 <==\n# cmd: conda create\n');
  mkdirSync(join(dest, 'ssl'), { recursive: true });
  const site = join(dest, 'lib');
  const py = readdirSync(site).find((n) => n.startsWith('python3')) as string;
  copyFileSync(join(site, py, 'site-packages', 'certifi', 'cacert.pem'), join(dest, 'ssl', 'cert.pem'));
  writeFileSync(join(dest, '.condarc'), CONDARC);
  return venv;
}
