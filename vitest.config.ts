import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    // The examples import 'saasus-mfa' by name, as a user's app would; in tests that name means the sources.
    alias: [
      { find: /^saasus-mfa$/, replacement: src('index.ts') },
      { find: /^saasus-mfa\/(.*)$/, replacement: src('$1/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    // Two files at a time even on a 2-core machine (vitest's default leaves one core free, which ran every file one
    // after another: 421 s against 243 s for the same suite, all green either way). The tests wait on services and
    // child processes far more than they compute.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    globalSetup: ['test/support/global-redis-deployments.ts'],
  },
});
