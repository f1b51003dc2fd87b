// The module loader of dist/certifix.cjs, inserted verbatim by scripts/pack-cjs.mjs after `__chunks` (chunk
// name → the module function of a chunk every start needs, or the base64 of a brotli-compressed chunk source)
// and `__cacheTag` (certifix version). A compressed chunk is inflated and compiled the first time it is required.
//
// Compiled code is kept between runs in V8's code cache (what Node >= 22 does for modules with
// module.enableCompileCache(); here by hand, so Node 20 has it too): one file per chunk under
// $XDG_CACHE_HOME/certifix/code-<version>-<node>-<arch>/, written at exit after the functions a run used were
// compiled. A cache file is trusted only as far as the code it stands for: it is read only when it and its
// directory belong to the user running certifix and nobody else can write them (`sudo certifix` in another
// user's HOME ignores theirs), without following symlinks, at most 8 MB. V8 itself rejects data made by another
// V8 version, other flags or for other source; the chunk names carry a hash of their content.
// CERTIFIX_NO_CODE_CACHE=1 turns it off.
const __modules = new Map();
const __fresh = [];
let __cacheDir;

function __codeCacheDir() {
  if (__cacheDir !== undefined) return __cacheDir;
  __cacheDir = null;
  const env = process.env;
  if (env.CERTIFIX_NO_CODE_CACHE || typeof process.geteuid !== 'function') return null;
  const path = require('node:path');
  const xdg = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : null;
  const home = env.HOME && path.isAbsolute(env.HOME) ? env.HOME : null;
  // Only in a tree of our own: root running in a user's HOME neither reads their files nor leaves its own there.
  try {
    const st = require('node:fs').statSync(xdg ?? home ?? '');
    if (st.uid !== process.geteuid()) return null;
  } catch {
    if (!home) return null;
  }
  const base = xdg ?? path.join(home, '.cache');
  const tag = `code-${__cacheTag}-${process.version}-${process.arch}`.replace(/[^\w.-]/g, '_');
  __cacheDir = path.join(base, 'certifix', tag);
  return __cacheDir;
}

/** Owned by us, not writable by group or others, and (lstat) not a symlink. */
function __ours(st) {
  return st.uid === process.geteuid() && (st.mode & 0o022) === 0;
}

function __readCache(file) {
  const fs = require('node:fs');
  let fd;
  try {
    const dir = require('node:path').dirname(file);
    if (!__ours(fs.lstatSync(dir)) || !__ours(fs.lstatSync(require('node:path').dirname(dir))))
      return undefined;
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    const st = fs.fstatSync(fd);
    if (!st.isFile() || !__ours(st) || st.size > 8 * 1024 * 1024) return undefined;
    return fs.readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function __writeCaches() {
  const fs = require('node:fs');
  const path = require('node:path');
  for (const [script, file] of __fresh) {
    try {
      const dir = path.dirname(file);
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (!__ours(fs.lstatSync(dir))) return;
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600, flag: 'wx' });
      fs.renameSync(tmp, file);
    } catch {
      // a cache is an optimisation: a read-only HOME or a full disk changes nothing
    }
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
  const cachedData = file ? __readCache(file) : undefined;
  const code = `(function (exports, require, module, __filename) {${src}\n})`;
  const script = new (require('node:vm').Script)(code, { filename, cachedData });
  if (file && (cachedData === undefined || script.cachedDataRejected)) {
    if (__fresh.length === 0) process.once('exit', __writeCaches);
    __fresh.push([script, file]);
  }
  script.runInThisContext()(m.exports, __require, m, filename);
  return m.exports;
}
