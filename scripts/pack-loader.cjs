// The module loader of dist/certifix.cjs, inserted verbatim by scripts/pack-cjs.mjs after `__chunks` (chunk
// name → the module function of a chunk every start needs, or the base64 of a brotli-compressed chunk source)
// and `__cacheTag` (certifix version). A compressed chunk is inflated and compiled the first time it is required.
//
// Compiled code is kept between runs in V8's code cache (what Node >= 22 does for modules with
// module.enableCompileCache(); here by hand, so Node 20 has it too): one file per chunk under
// $XDG_CACHE_HOME/certifix/code-<version>-<node>-<arch>/, written at exit after the functions a run used were
// compiled. A cache file is trusted only as far as the code it stands for: it is read only when it and its
// directory belong to the user running certifix and nobody else can write them (`sudo certifix` in another
// user's HOME ignores theirs), without following symlinks, at most 8 MB: `__cacheFiles` is src/stores/user-cache.ts,
// compiled in by scripts/pack-cjs.mjs. V8 itself rejects data made by another V8 version, other flags or for
// other source; the chunk names carry a hash of their content. CERTIFIX_NO_CODE_CACHE=1 (or CERTIFIX_NO_CACHE=1)
// turns it off.
const __modules = new Map();
const __fresh = [];
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

function __writeCaches() {
  for (const [script, file] of __fresh) {
    // a cache is an optimisation: a read-only HOME or a full disk changes nothing
    if (!__cacheFiles.writeCacheFile(file, script.createCachedData())) return;
  }
}

function __require(id) {
  const chunk = __chunks[id];
  if (chunk === undefined) return require(id);
  let m = __modules.get(id);
  if (m) return m.exports;
  m = { exports: {} };
  __modules.set(id, m);
  const name = id.slice(2);
  const filename = `${__filename}/${name}`;
  if (typeof chunk === 'function') {
    chunk(m.exports, __require, m, filename);
    return m.exports;
  }
  const src = require('node:zlib').brotliDecompressSync(Buffer.from(chunk, 'base64')).toString('utf8');
  const dir = __codeCacheDir();
  const file = dir && `${dir}/${name}.v8`;
  const cachedData = file ? __cacheFiles.readCacheFile(file, 8 * 1024 * 1024) : undefined;
  const code = `(function (exports, require, module, __filename) {${src}\n})`;
  const script = new (require('node:vm').Script)(code, { filename, cachedData });
  if (file && (cachedData === undefined || script.cachedDataRejected)) {
    if (__fresh.length === 0) process.once('exit', __writeCaches);
    __fresh.push([script, file]);
  }
  script.runInThisContext()(m.exports, __require, m, filename);
  return m.exports;
}
