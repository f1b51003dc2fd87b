#!/usr/bin/env node
// The published entry, CommonJS on purpose (bin/package.json): an ES module entry starts Node's ESM loader,
// 10-20 ms that `--version` would spend on nothing. dist/cli.cjs loads one command bundle on demand.
require('../dist/cli.cjs').run();
