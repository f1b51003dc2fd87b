/** Where the lab lives: the repository (for the built CLI) and a cache that survives between runs. */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Built once, reused by every test file and run: the lab venv, the Mozilla store template. */
export const CACHE_DIR = join(REPO, 'node_modules', '.cache', 'certifix-lab');
