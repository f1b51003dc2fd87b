/**
 * Content the lab's origin serves: a PyPI simple index over real wheels, an npm packument with a real
 * tarball, and a bare git repository for dumb-HTTP clones. Built once into the lab cache, on the host, with
 * an environment that ignores the machine's git configuration.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { daemonEnv } from './net.ts';
import { CACHE_DIR } from './paths.ts';

/** Wheels on this machine's offline mirror (see the brief: pip, requests, certifi, ... live here). */
export const WHEELHOUSE = '/opt/pypi/files';

export interface Wheel {
  file: string;
  path: string;
  sha256: string;
}

/** PEP 503 name normalisation: `Charset_Normalizer` → `charset-normalizer`. */
export function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The wheels of `project` in the wheelhouse (all versions). */
export function findWheels(project: string, dir = WHEELHOUSE): Wheel[] {
  const want = normalize(project);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.whl') && normalize(f.split('-')[0] ?? '') === want)
    .map((file) => {
      const path = join(dir, file);
      return { file, path, sha256: createHash('sha256').update(readFileSync(path)).digest('hex') };
    });
}

/** A PEP 503 project page linking each wheel with its hash (what pip checks after download). */
export function simplePage(project: string, wheels: Wheel[], filesPrefix: string): string {
  const links = wheels.map((w) => `<a href="${filesPrefix}${w.file}#sha256=${w.sha256}">${w.file}</a><br>`);
  return `<!DOCTYPE html><html><body><h1>Links for ${project}</h1>\n${links.join('\n')}\n</body></html>\n`;
}

export function simpleRoot(projects: string[]): string {
  const links = projects.map((p) => `<a href="/simple/${normalize(p)}/">${p}</a><br>`);
  return `<!DOCTYPE html><html><body>\n${links.join('\n')}\n</body></html>\n`;
}

/**
 * A directory under the lab cache, built once by `build(stage)` into a stage dir and renamed into place
 * (atomic, so parallel test files can race harmlessly). Fixtures are deterministic, so it is never stale.
 */
function cached(name: string, build: (stage: string) => void): string {
  const dir = join(CACHE_DIR, name);
  if (existsSync(dir)) return dir;
  mkdirSync(CACHE_DIR, { recursive: true });
  const stage = mkdtempSync(`${dir}.tmp-`);
  build(stage);
  try {
    renameSync(stage, dir);
  } catch {
    rmSync(stage, { recursive: true, force: true });
  }
  return dir;
}

const GIT_ENV = daemonEnv({
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Lab',
  GIT_AUTHOR_EMAIL: 'lab@example.test',
  GIT_COMMITTER_NAME: 'Lab',
  GIT_COMMITTER_EMAIL: 'lab@example.test',
  GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z',
});

/** A bare repo (one commit with README.md on `main`) prepared for dumb HTTP by `update-server-info`. */
export function gitFixture(): string {
  const dir = cached('git-fixture-v1', (stage) => {
    const work = join(stage, 'work');
    const git = (...args: string[]) => execFileSync('git', args, { env: GIT_ENV, cwd: stage, stdio: 'pipe' });
    git('init', '-q', '-b', 'main', work);
    writeFileSync(join(work, 'README.md'), '# certifix lab repository\n');
    git('-C', work, 'add', 'README.md');
    git('-C', work, 'commit', '-q', '-m', 'init');
    git('clone', '-q', '--bare', work, join(stage, 'repo.git'));
    git('-C', join(stage, 'repo.git'), 'update-server-info');
    rmSync(work, { recursive: true, force: true });
  });
  return join(dir, 'repo.git');
}

export interface NpmPackage {
  name: string;
  version: string;
  tarball: Buffer;
  shasum: string;
  integrity: string;
}

let npmPkg: NpmPackage | undefined;
/** A tiny real package (`certifix-probe@1.0.0`) so `npm view` and `npm install` have something to fetch. */
export function npmFixture(): NpmPackage {
  if (npmPkg) return npmPkg;
  const name = 'certifix-probe';
  const version = '1.0.0';
  const dir = cached('npm-fixture-v1', (stage) => {
    mkdirSync(join(stage, 'package'));
    writeFileSync(
      join(stage, 'package', 'package.json'),
      JSON.stringify({ name, version, main: 'index.js' }),
    );
    writeFileSync(join(stage, 'package', 'index.js'), 'module.exports = 42;\n');
    execFileSync('tar', ['-czf', 'p.tgz', 'package'], { cwd: stage, env: daemonEnv() });
  });
  const tarball = readFileSync(join(dir, 'p.tgz'));
  npmPkg = {
    name,
    version,
    tarball,
    shasum: createHash('sha1').update(tarball).digest('hex'),
    integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
  };
  return npmPkg;
}

/** The registry document npm fetches for `npm view` / `npm install`. */
export function packument(pkg: NpmPackage, base: string): object {
  const manifest = {
    name: pkg.name,
    version: pkg.version,
    main: 'index.js',
    dist: {
      tarball: `${base}${pkg.name}/-/${pkg.name}-${pkg.version}.tgz`,
      shasum: pkg.shasum,
      integrity: pkg.integrity,
    },
  };
  return {
    _id: pkg.name,
    name: pkg.name,
    'dist-tags': { latest: pkg.version },
    versions: { [pkg.version]: manifest },
    time: { created: '2024-01-01T00:00:00.000Z', [pkg.version]: '2024-01-01T00:00:00.000Z' },
  };
}
