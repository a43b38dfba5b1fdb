import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';

// The same services, defaults, probes and clean-up as the tests: one place that knows where Redis and PostgreSQL are.
import { DATABASE_URL, REDIS_URL, pingPostgres, pingRedis } from '../../test/support/services.js';

/** Unique per run: the services are shared, so the suite only ever touches names it made. */
export const RUN_TAG = `bench${process.pid}${randomBytes(3).toString('hex')}`;

/** Why a service cannot be used, or undefined when it can. With MFA_REQUIRE_SERVICES=1 a missing one is fatal. */
async function unavailable(name: string, probe: () => Promise<void>): Promise<string | undefined> {
  try {
    await probe();
    return undefined;
  } catch (error) {
    const why = `${name} unreachable (${error instanceof Error ? error.message : String(error)})`;
    if (process.env.MFA_REQUIRE_SERVICES === '1') throw new Error(`${why}; MFA_REQUIRE_SERVICES=1`);
    return why;
  }
}

export function newRedis(): Redis {
  return new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 1 });
}

export function newPool(max = 10): pg.Pool {
  return new pg.Pool({ connectionString: DATABASE_URL, max, connectionTimeoutMillis: 2000 });
}

export function redisUnavailable(): Promise<string | undefined> {
  return unavailable('Redis', pingRedis);
}

export function postgresUnavailable(): Promise<string | undefined> {
  return unavailable('PostgreSQL', pingPostgres);
}

/** Drops the four tables of one store prefix this run created. */
export async function dropTables(pool: pg.Pool, tablePrefix: string): Promise<void> {
  if (!/^[a-z0-9_]+$/.test(tablePrefix)) throw new Error('unexpected table prefix');
  for (const table of ['factors', 'pending_setups', 'recovery_codes', 'attempts']) {
    await pool.query(`DROP TABLE IF EXISTS "${tablePrefix}${table}"`);
  }
}

/** The versions of the services the store figures were measured against, for the results' machine description. */
export async function serviceVersions(): Promise<{ redis: string; postgres: string }> {
  const versions = { redis: 'unavailable', postgres: 'unavailable' };
  if (!(await redisUnavailable())) {
    const client = newRedis();
    try {
      await client.connect();
      versions.redis = /redis_version:(\S+)/.exec(await client.info('server'))?.[1] ?? 'unknown';
    } finally {
      client.disconnect();
    }
  }
  if (!(await postgresUnavailable())) {
    const pool = newPool(1);
    try {
      versions.postgres = String((await pool.query('SHOW server_version')).rows[0]?.server_version ?? 'unknown');
    } finally {
      await pool.end();
    }
  }
  return versions;
}
