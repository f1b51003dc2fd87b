// Pack esbuild's code-split ESM output into one CommonJS file whose chunks are compiled on first require.
//
// Each chunk is converted to CommonJS (static imports of other chunks become `require('./chunk.js')`, and
// `import()` becomes a `require` inside a promise), then stored as a string literal. The entry chunk is plain
// code. A string literal costs V8 a copy where a function costs a pre-parse, so `--version` pays for the
// entry alone and `diagnose` for the chunks it uses. The chunks run in strict mode as ES modules would.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants } from 'node:zlib';
import { transform } from 'esbuild';

/** Where the `// head:` line's byte count goes: ten digits, so that writing it in changes no offset. */
const HEAD_FIELD = '@@@@@@@@@@';

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
  // A namespace or default import of a builtin (or a re-export of one) becomes a copy of all its exports (a
  // getter each, a hundred for node:fs) made when the chunk loads: named imports cost nothing. A dynamic
  // import() copies only when it runs, so is left alone (`=>__toESM(`).
  const copied =
    /[\w$\s]=\s*__toESM\(require\("((?:node:)?[a-z_/]+)"\)\)/.exec(r.code) ??
    /__reExport\([^,]+,\s*require\("((?:node:)?[a-z_/]+)"\)/.exec(r.code);
  if (copied) throw new Error(`pack: ${name} imports ${copied[1]} whole (import * or default): import names`);
  // esbuild escapes non-ASCII characters outside regular expression literals; the loader decodes a cached
  // source as Latin-1 (a copy) on that basis
  if (/[\u0080-\uffff]/.test(r.code))
    throw new Error(`pack: ${name} is not ASCII: write \\u escapes (in a regular expression literal too)`);
  return r.code;
}

/** The loader written before the entry's code (a file of its own, so that it is linted and readable). */
const LOADER = readFileSync(new URL('./pack-loader.cjs', import.meta.url), 'utf8');

/**
 * `__cacheFiles`, the loader's access to its code cache: src/stores/user-cache.ts itself (the checks on
 * ownership, symlinks and size are written once, for the code cache and the bundle index alike).
 */
