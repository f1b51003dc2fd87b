#!/usr/bin/env node
// The published entry: one bundled module, so start-up reads a single file.
import { run } from '../dist/cli.js';

await run();
