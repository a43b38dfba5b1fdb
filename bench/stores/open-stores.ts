import type { Redis } from 'ioredis';
import type pg from 'pg';
import { type MfaStore, MemoryMfaStore } from 'saasus-mfa/totp';
import { RedisMfaStore, type RedisScriptClient } from 'saasus-mfa/stores/redis';
import { PostgresMfaStore } from 'saasus-mfa/stores/postgres';
import { deleteRedisKeysUnder } from '../../test/support/services.js';
import { RUN_TAG, dropTables, newPool, newRedis, postgresUnavailable, redisUnavailable } from '../lib/services.js';

/** One store under test, with the driver-level round-trip counter and a way to clean up what it wrote. */
export interface OpenStore {
  name: 'memory' | 'redis' | 'postgres';
  store: MfaStore;
  /** Requests sent to the server (EVALSHA/EVAL, or SQL statements) since the start; 0 for memory. */
  roundTrips(): number;
  /** The Redis client, for MONITOR on a connection of its own (Redis only). */
  redis?: Redis;
  keyPrefix?: string;
  close(): Promise<void>;
}

export interface StoreChoice {
  stores: OpenStore[];
  /** Stores that could not be opened here, with the reason, to report as skipped. */
  skipped: { name: string; reason: string }[];
}

/**
 * Opens the three stores with fresh names. The counters wrap the driver handle the store is given (the store's only
 * way to the server): every `evalsha`/`eval` call and every `pool.query` call is one request and its answer.
 */
export async function openStores(label: string, options: { poolSize?: number } = {}): Promise<StoreChoice> {
  const stores: OpenStore[] = [
    { name: 'memory', store: new MemoryMfaStore(), roundTrips: () => 0, close: async () => {} },
  ];
  const skipped: StoreChoice['skipped'] = [];

  const redisDown = await redisUnavailable();
  if (redisDown) skipped.push({ name: 'redis', reason: redisDown });
  else {
    const redis = newRedis();
    await redis.connect();
    let sent = 0;
    const counting: RedisScriptClient = {
      evalsha: (...args) => {
        sent++;
        return redis.evalsha(...(args as [string, number, ...string[]]));
      },
      eval: (...args) => {
        sent++;
        return redis.eval(...(args as [string, number, ...string[]]));
      },
    };
    const keyPrefix = `${RUN_TAG}-${label}:`;
    stores.push({
      name: 'redis',
      store: new RedisMfaStore({ client: counting, keyPrefix }),
      roundTrips: () => sent,
      redis,
      keyPrefix,
      close: async () => {
        await deleteRedisKeysUnder(redis, keyPrefix);
        redis.disconnect();
      },
    });
  }

  const postgresDown = await postgresUnavailable();
  if (postgresDown) skipped.push({ name: 'postgres', reason: postgresDown });
  else {
    const pool: pg.Pool = newPool(options.poolSize);
    let sent = 0;
    const counting = {
      query: (text: string, values?: unknown[]) => {
        sent++;
        return pool.query(text, values);
      },
    };
    const tablePrefix = `${RUN_TAG}_${label}_`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
    const store = new PostgresMfaStore({ pool: counting, tablePrefix });
    await store.migrate();
    stores.push({
      name: 'postgres',
      store,
      roundTrips: () => sent,
      close: async () => {
        await dropTables(pool, tablePrefix);
        await pool.end();
      },
    });
  }
  return { stores, skipped };
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
