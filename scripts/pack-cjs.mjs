// Pack esbuild's code-split ESM output into one CommonJS file whose chunks are compiled on first require.
//
// Each chunk is converted to CommonJS (static imports of other chunks become `require('./chunk.js')`, and
// `import()` becomes a `require` inside a promise), then stored as a string literal. The entry chunk is plain
// code. A string literal costs V8 a copy where a function costs a pre-parse, so `--version` pays for the
// entry alone and `diagnose` for the chunks it uses. The chunks run in strict mode as ES modules would.
import { transform } from 'esbuild';

/** Bytes after which the packer refuses: a runaway bundle (a dependency pulled in by mistake) shows here. */
const MAX_BYTES = 4 * 1024 * 1024;

async function toCjs(code, name) {
  const r = await transform(code, {
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    loader: 'js',
    sourcefile: name,
    supported: { 'dynamic-import': false },
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
  });
  return r.code;
}

/** The loader written before the entry's code. `__chunks` maps './name.js' to the chunk's source. */
const LOADER = `const __modules = new Map();
function __require(id) {
  const src = __chunks[id];
  if (src === undefined) return require(id);
  let m = __modules.get(id);
  if (m) return m.exports;
  m = { exports: {} };
  __modules.set(id, m);
  const filename = __filename + '/' + id.slice(2);
  require('node:vm').compileFunction(src, ['exports', 'require', 'module', '__filename'], { filename })(m.exports, __require, m, filename);
  return m.exports;
}
`;

/**
 * @param {{ path: string, text: string }[]} files esbuild's output files (write: false)
 * @param {string} entryPath the entry among them
 * @param {string} version
 */
export async function packChunks(files, entryPath, version) {
  const dir = entryPath.slice(0, entryPath.lastIndexOf('/') + 1);
  const chunks = {};
  let entry;
  for (const f of files) {
    if (!f.path.endsWith('.js')) continue;
    const code = await toCjs(f.text, f.path.slice(dir.length));
    if (f.path === entryPath) entry = code;
    else chunks[`./${f.path.slice(dir.length)}`] = `'use strict';${code}`;
  }
  if (entry === undefined) throw new Error(`pack: entry ${entryPath} not among the outputs`);
  const table = Object.entries(chunks)
    .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`)
    .join(',\n');
  const out = `#!/usr/bin/env node
// certifix ${version}: one self-contained file (no dependencies). https://www.npmjs.com/package/certifix
'use strict';
const __chunks = {
${table}
};
${LOADER}
(function (exports, require, module) {
${entry}
})(module.exports, __require, module);
// Run when executed (\`node certifix.cjs ...\`, the bin, a single executable application); not when required.
if (require.main === module) module.exports.run();
`;
  if (out.length > MAX_BYTES) throw new Error(`pack: ${out.length} bytes, more than ${MAX_BYTES}`);
  return out;
}
