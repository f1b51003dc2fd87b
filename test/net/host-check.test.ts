/**
 * The CLI's compile of Node's host-name check (src/net/host-check.ts), in a Node of each supported line
 * started with each kind of regexp setting: V8's flag hash (which keys every code cache) is the same after
 * as before, isIP answers as before, and nothing is done (node:v8 not even loaded) unless armed. Under CI a
 * missing Node line fails the run.
 */
import { execFileSync, type StdioOptions } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeOf } from '../helpers/has.ts';

const dir = mkdtempSync(join(tmpdir(), 'certifix-host-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const lib = join(dir, 'host-check.cjs');
buildSync({
  entryPoints: [join(import.meta.dirname, '..', '..', 'src', 'net', 'host-check.ts')],
  outfile: lib,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  logLevel: 'silent',
});

const INPUTS = ['localhost', '::1', '127.0.0.1', 'fe80::1%eth0', '1.2.3', '::ffff:10.0.0.1', '[::1]', 'a:b'];
const SCRIPT = `
const h = require(${JSON.stringify(lib)});
const { cachedDataVersionTag } = require('node:v8');
const tag = cachedDataVersionTag();
h.armHostCheck();
h.primeHostCheck();
h.primeHostCheck();
const net = require('node:net');
process.stdout.write(JSON.stringify({
  same: tag === cachedDataVersionTag(),
  answers: ${JSON.stringify(INPUTS)}.map((s) => net.isIP(s)),
}));`;
const SCRIPT_UNARMED = `
const h = require(${JSON.stringify(lib)});
h.primeHostCheck();
process.stdout.write(JSON.stringify({ v8: process.moduleLoadList.includes('NativeModule v8') }));`;

const FLAGS = [
  [],
  ['--jitless'],
  ['--lite-mode'],
  ['--no-regexp-tier-up'],
  ['--no-regexp-optimization'],
  ['--regexp-interpret-all'],
];
const EXPECTED = [0, 6, 4, 6, 0, 6, 0, 0];
/** --jitless warns on stderr that it turns wasm off. */
const QUIET: StdioOptions = ['ignore', 'pipe', 'ignore'];

describe.each([20, 22, 24] as const)('on Node %i', (line) => {
  const node = line === 20 && process.versions.node.startsWith('20.') ? process.execPath : nodeOf(line);
  it.skipIf(node === null && !process.env.CI)(
    'leaves the flag hash as it was, with every kind of regexp setting',
    () => {
      expect(node, `Node ${line}: node scripts/node-dist.mjs ${line}`).not.toBeNull();
      for (const flags of FLAGS) {
        const out = JSON.parse(
          execFileSync(node as string, [...flags, '-e', SCRIPT], { encoding: 'utf8', env: {}, stdio: QUIET }),
        );
        expect({ flags, ...out }).toEqual({ flags, same: true, answers: EXPECTED });
      }
    },
  );

  it.skipIf(node === null && !process.env.CI)('does nothing, not even load node:v8, unless armed', () => {
    expect(node, `Node ${line}: node scripts/node-dist.mjs ${line}`).not.toBeNull();
    const out = JSON.parse(
      execFileSync(node as string, ['-e', SCRIPT_UNARMED], { encoding: 'utf8', env: {}, stdio: QUIET }),
    );
    expect(out).toEqual({ v8: false });
  });
});
