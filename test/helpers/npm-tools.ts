/**
 * JavaScript package managers that are not Debian packages (yarn 1, pnpm), fetched once with `npm pack` from
 * the npm registry into node_modules/.cache (as scripts/node-dist.mjs does for Node) and put on a PATH
 * directory as small `sh` wrappers around `node <cli>`. Both are single bundled files with no dependencies.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './paths.ts';

const CACHE = join(REPO, 'node_modules', '.cache', 'certifix-tools');

/** Pinned releases and the file inside each package that is the CLI. */
export const NPM_TOOLS = {
  yarn: { spec: 'yarn@1.22.22', cli: 'bin/yarn.js' },
  pnpm: { spec: 'pnpm@9.15.9', cli: 'bin/pnpm.cjs' },
} as const;

/** A directory holding an executable `name` (fetched on first use); throws when npm cannot fetch it. */
export function npmToolBin(name: keyof typeof NPM_TOOLS): string {
  const { spec, cli } = NPM_TOOLS[name];
  const dir = join(CACHE, spec.replace('@', '-'));
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
    writeFileSync(wrapper, `#!/bin/sh\nexec node ${JSON.stringify(join(dir, 'package', cli))} "$@"\n`);
    chmodSync(wrapper, 0o755);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return bin;
}
