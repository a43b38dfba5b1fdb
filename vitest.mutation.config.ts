import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';
import { mutationStores } from './mutation.stores.mjs';

// Each Stryker test runner starts its own Redis Cluster and Sentinel (the global setup): apart by 20 ports each, so two
// runners never race for the same ones. STRYKER_MUTATOR_WORKER is the runner's number, set by Stryker.
const worker = Number(process.env.STRYKER_MUTATOR_WORKER ?? 0) % 4;
for (const name of ['MFA_TEST_CLUSTER_PORT', 'MFA_TEST_SENTINEL_PORT'] as const) {
  const first = process.env[name];
  if (first) process.env[name] = String(Number(first) + 20 * worker);
}

/** The suites that drive the store-independent core through the public API (on the memory store, in the core part). */
const core = [
  'test/totp-*.test.ts',
  'test/mutation-*.test.ts',
  'test/input-validation*.test.ts',
  'test/properties-validation.test.ts',
  'test/properties-client.test.ts',
  'test/client-capabilities.test.ts',
  'test/encryption-key-*.test.ts',
  'test/concurrency.test.ts',
  'test/signer.test.ts',
  'test/store-guard-malformed-state.test.ts',
  'test/store-misconfiguration.test.ts',
];

/** The stores' own suites (every store), and the fault suites that test the guard in front of them. */
const stores = [
  ...core,
  'test/store-*.test.ts',
  'test/redis-*.test.ts',
  'test/postgres-*.test.ts',
  'test/sqlite-*.test.ts',
  'test/leak.test.ts',
];

/**
 * The tests Stryker runs against each mutant (stryker.config.mjs): the fast suites of the security core, on the real
 * services. Left out: what needs a build, a browser, child processes or a second runtime (examples, docs, package,
 * runtimes, benchmarks) and the kill -9 trials, which add minutes per mutant and no assertion about the core that
 * these files do not already make. The core part leaves out the suites of the stores themselves (its code is not
 * theirs) and the ones that wait out stalled and cut stores (13 s of every static mutant's run: they test the store
 * guard, which the stores part mutates).
 */
/**
 * The stores part runs per store (MUTATION_STORE, mutation.stores.mjs): that store's suites only. MUTATION_TESTS=
 * <glob>,<glob> overrides any part's test set (a narrower run by hand).
 */
const chosen =
  process.env.MUTATION_TESTS?.split(',')
    .map((glob) => glob.trim())
    .filter((glob) => glob !== '') ?? mutationStores[process.env.MUTATION_STORE ?? '']?.tests;

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: chosen?.length ? chosen : process.env.MUTATION_PART === 'core' ? core : stores,
    exclude: ['test/redis-failover.test.ts', 'test/postgres-durability.test.ts', '**/node_modules/**'],
  },
});
