/**
 * Python environment discovery on a HOME laid out as pyenv, Miniconda (base + envs, environments.txt),
 * Anaconda on Windows and a project .venv leave it: each environment found once, with its own certifi and
 * OpenSSL, symlinked env directories skipped, nothing outside the listed places read.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { envLabel, findPythonEnvs } from '../../src/clients/python-envs.ts';
import { pythonRequests } from '../../src/clients/python-requests.ts';
import { pythonSsl } from '../../src/clients/python-ssl.ts';
import type { Context } from '../../src/types.ts';

const root = mkdtempSync(join(tmpdir(), 'certifix-pyenvs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function file(path: string, text = '') {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text, { mode: 0o755 });
}

/** A POSIX conda prefix: bin/python3 -> python3.11, certifi, optionally its own libssl and ssl/cert.pem. */
function condaPrefix(prefix: string, ownSsl: boolean) {
  file(join(prefix, 'conda-meta', 'history'));
  file(join(prefix, 'bin', 'python3.11'));
  symlinkSync('python3.11', join(prefix, 'bin', 'python3'));
  file(join(prefix, 'lib', 'python3.11', 'site-packages', 'certifi', '__init__.py'));
  file(join(prefix, 'lib', 'python3.11', 'site-packages', 'certifi', 'core.py'), 'def where(): ...\n');
  file(join(prefix, 'lib', 'python3.11', 'site-packages', 'requests', '__init__.py'));
  if (ownSsl) {
    file(join(prefix, 'lib', 'libssl.so.3'));
    file(join(prefix, 'ssl', 'cert.pem'));
  }
}

function ctxFor(home: string, cwd: string, platform: NodeJS.Platform = 'linux'): Context {
  return {
    env: { PATH: '' },
    home,
    cwd,
    platform,
    run: async () => ({ code: 0, stdout: '', stderr: '' }),
  };
}

