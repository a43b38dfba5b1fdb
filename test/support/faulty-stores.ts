import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import pg from 'pg';
import { PostgresMfaStore } from '../../src/stores/postgres/index.js';
import { RedisMfaStore } from '../../src/stores/redis/index.js';
import { LuaScript } from '../../src/stores/redis/script-runner.js';
import * as redisDeviceScripts from '../../src/stores/redis/device-scripts.js';
import * as redisScripts from '../../src/stores/redis/scripts.js';
import type { MfaStore } from '../../src/totp/index.js';
import { CuttableProxy } from './cuttable-proxy.js';
import {
  DATABASE_URL,
  REDIS_URL,
  deleteRedisKeysUnder,
  newPgPool,
  newRedisClient,
  postgresAvailable,
  redisAvailable,
} from './services.js';

/**
 * The client settings the README tells apps to use, so that a store that stalls or goes away ends in an error within
 * about two seconds instead of hanging the login request. The SDK cannot bound a driver call itself without leaving the
 * call running behind its back; the driver's own timeouts end it properly.
 */
export const RECOMMENDED_REDIS_OPTIONS = {
  /** Ends a command that has no answer after 2 s, including one waiting for a connection. */
  commandTimeout: 2000,
  connectTimeout: 2000,
  /**
   * A command in flight when the connection drops fails at once, and one sent while reconnecting fails at the next
   * failed attempt, instead of waiting through 20 reconnects or being sent again after one (ioredis's default).
   */
  maxRetriesPerRequest: 0,
} satisfies RedisOptions;

export const RECOMMENDED_PG_POOL_OPTIONS = {
  /** Time to get a connection from the pool, handshake included. */
  connectionTimeoutMillis: 2000,
  /** Client-side bound on a query; pg then discards the connection. */
  query_timeout: 2000,
} satisfies pg.PoolConfig;

/** Text found in the request of each store operation (contract v2), for the proxy's traps. */
export interface OperationMarkers {
  load: string;
  savePending: string;
  /** attemptAndClaim: the budget check and the claim or count of every code check. */
  attemptAndClaim: string;
  activate: string;
  /** useRecoveryCode: the budget check and the use or count of a recovery code. */
  useRecoveryCode: string;
  deleteFactor: string;
  /** trustDevice: a device stored for the enabled factor, within the limit. */
  trustDevice: string;
  /** useTrustedDevice: the login-time device check. */
  useTrustedDevice: string;
  revokeTrustedDevice: string;
}

/**
 * A store whose connection runs through a proxy the test controls (`store`), and a direct handle on the same data
 * (`direct`) to see what the service really holds after a fault.
 */
export interface FaultyStore {
  store: MfaStore;
  direct: MfaStore;
  proxy: CuttableProxy;
  markers: OperationMarkers;
  /** Redis only: another client through the same proxy on the same data, with the given ioredis options. */
  redisStoreWith?(options: RedisOptions): { store: MfaStore; disconnect(): void };
  close(): Promise<void>;
}

export interface FaultyStoreFixture {
  name: 'redis' | 'postgres';
  available: boolean;
  open(): Promise<FaultyStore>;
}

const unique = () => randomBytes(6).toString('hex');

function target(url: string, defaultPort: number) {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || defaultPort) };
}

