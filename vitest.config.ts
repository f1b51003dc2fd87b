import { defineConfig } from 'vitest/config';

// e2e files start real proxies and run real clients as processes: forks (not threads, which share one
// process's cwd/env and make child-process cleanup fragile), long timeouts, and no more workers than the
// CI machine's two cores.
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
          exclude: ['test/e2e/**', '**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // beforeAll may build the lab venv (~10 s) and start Squid + mitmproxy (~1-2 s).
          hookTimeout: 180_000,
          testTimeout: 90_000,
        },
      },
    ],
  },
});
