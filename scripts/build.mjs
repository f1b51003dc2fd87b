// Bundle the library (ESM, `exports` map) and the CLI (CommonJS, one file per command), then emit type
// declarations for the library.
//
// Why the CLI is CommonJS: on Node 20 an ES module entry starts Node's ESM loader, 10-20 ms before any of our
// code runs, which alone puts `certifix --version` past 1.2x `node -e 0`; `require` of a CommonJS file costs
// ~0.2 ms. esbuild only code-splits ESM, so the split is done here: dist/cli.cjs holds main.ts and the modules
// every command shares with it (errors.ts, io.ts: one CertifixError class, or `instanceof` fails across
// files); each command is one self-contained dist/commands/<name>.cjs, required when that command runs.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const root = resolve(dirname(new URL(import.meta.url).pathname), '..');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  define: { __VERSION__: JSON.stringify(version) },
  // Whitespace and syntax only: readable stack traces in bug reports, and most of the parse-time gain.
  minifyWhitespace: true,
  minifySyntax: true,
};

// The library: ESM with shared chunks. dist/cli.js is kept as the ESM entry of the same code.
await build({
  ...common,
  format: 'esm',
  entryPoints: { cli: 'src/cli/main.ts', index: 'src/index.ts' },
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  // esbuild's ESM output cannot `require`; give bundled CommonJS deps one.
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
});

/** Modules that live in dist/cli.cjs; commands require them from there. */
const shared = ['src/cli/main.ts', 'src/core/errors.ts', 'src/cli/io.ts'].map((p) => resolve(root, p));
const commands = Object.keys(
  Object.fromEntries(
    [
      ...readFileSync(resolve(root, 'src/cli/main.ts'), 'utf8').matchAll(/import\('\.\/([a-z-]+)\.ts'\)/g),
    ].map((m) => [m[1], true]),
  ),
);

/** In dist/cli.cjs: a command module is `require('./commands/<name>.cjs')`, loaded when first imported. */
const commandStubs = {
  name: 'command-stubs',
  setup(b) {
    b.onResolve({ filter: /^\.\/[a-z-]+\.ts$/ }, (a) => {
      const name = a.path.slice(2, -3);
      if (resolve(a.resolveDir, a.path) === resolve(root, `src/cli/${name}.ts`) && commands.includes(name))
        return { path: name, namespace: 'command' };
      return undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'command' }, (a) => ({
      contents: `module.exports = require('./commands/${a.path}.cjs');`,
      loader: 'js',
    }));
    b.onResolve({ filter: /^\.\/commands\// }, (a) => ({ path: a.path, external: true }));
  },
};

/** In a command bundle: the shared modules come from dist/cli.cjs (already loaded: it required us). */
const sharedFromMain = {
  name: 'shared-from-main',
  setup(b) {
    b.onResolve({ filter: /\.ts$/ }, (a) =>
      a.kind !== 'entry-point' && shared.includes(resolve(a.resolveDir, a.path))
        ? { path: '../cli.cjs', external: true }
        : undefined,
    );
  },
};

/**
 * CommonJS builds: `import()` becomes `require()`. A real `import()` (of node:fs/promises, say) would start the
 * ESM loader after all, mid-run.
 */
const cjs = { ...common, format: 'cjs', supported: { 'dynamic-import': false } };

await build({
  ...cjs,
  stdin: {
    contents: shared.map((p) => `export * from ${JSON.stringify(p)};`).join('\n'),
    resolveDir: root,
    sourcefile: 'cli-entry.ts',
    loader: 'ts',
  },
  outfile: 'dist/cli.cjs',
  plugins: [commandStubs],
});
await build({
  ...cjs,
  entryPoints: Object.fromEntries(commands.map((c) => [c, `src/cli/${c}.ts`])),
  outdir: 'dist/commands',
  outExtension: { '.js': '.cjs' },
  // The ASN.1 libraries (~330 KB) serve only AIA fetches, which happen when a chain is incomplete: they are
  // required from node_modules (they are dependencies) when that code first runs, not parsed at every start.
  external: ['@peculiar/*'],
  plugins: [sharedFromMain],
});

execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
  stdio: 'inherit',
});
