#!/usr/bin/env node
// The published entry: dist/certifix.cjs is the whole CLI in one self-contained file (no dependencies).
require('../dist/certifix.cjs').run();
