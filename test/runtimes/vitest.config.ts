import { defineConfig } from 'vitest/config';

// The runtime suites: the packed package on other runtimes (Node 22 and 24, Bun, Deno, workerd), in child processes.
// Apart from `npm test` (whose include is test/**/*.test.ts) because each run installs runtimes and packs the package;
// .ci/run runs them as timed steps, one per runtime (MFA_RUNTIME=bun, ...). No alias to src/: everything the runtimes
// run is the packed package; only the fakes and decoders on the Node side come from the repository.
export default defineConfig({
  test: {
    include: ['test/runtimes/**/*.runtime.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // One file at a time: they share the packed project and the CPU is two cores.
    fileParallelism: false,
  },
});
