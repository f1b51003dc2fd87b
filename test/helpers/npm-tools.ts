/**
 * Clients that are not Debian packages, fetched once with `npm pack` from the npm registry into
 * node_modules/.cache (as scripts/node-dist.mjs does for Node) and put on a PATH directory: yarn 1 and pnpm
 * as small `sh` wrappers around `node <cli>` (both are single bundled files with no dependencies), Deno and
 * Bun as the native executables their platform packages ship (`deno` and `bun` on npm install them).
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { REPO } from './paths.ts';

const CACHE = join(REPO, 'node_modules', '.cache', 'certifix-tools');

/** Pinned releases and the file inside each package that is the CLI. */
export const NPM_TOOLS = {
  yarn: { spec: 'yarn@1.22.22', cli: 'bin/yarn.js' },
  pnpm: { spec: 'pnpm@9.15.9', cli: 'bin/pnpm.cjs' },
  deno: { spec: '@deno/linux-x64-glibc@2.9.6', cli: 'deno', native: true },
  // The baseline build runs on any x86-64 (the plain one needs AVX2).
  bun: { spec: '@oven/bun-linux-x64-baseline@1.4.5', cli: 'bin/bun', native: true },
} as const;

/** A directory holding an executable `name` (fetched on first use); throws when npm cannot fetch it. */
export function npmToolBin(name: keyof typeof NPM_TOOLS): string {
  const { spec, cli } = NPM_TOOLS[name];
  // -r: wrappers name their package relative to themselves, so the cache survives the repository moving
  const dir = join(CACHE, `${spec.replace(/[@/]/g, '-').replace(/^-/, '')}-r`);
  const bin = join(dir, 'bin');
  if (existsSync(join(bin, name))) return bin;
  mkdirSync(CACHE, { recursive: true });
  const tmp = mkdtempSync(join(CACHE, '.fetch-'));
  try {
    const out = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', tmp], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    execFileSync('tar', ['-xzf', join(tmp, out.trim().split('\n').at(-1) as string), '-C', tmp]);
    mkdirSync(join(tmp, 'bin'));
    const wrapper = join(tmp, 'bin', name);
    const target = join('..', 'package', cli);
    if ('native' in NPM_TOOLS[name]) {
      chmodSync(join(tmp, 'package', cli), 0o755);
      symlinkSync(target, wrapper);
    } else {
      writeFileSync(wrapper, `#!/bin/sh\nexec node "$(dirname "$0")/${target}" "$@"\n`);
      chmodSync(wrapper, 0o755);
    }
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return bin;
}
