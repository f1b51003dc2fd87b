// Bundle the library (ESM, `exports` map, type declarations) and the CLI: one self-contained CommonJS file,
// dist/certifix.cjs, with no runtime dependency. It is the package's bin (bin/certifix.js compiles its code), the
// file a release attaches (`node certifix.cjs` in any directory) and what the standalone executables embed.
//
// Why CommonJS: on Node 20 an ES module entry starts Node's ESM loader, 10-20 ms before any of our code runs,
// which alone puts `certifix --version` past 1.1x `node -e 0`.
// Why command code is kept in strings: V8 pre-parses every function of a script it compiles, ~20-30 ms for
// the whole CLI, which `--version` would pay on every start. Scanning a string literal is a copy. So the CLI
// is bundled with code splitting (one chunk per command, shared chunks for what they share), each chunk is
// converted to a CommonJS module factory and stored as a string; the entry compiles a chunk the first time
// it is required; the chunks one command needs are compiled together, as one script with one cache file.
// See scripts/pack-cjs.mjs.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import { packChunks } from './pack-cjs.mjs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// What this build is made of: results the CLI keeps between runs (src/stores/read-memo.ts) are keyed by it,
// so a rebuilt CLI never reuses what other code computed.
const buildHash = createHash('sha256');
for (const f of readdirSync('src', { recursive: true }).map(String).sort())
  if (f.endsWith('.ts'))
    buildHash
      .update(`${f}\0`)
      .update(readFileSync(`src/${f}`))
      .update('\0');
const dist = new URL('../dist/', import.meta.url);

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  define: {
    __VERSION__: JSON.stringify(version),
    __BUILD__: JSON.stringify(buildHash.digest('hex').slice(0, 16)),
  },
  // Whitespace and syntax only: readable stack traces in bug reports, and most of the parse-time gain.
  minifyWhitespace: true,
  minifySyntax: true,
};

// Start clean: files of an older layout (dist/cli.cjs, dist/commands/) must not ship by accident. The
// standalone executables (dist/exe, `npm run build:exe`, not in the package) are kept.
for (const f of existsSync(dist) ? readdirSync(dist) : [])
  if (f !== 'exe') rmSync(new URL(f, dist), { recursive: true, force: true });

// The library: ESM with shared chunks. dist/cli.js is kept as the ESM entry of the same code.
await build({
  ...common,
  format: 'esm',
  entryPoints: { cli: 'src/cli/main.ts', index: 'src/index.ts' },
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});

// The CLI: split in memory, then packed into one file.
const split = await build({
  ...common,
  format: 'esm',
  entryPoints: { main: 'src/cli/main.ts' },
  outdir: '/certifix', // virtual: write is false
  splitting: true,
  chunkNames: '[name]-[hash]',
  write: false,
});
const out = new URL('../dist/certifix.cjs', import.meta.url);
writeFileSync(out, await packChunks(split.outputFiles, '/certifix/main.js', version));
chmodSync(out, 0o755);

execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
  stdio: 'inherit',
});