async function cacheFilesModule() {
  const src = readFileSync(new URL('../src/stores/user-cache.ts', import.meta.url), 'utf8');
  const r = await transform(src, {
    loader: 'ts',
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcefile: 'src/stores/user-cache.ts',
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
  });
  return `const __cacheFiles = (function (module) {const exports = module.exports;${r.code}\nreturn module.exports;\n})({ exports: {} });`;
}

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
  // What every start needs is plain code, compiled with this file; the rest is stored brotli-compressed (a
  // third of the bytes V8 must scan at each start) and inflated and compiled when first required.
  const staticDeps = (code) =>
    [...code.matchAll(/import_[\w$]+\s*=\s*require\("(\.\/[^"]+)"\)/g)]
      .map((m) => m[1])
      .filter((id) => chunks[id] !== undefined);
  const eager = new Set();
  const visit = (code) => {
    for (const id of staticDeps(code)) {
      if (!eager.has(id)) {
        eager.add(id);
        visit(chunks[id]);
      }
    }
  };
  visit(entry);
  const groups = groupChunks(entry, chunks, eager, staticDeps);
  // Compressed sources are lines of `__payloads`'s comment (see below); a table names one as "#<line>".
  const payloads = [];
  const brotli = (text) => {
    payloads.push(
      brotliCompressSync(Buffer.from(text), { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).toString(
        'base64',
      ),
    );
    return `#${payloads.length - 1}`;
  };
  const grouped = new Map(groups.flatMap((g, i) => g.map((id) => [id, i])));
  const table = Object.entries(chunks)
    .map(([k, v]) =>
      eager.has(k)
        ? `${JSON.stringify(k)}:function (exports, require, module, __filename) {${v}\n}`
        : grouped.has(k)
          ? `${JSON.stringify(k)}:${grouped.get(k)}`
          : `${JSON.stringify(k)}:${JSON.stringify(brotli(v))}`,
    )
    .join(',\n');
  // A group's source: one object literal of the module functions of its chunks, compiled as one script.
  const groupSources = groups.map(
    (ids) =>
      `({${ids.map((id) => `${JSON.stringify(id)}:function (exports, require, module, __filename) {${chunks[id]}\n}`).join(',\n')}})`,
  );
  const groupNames = groupSources.map(
    (src, i) => `group${i}-${createHash('sha256').update(src).digest('hex').slice(0, 12)}.js`,
  );
  const head = `#!/usr/bin/env node
// certifix ${version}: one self-contained file (no dependencies). https://www.npmjs.com/package/certifix
// head: ${HEAD_FIELD} bytes of code, then the compressed sources (bin/certifix.js reads only the code)
'use strict';
const __cacheTag = ${JSON.stringify(version)};
const __chunks = {
${table}
};
const __sizes = ${JSON.stringify(
    Object.fromEntries(
      Object.entries(chunks)
        .filter(([k]) => !eager.has(k) && !grouped.has(k))
        .map(([k, v]) => [k, Buffer.byteLength(v, 'utf8')]),
    ),
  )};
const __groups = [${groupSources.map((src, i) => `[${JSON.stringify(groupNames[i])},${JSON.stringify(brotli(src))},${Buffer.byteLength(src, 'utf8')}]`).join(',\n')}];
${await cacheFilesModule()}
${LOADER}
(function (exports, require, module) {
${entry}
})(module.exports, __require, module);
// Run when executed (\`node certifix.cjs ...\`, a single executable application); not when required.
if (require.main === module) module.exports.run();
`;
  const out = `${head.replace(HEAD_FIELD, String(head.length).padStart(HEAD_FIELD.length, '0'))}// The compressed sources, one base64 line each. In a comment they cost V8's scanner a skim at each start; as
// string literals they cost a copy and a hash each, 210 kB of them. Read only for a chunk that has no code
// cache yet: through Function.prototype.toString, or from the file when the bin compiled the code alone.
function __payloads() {/*
${payloads.join('\n')}
*/}
`;
  if (out.length > MAX_BYTES) throw new Error(`pack: ${out.length} bytes, more than ${MAX_BYTES}`);
  // One non-ASCII character makes Node read the whole file as a two-byte string (twice the bytes to decode,
  // copy and scan at every start): esbuild escapes the code's, this keeps the loader's comments to ASCII.
  const wide = [...out].findIndex((ch) => ch.charCodeAt(0) > 0x7f);
  if (wide >= 0)
    throw new Error(`pack: non-ASCII ${JSON.stringify(out[wide])} at ${wide}: keep the loader ASCII`);
  return out;
}

/**
 * Chunks compiled together: each command the entry imports lazily (in the order of `--help`, diagnose first)
 * gets one group holding every chunk it statically needs that no earlier group holds. A chunk costs a cache
 * file, a script and its own compilation set-up (~0.7 ms each, twenty for `diagnose`); a group costs that
 * once. Modules still run only when first required.
 *
 * What a group imports lazily is another load path: `diagnose` answering from its kept resolution needs
 * stores/linux.ts but never clients/registry.ts (every adapter) or net/aia.ts. So each lazily imported module
 * gets a group of its own right after the group that imports it (with what it statically needs that no group
 * holds yet), before the next command takes it into a group of that command's. A small one (the OS store's
 * reader, the AIA fetcher: under SMALL_LAZY with what it needs) joins the group instead: a group of its own
 * costs a cache file, a script and its set-up on every run that needs it, more than compiling a few kB more
 * costs the runs that do not.
 */
/** A lazily imported module this small (with what it needs that no group holds) joins the importing group. */
const SMALL_LAZY = 16 * 1024;

function groupChunks(entry, chunks, eager, staticDeps) {
  const taken = new Set(eager);
  const groups = [];
  const lazyDeps = (code) =>
    [...code.matchAll(/Promise\.resolve\(\)\.then\(\(\) ?=> ?(?:__toESM\()?require\("(\.\/[^"]+)"\)/g)]
      .map((m) => m[1])
      .filter((id) => chunks[id] !== undefined);
  const queue = [...entry.matchAll(/require\("(\.\/[^"]+)"\)/g)]
    .map((m) => m[1])
    .filter((id) => chunks[id] !== undefined && !eager.has(id));
  const closure = (root) => {
    const out = [];
    const visit = (id) => {
      if (taken.has(id) || out.includes(id)) return;
      out.push(id);
      for (const dep of staticDeps(chunks[id])) visit(dep);
    };
    visit(root);
    return out;
  };
  const take = (ids) => {
    for (const id of ids) taken.add(id);
    if (ids.length > 0) groups.push(ids);
  };
  while (queue.length > 0) {
    const group = closure(queue.shift());
    take(group);
    const lazy = [];
    for (const id of group)
      for (const dep of lazyDeps(chunks[id])) {
        if (taken.has(dep) || lazy.includes(dep)) continue;
        const needs = closure(dep);
        if (needs.reduce((n, id) => n + chunks[id].length, 0) < SMALL_LAZY) {
          for (const id of needs) taken.add(id);
          group.push(...needs);
        } else lazy.push(dep);
      }
    // What two lazily imported modules both need is a group of its own, loaded by whichever comes first:
    // in either one's group it would load the other's whole group with it.
    const closures = lazy.map(closure);
    const shared = [...new Set(closures.flat())].filter(
      (id) => closures.filter((c) => c.includes(id)).length > 1,
    );
    take(shared);
    queue.unshift(...lazy);
  }
  return groups;
}
