/**
 * What this machine can run, for `describe.skipIf(lacks('squid'))(\`... ${missing('squid')}\`)`. A developer
 * machine without Squid still runs the rest, and the title says why a case did not run. Under CI=true,
 * `lacks` throws instead: .ci/run installs every tool, so a missing one is a broken CI, and a green run must
 * mean every case ran.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { cachedNode, NODE_VERSIONS } from '../../scripts/node-dist.mjs';
import { REPO } from './paths.ts';

/** Tools the lab knows how to find; anything else is looked up on PATH as-is. */
const KNOWN: Record<string, string[]> = {
  // squid-openssl ships the binary in sbin, which is not on a non-root PATH.
  squid: ['/usr/sbin/squid'],
  certgen: ['/usr/lib/squid/security_file_certgen'],
  mitmdump: ['/usr/bin/mitmdump'],
  // Debian's wine64 package installs its loader here; /usr/bin/wine comes only with the `wine` package.
  wine64: ['/usr/lib/wine/wine64'],
  wineserver: ['/usr/lib/wine/wineserver'],
};

const cache = new Map<string, string | null>();

/** Absolute path of `tool`, or null. */
export function which(tool: string): string | null {
  const hit = cache.get(tool);
  if (hit !== undefined) return hit;
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const candidates = [...(KNOWN[tool] ?? []), ...dirs.map((d) => join(d, tool)), join('/usr/sbin', tool)];
  let found: string | null = null;
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      found = c;
      break;
    } catch {}
  }
  cache.set(tool, found);
  return found;
}

function probe(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

let sandboxOk: boolean | undefined;
/** The laptop needs root and a private mount namespace (`unshare -m` + bind mounts). */
export function canSandbox(): boolean {
  sandboxOk ??=
    process.platform === 'linux' &&
    process.getuid?.() === 0 &&
    which('unshare') !== null &&
    which('nsenter') !== null &&
    probe('unshare', ['-m', 'mount', '--bind', '/dev/null', '/dev/null']);
  return sandboxOk;
}

/** The Linux Node of a supported release line (`node22`), fetched by `node scripts/node-dist.mjs 22`. */
export function nodeOf(line: 20 | 22 | 24): string | null {
  return cachedNode('linux', NODE_VERSIONS[line]);
}

/** The standalone executables `npm run build:exe` writes. */
export const EXE = {
  linux: join(REPO, 'dist', 'exe', 'certifix-linux-x64'),
  win: join(REPO, 'dist', 'exe', 'certifix-win-x64.exe'),
};

/**
 * True when `tool` can be used by a test. Special names: 'sandbox' (root + unshare), 'squid' (with ssl-bump
 * helpers), 'mitmproxy', 'python-requests', 'pyenv', 'openssl' (3.x), 'node20' / 'node22' / 'node24' (the
 * cached official binaries), 'exe-linux' / 'exe-win' (built executables), 'wine' (wine64 to run the latter),
 * 'dist' (the built CLI), 'environment-d' (systemd's environment.d generator); an absolute path: it exists.
 */
export function has(tool: string): boolean {
  if (tool.startsWith('/')) return existsSync(tool); // a file or directory the test reads
  switch (tool) {
    case 'openssl':
      try {
        return execFileSync('openssl', ['version'], { encoding: 'utf8' }).startsWith('OpenSSL 3.');
      } catch {
        return false;
      }
    case 'node20':
    case 'node22':
    case 'node24':
      return nodeOf(Number(tool.slice(4)) as 20 | 22 | 24) !== null;
    case 'exe-linux':
      return existsSync(EXE.linux);
    case 'exe-win':
      return existsSync(EXE.win);
    case 'wine':
      return which('wine64') !== null && which('wineserver') !== null;
    case 'dist':
      return existsSync(join(REPO, 'dist', 'certifix.cjs'));
    case 'environment-d':
      return existsSync(ENVIRONMENT_D_GENERATOR);
    case 'unshare':
      return probe('unshare', ['-m', 'true']);
    case 'sandbox':
      return canSandbox();
    case 'squid':
      return which('squid') !== null && which('certgen') !== null;
    case 'mitmproxy':
      return which('mitmdump') !== null;
    case 'python-requests':
      return which('python3') !== null && probe('python3', ['-c', 'import requests, certifi']);
    case 'pyenv':
      return existsSync(pyenvRoot() ?? '/nonexistent');
    default:
      return which(tool) !== null;
  }
}

/** Where pyenv lives on this machine (the laptop keeps its shims on PATH), or null. */
export function pyenvRoot(): string | null {
  const root = process.env.PYENV_ROOT ?? join(process.env.HOME ?? '/root', '.pyenv');
  return existsSync(join(root, 'shims')) ? root : null;
}

/** systemd's generator that reads ~/.config/environment.d for graphical sessions. */
export const ENVIRONMENT_D_GENERATOR =
  '/usr/lib/systemd/user-environment-generators/30-systemd-environment-d-generator';

/** How each special name is installed, for the CI failure message. */
const HOW: Record<string, string> = {
  sandbox: 'run as root with util-linux (unshare, nsenter)',
  'python-requests': 'python3 with requests and certifi',
  node20: 'node scripts/node-dist.mjs 20',
  node22: 'node scripts/node-dist.mjs 22',
  node24: 'node scripts/node-dist.mjs 24',
  'exe-linux': 'npm run build:exe',
  'exe-win': 'npm run build:exe',
  wine: 'apt-get install wine64',
  dist: 'npm run build (dist/certifix.cjs)',
};

/** True when running under CI, where nothing may be skipped for want of a tool. */
export const STRICT = process.env.CI === 'true' || process.env.CI === '1';

/**
 * For `skipIf`: true when one of `tools` is missing. Under CI=true a missing tool throws, which fails the
 * test file instead of skipping it.
 */
export function lacks(...tools: string[]): boolean {
  const gone = tools.filter((t) => !has(t));
  if (gone.length && STRICT)
    throw new Error(
      `CI=true but ${gone.map((t) => (HOW[t] ? `${t} (${HOW[t]})` : t)).join(', ')} missing: .ci/run must install it`,
    );
  return gone.length > 0;
}

/** One line saying why a test is skipped, for `describe.skipIf(lacks(...))` titles. */
export function missing(...tools: string[]): string {
  const gone = tools.filter((t) => !has(t));
  return gone.length ? `(skipped: missing ${gone.join(', ')})` : '';
}

let resolvedPython: string | undefined;
/**
 * The interpreter `python3` resolves to through pyenv (e.g. /root/.pyenv/versions/3.11.7/bin/python3).
 * Client probes run it directly: the pyenv shim costs ~0.3 s per start and changes nothing about TLS.
 */
export function systemPython(): string {
  if (resolvedPython) return resolvedPython;
  const root = pyenvRoot();
  resolvedPython = 'python3';
  if (root)
    try {
      resolvedPython = execFileSync(join(root, 'bin', 'pyenv'), ['which', 'python3'], {
        cwd: '/', // no .python-version on the way up
        env: { PYENV_ROOT: root, PATH: `${root}/bin:/usr/bin:/bin`, HOME: '/nonexistent' },
        encoding: 'utf8',
      }).trim();
    } catch {}
  return resolvedPython;
}
