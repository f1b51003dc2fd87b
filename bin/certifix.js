#!/usr/bin/env node
// The published entry: a single bundled file, so start-up reads one module.
import '../dist/cli.js';
