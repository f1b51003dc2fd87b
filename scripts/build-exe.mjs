// Standalone executables for machines without Node (README "When npm itself is broken"): Node's single
// executable applications (https://nodejs.org/api/single-executable-applications.html). The single-file CLI
// becomes a SEA blob, which postject injects into an official Node binary of the same version, for
// linux-x64 and win-x64 (postject edits ELF and PE alike, so both are built on Linux).
//
//   npm run build:exe   →  dist/exe/certifix-linux-x64, dist/exe/certifix-win-x64.exe
//
// The Windows executable keeps node.exe's Authenticode signature block, which no longer matches: Windows runs
// it, SmartScreen may warn; sign it (signtool) before publishing.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchNode, NODE_VERSIONS } from './node-dist.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { inject } = require('postject');

/** One Node version for both: 22 runs under Wine and has NODE_USE_SYSTEM_CA and tls.getCACertificates. */
export const EXE_NODE = NODE_VERSIONS[22];
/** The fuse Node looks for to know a blob was injected (the value the SEA docs give for postject). */
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

export const TARGETS = [
  { platform: 'linux', out: 'certifix-linux-x64' },
  { platform: 'win', out: 'certifix-win-x64.exe' },
];

/** The CLI as one self-contained CommonJS file (`npm run build`): a SEA can `require` only Node's built-ins. */
function singleFile() {
  const built = join(root, 'dist', 'certifix.cjs');
  if (!existsSync(built))
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  return built;
}

export async function buildExe() {
  const work = mkdtempSync(join(tmpdir(), 'certifix-sea-'));
  try {
    const main = singleFile();
    const blob = join(work, 'certifix.blob');
    const config = join(work, 'sea-config.json');
    writeFileSync(
      config,
      JSON.stringify({
        main,
        output: blob,
        disableExperimentalSEAWarning: true,
        // A code cache or snapshot is specific to the platform that made it: the blob serves both targets.
        useSnapshot: false,
        useCodeCache: false,
      }),
    );
    // The blob must come from the same Node version as the binaries it goes into.
    execFileSync(fetchNode('linux', EXE_NODE), ['--experimental-sea-config', config], { stdio: 'inherit' });
    const data = readFileSync(blob);
    const outDir = join(root, 'dist', 'exe');
    mkdirSync(outDir, { recursive: true });
    for (const t of TARGETS) {
      const out = join(outDir, t.out);
      rmSync(out, { force: true });
      copyFileSync(fetchNode(t.platform, EXE_NODE), out);
      chmodSync(out, 0o755);
      await inject(out, 'NODE_SEA_BLOB', data, { sentinelFuse: FUSE });
      console.log(`${out} (Node ${EXE_NODE})`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildExe();
