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
    globalSetup: ['test/support/global-redis-deployments.ts'],
  },
});
