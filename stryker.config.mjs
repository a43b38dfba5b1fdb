// Mutation testing of the security core: `npm run mutation` (scripts/mutation.sh: Node 22+, which Stryker 10 needs).
// Results, timings and the equivalent mutants, with why: docs/mutation.md.
//
// Two parts (MUTATION_PART), each with its own incremental file and report:
// - core: the store-independent code (TOTP, step-up, lockout, validation, the client). Its tests run on the memory
//   store only (MFA_TEST_STORES=memory, set by the script): every store runs the same core code.
// - stores: the stores' own code and the guard in front of every store (guarded-store.ts), one run per store
//   (MUTATION_STORE: memory, guards, sqlite, postgres, redis; mutation.stores.mjs), each against that store's suites,
//   with its own incremental record and report under test-artifacts/mutation/stores/<store>/.
import { mutationStores } from './mutation.stores.mjs';

const part = process.env.MUTATION_PART === 'stores' ? 'stores' : 'core';
// MUTATION_STORE=<name> (mutation.stores.mjs): the stores part for one store, with its own record and report.
const store = part === 'stores' ? mutationStores[process.env.MUTATION_STORE ?? ''] : undefined;

const mutate = {
  core: [
    'src/totp/**/*.ts',
    '!src/totp/index.ts',
    '!src/totp/memory-store.ts',
    '!src/totp/memory-devices.ts',
    '!src/totp/store.ts',
    '!src/totp/store-devices.ts',
    '!src/totp/guarded-store.ts',
    '!src/totp/guarded-devices.ts',
    '!src/totp/node-crypto.ts',
    'src/internal/validation*.ts',
    'src/client.ts',
    // MfaClient's own helpers (split from client.ts): the provider calls and the second-factor step.
    'src/internal/provider-calls.ts',
    'src/internal/second-factor.ts',
  ],
  stores: [
    'src/stores/**/*.ts',
    '!src/stores/**/index.ts',
    'src/totp/memory-store.ts',
    'src/totp/memory-devices.ts',
    'src/totp/guarded-store.ts',
    'src/totp/guarded-devices.ts',
  ],
}[part];

const out = store ? `test-artifacts/mutation/stores/${process.env.MUTATION_STORE}` : `test-artifacts/mutation/${part}`;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: store ? store.mutate : mutate,
  // Each mutant runs only the tests that reached it in the first run.
  coverageAnalysis: 'perTest',
  // Two cores, shared: one or two test runners (MUTATION_CONCURRENCY), never more.
  concurrency: Number(process.env.MUTATION_CONCURRENCY ?? 2),
  // A rerun tests only the mutants whose code or covering tests changed since the last run of the same part.
  incremental: true,
  incrementalFile: `${out}/incremental.json`,
  tempDirName: 'test-artifacts/mutation/tmp',
  cleanTempDir: 'always',
  // A mutant that makes a test hang is a timeout (killed) after this margin over the test's own time: 5 s for the core
  // (memory store), 20 s for the stores (Redis and PostgreSQL answers, Cluster redirects).
  timeoutMS: part === 'core' ? 5_000 : 20_000,
  // MUTATION_IGNORE_STATIC=1: leave out the static mutants (module-level constants and regexes, which run every test,
  // 60% of the time of a run): a quick pass; they are then reported as ignored, not counted.
  ignoreStatic: process.env.MUTATION_IGNORE_STATIC === '1',
  timeoutFactor: 2,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: `${out}/mutation.json` },
  htmlReporter: { fileName: `${out}/mutation.html` },
  // MUTATION_BREAK=90: the run fails under that score (the CI smoke); by default it reports and passes.
  thresholds: { high: 90, low: 80, break: process.env.MUTATION_BREAK ? Number(process.env.MUTATION_BREAK) : null },
  ignorePatterns: ['test-artifacts', 'dist', 'coverage', 'docs', 'bench', 'examples', '.ci', '*.tgz'],
};