async function openRedis(): Promise<FaultyStore> {
  const proxy = await CuttableProxy.start(target(REDIS_URL, 6379));
  const through = new URL(REDIS_URL);
  through.hostname = '127.0.0.1';
  through.port = String(proxy.port);
  const connect = (options: RedisOptions) => {
    const client = new Redis(through.toString(), options);
    // ioredis reports every failed reconnect as an 'error' event; an app logs them, the test has seen enough.
    client.on('error', () => {});
    return client;
  };
  const client = connect(RECOMMENDED_REDIS_OPTIONS);
  const direct = newRedisClient();
  await direct.connect();
  // Scripts cached up front: a cut EVALSHA must be the script itself, never the NOSCRIPT probe before its EVAL.
  for (const script of [...Object.values(redisScripts), ...Object.values(redisDeviceScripts)].filter(
    (value) => value instanceof LuaScript,
  ))
    await direct.script('LOAD', script.source);
  const keyPrefix = `saasus-mfa-fault:${unique()}:`;
  return {
    store: new RedisMfaStore({ client, keyPrefix }),
    direct: new RedisMfaStore({ client: direct, keyPrefix }),
    proxy,
    markers: {
      load: redisScripts.LOAD.sha,
      savePending: redisScripts.SAVE_PENDING.sha,
      attemptAndClaim: redisScripts.ATTEMPT_AND_CLAIM.sha,
      activate: redisScripts.ACTIVATE_PENDING.sha,
      useRecoveryCode: redisScripts.USE_RECOVERY_CODE.sha,
      deleteFactor: redisScripts.DELETE_FACTOR.sha,
      trustDevice: redisDeviceScripts.TRUST_DEVICE.sha,
      useTrustedDevice: redisDeviceScripts.USE_TRUSTED_DEVICE.sha,
      revokeTrustedDevice: redisDeviceScripts.REVOKE_TRUSTED_DEVICE.sha,
    },
    redisStoreWith(options) {
      const other = connect(options);
      return { store: new RedisMfaStore({ client: other, keyPrefix }), disconnect: () => other.disconnect() };
    },
    async close() {
      client.disconnect();
      await proxy.close();
      await deleteRedisKeysUnder(direct, keyPrefix);
      direct.disconnect();
    },
  };
}

async function openPostgres(): Promise<FaultyStore> {
  const proxy = await CuttableProxy.start(target(DATABASE_URL, 5432));
  const through = new URL(DATABASE_URL);
  through.hostname = '127.0.0.1';
  through.port = String(proxy.port);
  const pool = new pg.Pool({ connectionString: through.toString(), max: 4, ...RECOMMENDED_PG_POOL_OPTIONS });
  // pg emits 'error' on the pool when an idle connection dies; without a listener that event kills the process.
  pool.on('error', () => {});
  const directPool = newPgPool();
  const tablePrefix = `mfa_fault_${unique()}_`;
  const direct = new PostgresMfaStore({ pool: directPool, tablePrefix });
  await direct.migrate();
  return {
    store: new PostgresMfaStore({ pool, tablePrefix }),
    direct,
    proxy,
    markers: {
      // The deciding operations are calls of the store's PL/pgSQL functions, named after the table prefix.
      load: 'FROM (SELECT 1) AS one',
      savePending: `INSERT INTO "${tablePrefix}pending_setups"`,
      attemptAndClaim: `SELECT "${tablePrefix}attempt_and_claim"(`,
      activate: `SELECT "${tablePrefix}activate_pending"(`,
      useRecoveryCode: `SELECT "${tablePrefix}use_recovery_code"(`,
      deleteFactor: `SELECT "${tablePrefix}delete_factor"(`,
      trustDevice: `SELECT "${tablePrefix}trust_device"(`,
      useTrustedDevice: `SELECT "${tablePrefix}use_device"(`,
      revokeTrustedDevice: `SELECT "${tablePrefix}revoke_device"(`,
    },
    async close() {
      await proxy.close();
      await pool.end();
      const { rows } = await directPool.query<{ tablename: string }>(
        'select tablename from pg_tables where tablename like $1',
        [`${tablePrefix}%`],
      );
      for (const { tablename } of rows) await directPool.query(`drop table if exists "${tablename}"`);
      await directPool.end();
    },
  };
}

export async function faultyStoreFixtures(): Promise<FaultyStoreFixture[]> {
  const [redis, postgres] = await Promise.all([redisAvailable(), postgresAvailable()]);
  return [
    { name: 'redis', available: redis, open: openRedis },
    { name: 'postgres', available: postgres, open: openPostgres },
  ];
}
