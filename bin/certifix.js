#!/usr/bin/env node
// The published entry: dist/certifix.cjs is the whole CLI in one self-contained file (no dependencies).
// `certifix --version` is answered from package.json, without reading and compiling the ~240 kB CLI: that
// alone costs a tenth of Node's own start-up.
const [, , first, ...rest] = process.argv;
if (rest.length === 0 && (first === '--version' || first === '-v' || first === 'version')) {
  try {
    require('node:fs').writeSync(1, `${require('../package.json').version}\n`);
  } catch {}
} else require('../dist/certifix.cjs').run();
