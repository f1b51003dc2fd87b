/**
 * The Python packaging tools run for real: each locks a one-dependency project (`idna`, which the lab's
 * origin serves in its PyPI simple index, servers.ts) whose only index is the origin, in a throw-away
 * directory. What each needs to stay in that directory and off the network:
 * - Poetry: `[[tool.poetry.source]]` with `default = true` replaces PyPI (Debian's 1.3.2 knows `default`;
 *   Poetry ≥ 1.5 spells it `priority`, https://python-poetry.org/docs/repositories/#package-sources);
 *   POETRY_VIRTUALENVS_CREATE=false and POETRY_CACHE_DIR (https://python-poetry.org/docs/configuration/).
 * - pipenv: the Pipfile's `[[source]]` (https://pipenv.pypa.io/en/latest/indexes.html); it makes the
 *   project's virtualenv in `.venv` with PIPENV_VENV_IN_PROJECT (https://pipenv.pypa.io/en/latest/virtualenv.html).
 * - pdm: `[[tool.pdm.source]]` named `pypi` replaces the default index
 *   (https://pdm-project.org/latest/usage/config/#configure-the-package-indexes); PDM_USE_VENV=false,
 *   PDM_CHECK_UPDATE=false (pdm/project/config.py), its cache under XDG_CACHE_HOME.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, Installation } from '../../src/types.ts';

export type PythonTool = 'poetry' | 'pipenv' | 'pdm';

interface ToolRun {
  files: Record<string, string>;
  args: string[];
  env: (dir: string) => Record<string, string>;
  lockfile: string;
}

const TOOLS: Record<PythonTool, (index: string, python: string) => ToolRun> = {
  poetry: (index) => ({
    files: {
      'pyproject.toml': [
        '[tool.poetry]',
        'name = "certifix-lab"',
        'version = "0"',
        'description = ""',
        'authors = []',
        '',
        '[tool.poetry.dependencies]',
        'python = "^3.8"',
        'idna = "*"',
        '',
        '[[tool.poetry.source]]',
        'name = "lab"',
        `url = "${index}"`,
        'default = true',
        '',
      ].join('\n'),
    },
    args: ['lock', '--no-interaction'],
    env: (dir) => ({ POETRY_VIRTUALENVS_CREATE: 'false', POETRY_CACHE_DIR: join(dir, 'cache') }),
    lockfile: 'poetry.lock',
  }),
  pipenv: (index, python) => ({
    files: {
      Pipfile: [
        '[[source]]',
        `url = "${index}"`,
        'verify_ssl = true',
        'name = "lab"',
        '',
        '[packages]',
        'idna = "*"',
        '',
      ].join('\n'),
    },
    // The virtualenv on pipenv's own interpreter: the `python3` PATH finds (a pyenv 3.13) would need seed
    // wheels virtualenv does not carry; PIPENV_PYTHON did not take effect for `lock` (observed, 2022.12.19).
    args: ['lock', '--python', python],
    env: (dir) => ({
      PIPENV_VENV_IN_PROJECT: '1',
      PIPENV_NOSPIN: '1',
      PIPENV_YES: '1',
      PIPENV_CACHE_DIR: join(dir, 'cache'),
    }),
    lockfile: 'Pipfile.lock',
  }),
  pdm: (index) => ({
    files: {
      'pyproject.toml': [
        '[project]',
        'name = "certifix-lab"',
        'version = "0"',
        'requires-python = ">=3.9"', // idna 3.x needs it
        'dependencies = ["idna"]',
        '',
        '[[tool.pdm.source]]',
        'name = "pypi"',
        `url = "${index}"`,
        'verify_ssl = true',
        '',
      ].join('\n'),
    },
    args: ['lock'],
    env: (dir) => ({ PDM_USE_VENV: 'false', PDM_CHECK_UPDATE: 'false', XDG_CACHE_HOME: join(dir, 'cache') }),
    lockfile: 'pdm.lock',
  }),
};

export const PYTHON_TOOLS = Object.keys(TOOLS) as PythonTool[];

/** Lock the project with the real tool, in `ctx`'s environment; `locked` when the lock file names idna. */
export async function lockWithTool(
  tool: PythonTool,
  inst: Installation,
  index: string,
  ctx: Context,
): Promise<{ locked: boolean; output: string }> {
  const spec = TOOLS[tool](index, inst.details?.python ?? 'python3');
  const dir = mkdtempSync(join(tmpdir(), `certifix-${tool}-lab-`));
  try {
    for (const [name, text] of Object.entries(spec.files)) writeFileSync(join(dir, name), text);
    const env = { ...ctx.env, TMPDIR: dir, ...spec.env(dir) };
    const r = await ctx.run(inst.path, spec.args, { env, cwd: dir, timeoutMs: 150_000 });
    let lock = '';
    try {
      lock = readFileSync(join(dir, spec.lockfile), 'utf8');
    } catch {}
    return { locked: r.code === 0 && /\bidna\b/.test(lock), output: `${r.stdout}\n${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
