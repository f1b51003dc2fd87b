// The module loader of dist/certifix.cjs, inserted verbatim by scripts/pack-cjs.mjs after `__chunks` (chunk
// name -> the module function of a chunk every start needs, "#<n>" for a brotli-compressed chunk source, or
// the index of its group in `__groups`), `__sizes` (chunk name -> bytes of its source), `__groups` ([name,
// "#<n>", bytes] of chunks compiled together) and `__cacheTag` (certifix version). "#<n>" is line n of the
// comment in `__payloads`, at the end of the file: the source, brotli-compressed, in base64. A compressed
// chunk or group is inflated and compiled the first time one of its modules is required.
//
// Compiled code is kept between runs in V8's code cache (what Node >= 22 does for modules with
// module.enableCompileCache(); here by hand, so Node 20 has it too): one file per chunk under
// $XDG_CACHE_HOME/certifix/code-<version>-<node>-<arch>/, holding the inflated source and the code V8 compiled
// for it, written at exit after the functions a run used were compiled. A cache file is code we run, so it is
// read only when it and its directory belong to the user running certifix and nobody else can write them
// (`sudo certifix` in another user's HOME ignores theirs), without following symlinks, at most 16 MB, and
// when its source has the size of the chunk's: `__cacheFiles` is src/stores/user-cache.ts, compiled in by
// scripts/pack-cjs.mjs. V8 itself rejects data made by another V8 version, other flags or for other source;
// the chunk names carry a hash of their content. CERTIFIX_NO_CODE_CACHE=1 (or CERTIFIX_NO_CACHE=1) turns it off.
const __modules = new Map();
let __cacheDir;

function __codeCacheDir() {
  if (__cacheDir !== undefined) return __cacheDir;
  __cacheDir = null;
  if (process.env.CERTIFIX_NO_CODE_CACHE) return null;
  const root = __cacheFiles.cacheRoot(process.env);
  if (!root) return null;
  const tag = `code-${__cacheTag}-${process.version}-${process.arch}`.replace(/[^\w.-]/g, '_');
  __cacheDir = `${root}/${tag}`;
  return __cacheDir;
}

/**
 * Runs that write a chunk's cache. V8 compiles a function the first time it is called, and a cache holds
 * what was compiled when it was written: a run taking another path than the one that wrote it (diagnose
 * answering from its kept resolution, after the run that resolved the clients) would compile what only it
 * calls from source, every time. So the first runs after a cache is made each write it again: the code V8
 * serialises then is every function compiled so far, those read from the cache included, and the cache
 * settles on what those runs used between them (the count is per chunk or group; a command's
 * own chunks are written by that command's runs, shared ones by whichever commands ran first). Later, a run
 * that loads a module of a group none of the writing runs loaded (the AIA fetcher, for the first server
 * that sends an incomplete chain) writes it once more.
 */
const __WRITES = 4;

/** Each compiled chunk or group by name: its script, what its cache file held, the modules this run loaded. */
const __compiled = new Map();

/**
 * Written at exit: the chunk's source and V8's code for it in one file, `CFX5`, the source's byte length
 * (u32 LE), how many runs wrote this cache (u32 LE), the byte length of the list of modules they loaded (u32
 * LE), the source, that list (names joined by `,`), zeros up to a multiple of 8, then the code cache. A warm
 * start reads it instead of inflating the chunk, and so never loads zlib. V8 copies cached data that does not
 * start on a pointer boundary before it reads it: half a megabyte of fresh memory per start for diagnose,
 * which the padding saves (Node reads a file of this size into its own 8-aligned allocation).
 */
function __writeCaches() {
  // A cache made now is most likely this version's (or this Node's) first run: the caches of versions not run
  // for a month go.
  if ([...__compiled.values()].some((c) => c.fresh)) {
    const dir = __codeCacheDir();
    const at = dir.lastIndexOf('/');
    __cacheFiles.pruneStale(dir.slice(0, at), 'code-', dir.slice(at + 1), 30 * 24 * 3600 * 1000);
  }
  for (const [name, c] of __compiled) {
    const grown = [...c.loaded].some((id) => !c.used.has(id));
    if (!c.fresh && c.writes >= __WRITES && !grown) continue;
    const text = Buffer.from(c.src, 'utf8');
    const used = Buffer.from([...new Set([...c.used, ...c.loaded])].join(','), 'latin1');
    const head = Buffer.alloc(16);
    head.write('CFX5', 0, 'latin1');
    head.writeUInt32LE(text.length, 4);
    head.writeUInt32LE(c.fresh ? 1 : c.writes + 1, 8);
    head.writeUInt32LE(used.length, 12);
    const pad = Buffer.alloc(__codeOffset(text.length, used.length) - 16 - text.length - used.length);
    // a cache is an optimisation: a read-only HOME or a full disk changes nothing
    const data = Buffer.concat([head, text, used, pad, c.script.createCachedData()]);
    if (!__cacheFiles.writeCacheFile(`${__codeCacheDir()}/${name}.cache`, data)) return;
  }
}

/** Where the code cache starts in a cache file whose source and list of modules have these byte lengths. */
const __codeOffset = (size, usedSize) => (16 + size + usedSize + 7) & ~7;

