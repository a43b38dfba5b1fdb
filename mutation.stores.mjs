// The stores part of `npm run mutation`, one run per store (MUTATION_STORE): each store's code against the suites
// that test it, on that store only. Read by stryker.config.mjs (what is mutated), vitest.mutation.config.ts (the
// tests) and scripts/mutation.sh (which stores the fixtures open, and whether a Redis Cluster and Sentinel start).
// One run of every store's code on every store (the first shape of this part) was estimated at 3.5 h for the two
// guards alone: a mutant of the SQLite store gains nothing from the Redis suites.

const contract = 'test/store-contract*.test.ts';
const sql = [contract, 'test/store-sql-*.test.ts', 'test/store-misconfiguration.test.ts'];

/** @type {Record<string, { mutate: string[]; tests: string[]; fixtures: string; redisDeployments: boolean }>} */
export const mutationStores = {
  memory: {
    mutate: ['src/totp/memory-store.ts', 'src/totp/memory-devices.ts'],
    tests: [contract, 'test/memory-store-*.test.ts'],
    fixtures: 'memory',
    redisDeployments: false,
  },
  // The guard in front of every store: its suites bend a memory store's answers, stall and cut it.
  guards: {
    mutate: ['src/totp/guarded-store.ts', 'src/totp/guarded-devices.ts'],
    tests: [
      contract,
      'test/store-faults*.test.ts',
      'test/store-guard-*.test.ts',
      'test/store-timeout.test.ts',
      'test/store-misconfiguration.test.ts',
    ],
    fixtures: 'memory',
    redisDeployments: false,
  },
  // The SQL rows mapping both SQL stores share is measured here. Stryker runs on Node 22: better-sqlite3 (built for
  // the project's Node 20) does not load there, so the store runs on node:sqlite and on the D1 stand-in over it.
  sqlite: {
    mutate: ['src/stores/sqlite/**/*.ts', '!src/stores/sqlite/index.ts', 'src/stores/shared/*.ts'],
    tests: [...sql, 'test/sqlite-*.test.ts'],
    fixtures: 'sqlite,sqlite-node,sqlite-d1-api',
    redisDeployments: false,
  },
  postgres: {
    mutate: ['src/stores/postgres/**/*.ts', '!src/stores/postgres/index.ts'],
    tests: [...sql, 'test/postgres-store.test.ts', 'test/postgres-migration.test.ts'],
    fixtures: 'postgres',
    redisDeployments: false,
  },
  redis: {
    mutate: ['src/stores/redis/**/*.ts', '!src/stores/redis/index.ts'],
    tests: [
      contract,
      'test/redis-store*.test.ts',
      'test/redis-devices*.test.ts',
      'test/redis-resend.test.ts',
      'test/redis-cluster-redirects.test.ts',
      'test/store-misconfiguration.test.ts',
    ],
    fixtures: 'redis,redis-cluster,redis-sentinel',
    redisDeployments: true,
  },
};
