import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, type Redis } from 'ioredis';
import type pg from 'pg';
import { type MfaStore, MemoryMfaStore } from 'saasus-mfa/totp';
import { RedisMfaStore, type ReplicaAcks } from 'saasus-mfa/stores/redis';
import { PostgresMfaStore } from 'saasus-mfa/stores/postgres';
import { SqliteMfaStore, betterSqlite3Driver } from 'saasus-mfa/stores/sqlite';
import { deleteRedisKeysUnder } from '../../test/support/services.js';
import { startRedisCluster } from '../../test/support/redis-deployments.js';
import { RUN_TAG, dropTables, newPool, newRedis, postgresUnavailable, redisUnavailable } from '../lib/services.js';
import {
  type DriverCounter,
  PostgresDriverCounter,
  RedisDriverCounter,
  type SqliteLike,
  SqliteDriverCounter,
} from './driver-counters.js';
import { redisFloor } from './redis-floor.js';

export type StoreName = 'memory' | 'redis' | 'redis-cluster' | 'redis-cluster-acks' | 'postgres' | 'sqlite';

/** One store under test, with its driver-level counter, the bare round trip it is compared with, and its clean-up. */
export interface OpenStore {
  name: StoreName;
  store: MfaStore;
  /** Counts at the driver (undefined for memory, which has none). */
  driver?: DriverCounter;
  /** What a flight is on this store, for the tables. */
  flightUnit?: string;
  /**
   * The bare round trip of this store on the same connection, sized like the store's own call for one user:
   * `probe` is one verify of that user (Redis copies the keys and arguments of the script call it sent).
   */
  floorFor?(probe: () => Promise<unknown>): Promise<() => Promise<unknown>>;
  /** The Redis client, for MONITOR on a connection of its own (standalone Redis only). */
  redis?: Redis;
  keyPrefix?: string;
  close(): Promise<void>;
}

export interface StoreChoice {
  stores: OpenStore[];
  /** Stores that could not be opened here, with the reason, to report as skipped. */
  skipped: { name: string; reason: string }[];
}

export interface StoreOptions {
  poolSize?: number;
  /** Also start a 3 + 3 Redis Cluster on loopback (seconds to start) and open a store on it, acks off and on. */
  cluster?: boolean;
  /** Leave out the memory store. */
  withoutMemory?: boolean;
}

const require = createRequire(import.meta.url);

/**
 * Opens the stores with fresh names, each on the real driver an app would give it (one ioredis connection, a pg
 * pool, one better-sqlite3 connection on a file in WAL mode), counted at the driver (driver-counters.ts).
 */
export async function openStores(label: string, options: StoreOptions = {}): Promise<StoreChoice> {
  const stores: OpenStore[] = [];
  const skipped: StoreChoice['skipped'] = [];
  if (!options.withoutMemory) stores.push({ name: 'memory', store: new MemoryMfaStore(), close: async () => {} });

  const redisDown = await redisUnavailable();
  if (redisDown) skipped.push({ name: 'redis', reason: redisDown });
  else {
    const redis = newRedis();
    await redis.connect();
    const counter = new RedisDriverCounter(redis);
    const keyPrefix = `${RUN_TAG}-${label}:`;
    stores.push({
      name: 'redis',
      store: new RedisMfaStore({ client: redis, keyPrefix }),
      driver: counter,
      flightUnit: 'socket writes',
      floorFor: (probe) => redisFloor(redis, counter, probe),
      redis,
      keyPrefix,
      close: async () => {
        await deleteRedisKeysUnder(redis, keyPrefix);
        redis.disconnect();
      },
    });
  }
  if (options.cluster) {
    try {
      stores.push(...(await openCluster(label)));
    } catch (error) {
      const why = `Redis Cluster did not start (${error instanceof Error ? error.message : String(error)})`;
      if (process.env.MFA_REQUIRE_SERVICES === '1') throw new Error(`${why}; MFA_REQUIRE_SERVICES=1`);
      skipped.push({ name: 'redis-cluster', reason: why });
    }
  }

  const postgresDown = await postgresUnavailable();
  if (postgresDown) skipped.push({ name: 'postgres', reason: postgresDown });
  else {
    const pool: pg.Pool = newPool(options.poolSize);
    const counter = new PostgresDriverCounter(pool);
    const tablePrefix = `${RUN_TAG}_${label}_`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
    const store = new PostgresMfaStore({ pool, tablePrefix });
    await store.migrate();
    stores.push({
      name: 'postgres',
      store,
      driver: counter,
      flightUnit: 'protocol flights (Sync/Query)',
      floorFor: async () => () => pool.query('SELECT 1'),
      close: async () => {
        await dropTables(pool, tablePrefix);
        await pool.end();
      },
    });
  }

  stores.push(await openSqlite());
  return { stores, skipped };
}