describe('findPythonEnvs', () => {
  const home = join(root, 'home');
  const base = join(home, 'miniconda3');
  condaPrefix(base, true);
  condaPrefix(join(base, 'envs', 'ds'), false);
  mkdirSync(join(root, 'elsewhere', 'conda-meta'), { recursive: true });
  symlinkSync(join(root, 'elsewhere'), join(base, 'envs', 'linked'));
  condaPrefix(join(root, 'opt-conda'), true);
  file(join(home, '.conda', 'environments.txt'), `${base}\n${join(root, 'opt-conda')}\nnot/absolute\n`);
  file(join(home, '.pyenv', 'versions', '3.12.1', 'bin', 'python3'));
  file(join(home, '.pyenv', 'versions', '3.12.1', 'lib', 'python3.12', 'site-packages', 'x'));
  const project = join(root, 'work');
  file(join(project, 'svc', '.venv', 'pyvenv.cfg'), 'home = /usr/bin\nversion = 3.11.2\n');
  file(join(project, 'svc', '.venv', 'bin', 'python3'));
  file(join(project, 'node_modules', 'x', '.venv', 'pyvenv.cfg'), 'version = 3.11.2\n');

  it('finds pyenv versions, conda base, envs and environments.txt entries, and project .venvs', async () => {
    const ctx = { ...ctxFor(home, project), pythons: [join(base, 'bin', 'python3')] };
    expect((await findPythonEnvs(ctx)).map((e) => e.kind)).toEqual(['conda', 'conda', 'conda']);
    const envs = await findPythonEnvs({ ...ctx, pythonScope: 'all' });
    expect(envs.map((e) => [e.kind, e.prefix, e.version])).toEqual([
      ['pyenv', join(home, '.pyenv', 'versions', '3.12.1'), '3.12.1'],
      ['conda', base, '3.11'],
      ['conda', join(base, 'envs', 'ds'), '3.11'],
      ['conda', join(root, 'opt-conda'), '3.11'],
      ['venv', join(project, 'svc', '.venv'), '3.11.2'],
    ]);
    expect(envs[1]?.condaSsl).toBe(join(base, 'ssl'));
    expect(envs[2]?.condaSsl).toBeUndefined();
    expect(envLabel(envs[2] as (typeof envs)[number], home)).toBe(
      '~/miniconda3/envs/ds (conda, Python 3.11)',
    );
  });

  it("resolves each environment's own certifi and OpenSSL", async () => {
    const ctx = ctxFor(home, home);
    const requests = await pythonRequests.detect(ctx);
    const paths = await Promise.all(requests.map(async (i) => (await pythonRequests.trust(i, ctx)).path));
    expect(paths).toContain(join(base, 'lib', 'python3.11', 'site-packages', 'certifi', 'cacert.pem'));
    expect(paths).toContain(
      join(base, 'envs', 'ds', 'lib', 'python3.11', 'site-packages', 'certifi', 'cacert.pem'),
    );
    const ssl = await pythonSsl.detect(ctx);
    const baseSsl = ssl.find((i) => i.details?.prefix === base);
    const trust = await pythonSsl.trust(baseSsl as (typeof ssl)[number], ctx);
    expect(trust).toMatchObject({ source: 'conda-openssl', path: join(base, 'ssl', 'cert.pem') });
  });

  it("reads Anaconda's Windows layout (python.exe, Lib\\site-packages, conda-meta's python record)", async () => {
    const profile = join(root, 'winhome');
    const prefix = join(profile, 'anaconda3');
    file(join(prefix, 'python.exe'));
    file(join(prefix, 'conda-meta', 'python-3.11.5-he1021f5_0.json'), '{}');
    file(join(prefix, 'Lib', 'site-packages', 'certifi', '__init__.py'));
    file(join(prefix, 'envs', 'py39', 'python.exe'));
    file(join(prefix, 'envs', 'py39', 'conda-meta', 'python-3.9.18-h1aa4202_0.json'), '{}');
    const ctx = { ...ctxFor(profile, profile, 'win32'), env: { PATH: '', USERPROFILE: profile } };
    const envs = await findPythonEnvs(ctx);
    expect(envs.map((e) => [e.prefix, e.version, e.sitePackages])).toEqual([
      [prefix, '3.11.5', [join(prefix, 'Lib', 'site-packages')]],
      [join(prefix, 'envs', 'py39'), '3.9.18', []],
    ]);
  });

  it("finds the working directory's own .venv past a crowded listing, and says nothing of what it read there in part", async () => {
    const downloads = join(root, 'downloads');
    for (let n = 0; n < 600; n++) file(join(downloads, `file-${String(n).padStart(3, '0')}.txt`));
    file(join(downloads, '.venv', 'pyvenv.cfg'), 'home = /usr/bin\nversion = 3.11.2\n');
    file(join(downloads, '.venv', 'bin', 'python3'));
    const envs = await findPythonEnvs({ ...ctxFor(home, downloads), pythonScope: 'all' });
    expect(envs.filter((e) => e.kind === 'venv').map((e) => e.prefix)).toEqual([join(downloads, '.venv')]);
    expect(envs.some((e) => e.partial)).toBe(false);
  });

  it("says, in the first environment's rows, what it read only in part: a listing cut short, environments past the bound", async () => {
    const crowded = join(root, 'crowded');
    const versions = join(crowded, '.pyenv', 'versions');
    for (let n = 0; n < 600; n++) file(join(versions, `3.12.${n}`, 'bin', 'python3'));
    const ctx: Context = { ...ctxFor(crowded, crowded), pythonScope: 'all' };
    const envs = await findPythonEnvs(ctx);
    expect(envs).toHaveLength(64);
    const hint = '(diagnose, check and fix look at another with --python PATH)';
    expect(envs[0]?.partial).toEqual([
      `${versions} holds more than 500 entries: only 500 of them were read ${hint}`,
      `500 Python environments found: only the first 64 were looked at ${hint}`,
    ]);
    expect(envs.slice(1).some((e) => e.partial)).toBe(false);
    // one named with --python is looked at past the bound
    const named = join(root, 'named', 'bin', 'python3.12');
    file(named);
    const withNamed = await findPythonEnvs({ ...ctx, pythons: [named] });
    expect(withNamed).toHaveLength(65);
    expect(withNamed.at(-1)).toMatchObject({ exe: named, kind: 'given' });
    const ssl = await pythonSsl.detect(ctx);
    const [first, second] = await Promise.all(ssl.slice(0, 2).map((i) => pythonSsl.trust(i, ctx)));
    expect(first?.warnings).toEqual(expect.arrayContaining(envs[0]?.partial ?? ['-']));
    expect(second?.warnings ?? []).not.toContain(envs[0]?.partial?.[0]);
  });
});