/** The source and code cache of a chunk from its cache file, when the file is whole and of this chunk's size. */
function __readCode(file, size) {
  const data = __cacheFiles.readCacheFile(file, 16 * 1024 * 1024);
  if (!data || data.length < 16 || data.toString('latin1', 0, 4) !== 'CFX5') return undefined;
  const usedSize = data.readUInt32LE(12);
  if (data.readUInt32LE(4) !== size || 16 + size + usedSize >= data.length) return undefined;
  return {
    // the packed sources are ASCII (scripts/pack-cjs.mjs): decoded by a copy, where UTF-8 is scanned first
    src: data.toString('latin1', 16, 16 + size),
    writes: data.readUInt32LE(8),
    used: new Set(data.toString('latin1', 16 + size, 16 + size + usedSize).split(',')),
    cachedData: data.subarray(__codeOffset(size, usedSize)),
  };
}

/**
 * Builtins a chunk imports but may never call (fs/promises pulls in readline, child_process only runs
 * clients for `check`, node:module only serves a recording of stores/read-memo.ts, node:tls only lists Node's
 * own roots where no index of them is kept): each is loaded on the first use of one of its exports, not when the chunk loads.
 * esbuild reads a named import at each use (`(0, import_x.f)(...)`), so a named import stays lazy.
 */
const __lazyBuiltins = new Set([
  'node:fs/promises',
  'node:child_process',
  'node:dns/promises',
  'node:http',
  'node:module',
  'node:os',
  'node:readline',
  'node:tls',
  'node:tty',
]);
const __builtins = new Map();

function __builtin(id) {
  if (!__lazyBuiltins.has(id)) return require(id);
  let proxy = __builtins.get(id);
  if (!proxy) {
    let mod;
    const load = () => {
      mod ??= require(id);
      return mod;
    };
    proxy = new Proxy(
      {},
      {
        get: (_, k) => load()[k],
        has: (_, k) => k in load(),
        ownKeys: () => Reflect.ownKeys(load()),
        getOwnPropertyDescriptor: (_, k) => {
          const d = Reflect.getOwnPropertyDescriptor(load(), k);
          return d && { ...d, configurable: true };
        },
        getPrototypeOf: () => Reflect.getPrototypeOf(load()),
      },
    );
    __builtins.set(id, proxy);
  }
  return proxy;
}

let __payloadLines;

/**
 * The text of `__payloads`. bin/certifix.js compiles this file without it (only the bytes before it, see the
 * `// head:` line): then it is read from the file, which only a run without a code cache does.
 */
function __payloadText() {
  if (typeof __payloads === 'function') return __payloads.toString();
  const text = require('node:fs').readFileSync(__filename, 'latin1');
  const at = text.lastIndexOf('\nfunction __payloads() {/*');
  return at < 0 ? '' : text.slice(at + 1);
}

/** The source "#<n>" names, inflated: line n of the comment in `__payloads` (its first line is the header). */
function __inflate(ref) {
  __payloadLines ??= __payloadText().split('\n');
  const line = __payloadLines[Number(ref.slice(1)) + 1];
  if (!line || !/^[A-Za-z0-9+/=]+\r?$/.test(line))
    throw new Error(
      `certifix: ${ref} is missing from the end of ${__filename}: the file was altered (comments stripped?)`,
    );
  try {
    return require('node:zlib').brotliDecompressSync(Buffer.from(line, 'base64')).toString('utf8');
  } catch {
    throw new Error(`certifix: ${ref} at the end of ${__filename} does not inflate: the file was altered`);
  }
}

/**
 * Compile the source `ref` names as `filename`, its inflated source of `size` bytes wrapped by `wrap`; from
 * its cache file when it has one, else inflated and cached at exit. Returns what the script evaluates to.
 */
function __compile(name, ref, size, wrap) {
  const dir = __codeCacheDir();
  const file = dir && `${dir}/${name}.cache`;
  const cached = file ? __readCode(file, size) : undefined;
  const src = cached?.src ?? __inflate(ref);
  // Inflated from the file now: one replaced since this run started (an upgrade) holds other sources.
  if (!cached && Buffer.byteLength(src, 'utf8') !== size)
    throw new Error(`certifix: ${__filename} changed while it ran (an upgrade?): run the command again`);
  const script = new (require('node:vm').Script)(wrap(src), {
    filename: `${__filename}/${name}`,
    cachedData: cached?.cachedData,
  });
  const fresh = cached === undefined || script.cachedDataRejected;
  if (file) {
    if (__compiled.size === 0) process.once('exit', __writeCaches);
    const used = fresh ? new Set() : cached.used;
    __compiled.set(name, { script, src, fresh, writes: fresh ? 0 : cached.writes, used, loaded: new Set() });
  }
  return script.runInThisContext();
}

const __wrapChunk = (src) => `(function (exports, require, module, __filename) {${src}\n})`;
const __groupFns = [];

function __require(id) {
  const chunk = __chunks[id];
  if (chunk === undefined) return __builtin(id);
  let m = __modules.get(id);
  if (m) return m.exports;
  m = { exports: {} };
  __modules.set(id, m);
  const name = id.slice(2);
  const filename = `${__filename}/${name}`;
  let fn;
  if (typeof chunk === 'function') fn = chunk;
  else if (typeof chunk === 'number') {
    // one of the chunks compiled together (scripts/pack-cjs.mjs groupChunks): the group's first require compiles it
    const [group, ref, size] = __groups[chunk];
    __groupFns[chunk] ??= __compile(group, ref, size, (src) => src);
    __compiled.get(group)?.loaded.add(name);
    fn = __groupFns[chunk][id];
  } else {
    fn = __compile(name, chunk, __sizes[id], __wrapChunk);
    __compiled.get(name)?.loaded.add(name);
  }
  fn(m.exports, __require, m, filename);
  return m.exports;
}
