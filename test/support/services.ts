import { Redis } from 'ioredis';
import pg from 'pg';

/** Where the real services are; the defaults are the machine's loopback services. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** In CI (`MFA_REQUIRE_SERVICES=1`) a missing service fails the run instead of skipping tests. */
const servicesRequired = process.env.MFA_REQUIRE_SERVICES === '1';

async function reachable(name: string, probe: () => Promise<void>): Promise<boolean> {
  try {
    await probe();
    return true;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    if (servicesRequired) throw new Error(`${name} is required (MFA_REQUIRE_SERVICES=1) but unreachable: ${why}`);
    console.warn(
      `\n  SKIPPED: the ${name} tests, because ${name} is unreachable (${why}). Set MFA_REQUIRE_SERVICES=1 to fail instead.\n`,
    );
    return false;
  }
}

export function newRedisClient(): Redis {
  return new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
  });
}

export function newPgPool(): pg.Pool {
  return new pg.Pool({ connectionString: DATABASE_URL, max: 8, connectionTimeoutMillis: 2000 });
}

/** Resolves when Redis answers a PING within 1.5 s, rejects otherwise (also used by the benchmarks). */
export async function pingRedis(): Promise<void> {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 1500,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await client.connect();
    await client.ping();
  } finally {
    client.disconnect();
  }
}

/** Resolves when PostgreSQL answers a query within 1.5 s, rejects otherwise (also used by the benchmarks). */
export async function pingPostgres(): Promise<void> {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1, connectionTimeoutMillis: 1500 });
  try {
    await pool.query('select 1');
  } finally {
    await pool.end();
  }
}

let redisProbe: Promise<boolean> | undefined;
let postgresProbe: Promise<boolean> | undefined;

export function redisAvailable(): Promise<boolean> {
  redisProbe ??= reachable('Redis', pingRedis);
  return redisProbe;
}

export function postgresAvailable(): Promise<boolean> {
  postgresProbe ??= reachable('PostgreSQL', pingPostgres);
  return postgresProbe;
}

/** Every key under a prefix, by SCAN (never KEYS, which blocks a shared server). */
export async function redisKeysUnder(client: Redis, keyPrefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
    cursor = next;
    found.push(...batch);
  } while (cursor !== '0');
  return found;
}

/** Deletes what one test wrote under its own prefix; never FLUSHDB, the server is shared. */
export async function deleteRedisKeysUnder(client: Redis, keyPrefix: string): Promise<void> {
  const keys = await redisKeysUnder(client, keyPrefix);
  if (keys.length > 0) await client.del(...keys);
}
