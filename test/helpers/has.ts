/**
 * What this machine can run, for `it.skipIf(!has('squid'))`. CI installs everything, so nothing is skipped
 * there; a developer laptop without Squid still runs the rest.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Tools the lab knows how to find; anything else is looked up on PATH as-is. */
const KNOWN: Record<string, string[]> = {
  // squid-openssl ships the binary in sbin, which is not on a non-root PATH.
  squid: ['/usr/sbin/squid'],
  certgen: ['/usr/lib/squid/security_file_certgen'],
  mitmdump: ['/usr/bin/mitmdump'],
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

/**
 * True when `tool` can be used by a test. Special names: 'sandbox' (root + unshare), 'squid' (with ssl-bump
 * helpers), 'mitmproxy', 'python-requests', 'pyenv'.
 */
export function has(tool: string): boolean {
  switch (tool) {
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

/** One line saying why a test is skipped, for `describe.skipIf(...)` titles. */
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
