/**
 * Python virtualenvs for the lab, built offline from the machine's wheelhouse. The system interpreter has
 * pip 23.2 (certifi only); the lab venv has pip 26.2.1, which verifies with truststore (pip >= 24.2), so a
 * test can cover both generations. Built once and cached under node_modules/.cache; copy it into a laptop
 * (`copyVenv`) before letting certifix change it.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WHEELHOUSE } from './fixtures.ts';
import { pyenvRoot } from './has.ts';
import { daemonEnv } from './net.ts';
import { CACHE_DIR } from './paths.ts';

const run = promisify(execFile);

export interface Venv {
  dir: string;
  /** `<dir>/bin/python` */
  python: string;
}

export interface VenvOptions {
  /** Requirements, installed with --no-index from the wheelhouse. Default pip==26.2.1 + requests. */
  packages?: string[];
  /** Base interpreter (default `python3` as pyenv resolves it). */
  python?: string;
}

/** Host environment for building: no PIP_* variables, no pip config files (PIP_CONFIG_FILE=os.devnull). */
function buildEnv(): NodeJS.ProcessEnv {
  const pyenv = pyenvRoot();
  const env = daemonEnv({ PIP_CONFIG_FILE: '/dev/null', PIP_DISABLE_PIP_VERSION_CHECK: '1' });
  if (pyenv) {
    env.PYENV_ROOT = pyenv;
    env.PATH = `${pyenv}/shims:${pyenv}/bin:${env.PATH}`;
  }
  return env;
}

async function build(dir: string, opts: VenvOptions): Promise<void> {
  const env = buildEnv();
  await run(opts.python ?? 'python3', ['-m', 'venv', dir], { env });
  const packages = opts.packages ?? ['pip==26.2.1', 'requests'];
  await run(
    join(dir, 'bin', 'python'),
    ['-m', 'pip', 'install', '-q', '--no-index', '--find-links', WHEELHOUSE, ...packages],
    { env, timeout: 180_000 },
  );
  writeFileSync(join(dir, '.complete'), `${packages.join('\n')}\n`);
}

/**
 * The cached venv for `opts` (built on first use). Safe across parallel test files: a `mkdir` lock makes
 * one builder; the others wait for its `.complete` marker.
 */
export async function labVenv(opts: VenvOptions = {}): Promise<Venv> {
  const key = createHash('sha256')
    .update(JSON.stringify([opts.python ?? 'python3', opts.packages ?? null, pyenvRoot()]))
    .digest('hex')
    .slice(0, 12);
  const dir = join(CACHE_DIR, `venv-${key}`);
  const venv = { dir, python: join(dir, 'bin', 'python') };
  if (existsSync(join(dir, '.complete'))) return venv;
  mkdirSync(CACHE_DIR, { recursive: true });
  const lock = `${dir}.lock`;
  const deadline = Date.now() + 240_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(join(dir, '.complete'))) return venv;
      // A builder that died leaves a stale lock; take it over after a while.
      const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (Date.now() - since > 200_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (!existsSync(join(dir, '.complete'))) {
      rmSync(dir, { recursive: true, force: true });
      await build(dir, opts);
    }
  } finally {
    rmdirSync(lock);
  }
  return venv;
}

/**
 * Copies a venv to `dest` and rewrites the absolute paths in bin/ (script shebangs, activate), so the copy
 * is independent: certifix may patch its certifi or site-packages without touching the cache.
 */
export async function copyVenv(venv: Venv, dest: string): Promise<Venv> {
  await run('cp', ['-a', venv.dir, dest]);
  const bin = join(dest, 'bin');
  for (const f of readdirSync(bin)) {
    const p = join(bin, f);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st?.isFile() || st.size > 1_000_000) continue;
    const text = readFileSync(p);
    if (text.includes(venv.dir)) writeFileSync(p, text.toString('utf8').replaceAll(venv.dir, dest));
  }
  rmSync(join(dest, '.complete'), { force: true });
  return { dir: dest, python: join(dest, 'bin', 'python') };
}
