import { defineConfig } from 'tsup';

// One entry per public subpath; each is built as ESM and CJS with its own declarations.
// Dependencies stay external, so `saasus-mfa` itself never pulls axios: only `./saasus` imports it.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'saasus/index': 'src/saasus/index.ts',
    'totp/index': 'src/totp/index.ts',
    'stores/redis/index': 'src/stores/redis/index.ts',
    'stores/postgres/index': 'src/stores/postgres/index.ts',
    'stores/sqlite/index': 'src/stores/sqlite/index.ts',
    'testing/index': 'src/testing/index.ts',
    'testing/saasus/index': 'src/testing/saasus/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  splitting: true,
  treeshake: true,
});