/** better-sqlite3 on a file of its own (WAL, SQLite's default synchronous=FULL: each commit is on disk). */
async function openSqlite(): Promise<OpenStore> {
  const Database = require('better-sqlite3') as typeof import('better-sqlite3');
  const dir = mkdtempSync(join(tmpdir(), 'saasus-mfa-bench-sqlite-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', remove); // even if the run dies before the section closes its stores
  const db = new Database(join(dir, 'mfa.db'), { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  const counter = new SqliteDriverCounter(db as unknown as SqliteLike);
  const driver = counter.countBatches(betterSqlite3Driver(counter.db));
  const store = new SqliteMfaStore({ driver });
  await store.migrate();
  return {
    name: 'sqlite',
    store,
    driver: counter,
    flightUnit: 'driver batches (transactions)',
    // Through the same driver: a batch is the store's unit (BEGIN IMMEDIATE, the statement, COMMIT).
    floorFor: async () => () => driver.batch([{ sql: 'SELECT 1', params: [] }]),
    close: async () => {
      db.close();
      process.off('exit', remove);
      remove();
    },
  };
}

/** A 3 + 3 Cluster started for this section (stopped by the last store's close), one client, acks off and on. */
async function openCluster(label: string): Promise<OpenStore[]> {
  const port = Number(process.env.MFA_BENCH_CLUSTER_PORT ?? process.env.MFA_TEST_CLUSTER_PORT ?? 7950);
  const running = await startRedisCluster(port);
  // Should the run die before the section closes its stores, the servers must not outlive it: the SIGTERMs go out
  // synchronously (the rest of stop() never runs then).
  const orphans = () => void running.stop();
  process.once('exit', orphans);
  const cluster = new Cluster(running.deployment.nodes, { redisOptions: { connectTimeout: 2000 } });
  await new Promise<void>((resolve, reject) => cluster.once('ready', resolve).once('error', reject));
  const counter = new RedisDriverCounter(cluster);
  const open = (name: StoreName, replicaAcks: ReplicaAcks | false, last: boolean): OpenStore => {
    const keyPrefix = `${RUN_TAG}-${label}-${name}:`;
    return {
      name,
      store: new RedisMfaStore({ client: cluster, keyPrefix, replicaAcks }),
      driver: counter,
      flightUnit: 'socket writes',
      floorFor: (probe) => redisFloor(cluster, counter, probe),
      keyPrefix,
      close: async () => {
        if (!last) return;
        cluster.disconnect();
        process.off('exit', orphans);
        await running.stop();
      },
    };
  };
  // 5 s, not the default 500 ms: a replica of a Cluster just created can take a moment to answer its first WAIT
  // (one run of the suite stopped there). The timeout only matters when no replica answers, so the figures, taken
  // while every replica answers, are the same.
  return [open('redis-cluster', false, false), open('redis-cluster-acks', { replicas: 1, timeoutMs: 5000 }, true)];
}

/** Counts calls to the store's methods (the provider's requests to its store), whatever the store. */
export function countingStore(store: MfaStore): { store: MfaStore; calls(): number } {
  let calls = 0;
  const proxy = new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls: () => calls };
}
