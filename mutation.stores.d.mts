/** One run of the stores part of `npm run mutation` (mutation.stores.mjs). */
export interface MutationStore {
  /** The files Stryker mutates (its `mutate` globs). */
  mutate: string[];
  /** The test files each mutant runs (vitest `include`). */
  tests: string[];
  /** MFA_TEST_STORES: the store fixtures the suites open. */
  fixtures: string;
  /** Whether the run starts a Redis Cluster and Sentinel (MFA_REDIS_DEPLOYMENTS). */
  redisDeployments: boolean;
}

export declare const mutationStores: Record<string, MutationStore>;
