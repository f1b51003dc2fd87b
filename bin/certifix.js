#!/usr/bin/env node
// The published entry: dist/certifix.cjs is the whole CLI in one self-contained file (no dependencies).
// `certifix --version` is answered from package.json, without reading and compiling the ~25 kB of code: that
// alone costs a tenth of Node's own start-up.
const [, , first, ...rest] = process.argv;
if (rest.length === 0 && (first === '--version' || first === '-v' || first === 'version')) {
  try {
    require('node:fs').writeSync(1, `${require('../package.json').version}\n`);
  } catch {}
} else (head() ?? require('../dist/certifix.cjs')).run();

/**
 * dist/certifix.cjs as a CommonJS module, compiled from its code alone: the file's third line says how many
 * bytes of code come before the ~210 kB of compressed sources, which only a run without a code cache reads
 * (the file reads them itself then). `require` would read and scan the whole file at every start. Undefined
 * when the file is not of that shape: then it is required as a whole.
 */
function head() {
  const NEXT = '// The compressed sources';
  const fs = require('node:fs');
  const { join } = require('node:path');
  const file = join(__dirname, '..', 'dist', 'certifix.cjs');
  let code;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const top = Buffer.alloc(256);
      const bytes = Number(
        /^\/\/ head: (\d{10}) bytes/m.exec(top.toString('latin1', 0, fs.readSync(fd, top)))?.[1],
      );
      if (!(bytes > 0 && bytes <= 4 * 1024 * 1024)) return undefined;
      // the code, and the start of what must follow it
      const buf = Buffer.allocUnsafe(bytes + NEXT.length);
      if (fs.readSync(fd, buf, 0, buf.length, 0) !== buf.length) return undefined;
      if (buf.toString('latin1', bytes) !== NEXT) return undefined;
      code = buf.toString('latin1', 0, bytes).replace(/^#!.*/, '');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const params = ['exports', 'require', 'module', '__filename', '__dirname'];
  const fn = require('node:vm').compileFunction(code, params, { filename: file });
  const mod = { exports: {}, filename: file, id: file };
  // This file's own `require` serves: the file requires nothing but Node's builtins (node:module's
  // createRequire would load the ES module loader for nothing).
  fn.call(mod.exports, mod.exports, require, mod, file, join(file, '..'));
  return mod.exports;
}
