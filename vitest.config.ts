import { defineConfig } from 'vitest/config';

// e2e files start real proxies and run real clients as processes: forks (not threads, which share one
// process's cwd/env and make child-process cleanup fragile), long timeouts, and no more workers than the
// CI machine's two cores.
/**
 * Files that build a sandboxed laptop or run real clients many times over: the e2e project's timeouts fit
 * them (pip alone takes 2-5 s per start on a busy machine). The contract suite runs every adapter's real
 * client through detect, check, apply, check, undo, check.
 */
const E2E = [
  'test/e2e/**/*.test.ts',
  'test/clients/contract.test.ts',
  'test/commands/library-vs-cli.test.ts',
];

export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    teardownTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...E2E, '**/node_modules/**'],
          // Some unit tests ask a real tool (npm config, pip config, keytool, openssl) how it reads a file
          // certifix wrote; each starts in about a second, many on a machine busy with other work. Speed is
          // measured by `npm run bench`, not here.
          hookTimeout: 60_000,
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: E2E,
          // beforeAll may build the lab venv (~10 s) and start Squid + mitmproxy (~1-2 s).
          hookTimeout: 180_000,
          testTimeout: 90_000,
        },
      },
    ],
  },
});
