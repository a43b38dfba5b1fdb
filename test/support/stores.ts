import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { MemoryMfaStore, type MfaStore } from '../../src/totp/index.js';
import { dropMfaSchema } from './postgres-schema.js';
import { newRedisClusterClient, newRedisSentinelClient } from './redis-deployment-clients.js';
import { sqliteBindings, temporaryDatabase, type SqliteBinding } from './sqlite-stores.js';
import { newPgPool, newRedisClient, postgresAvailable, redisAvailable, redisKeysUnder } from './services.js';

/**
 * One store under test, opened fresh for a test file: `store` and `peer` are two handles on the same data, as two
 * app servers would have (memory: the same object; Redis: two connections; PostgreSQL: two pools).
 * `dump()` returns everything the store holds, as text, for the leak tests. `close()` removes the test's data.
 */
export interface OpenStore {
  store: MfaStore;
  peer: MfaStore;
  dump(): Promise<string>;
  close(): Promise<void>;
}

export interface StoreFixture {
  name:
    'memory' | 'redis' | 'redis-cluster' | 'redis-sentinel' | 'postgres' | 'sqlite' | 'sqlite-node' | 'sqlite-d1-api';
  /** False when the service is unreachable and not required: the suite is skipped with a visible message. */
  available: boolean;
  open(): Promise<OpenStore>;
}

const unique = () => randomBytes(6).toString('hex');

async function openMemory(): Promise<OpenStore> {
  const store = new MemoryMfaStore();
  const { inspect } = await import('node:util');
  return {
    store,
    peer: store,
    dump: async () => inspect(store, { depth: Infinity, showHidden: true }),
    close: async () => {},
  };
}

/** Every key under the prefix: on a Cluster, scanned on each master (SCAN sees one node only). */
async function keysUnder(client: Redis | Cluster, keyPrefix: string): Promise<string[]> {
  if (!('nodes' in client)) return redisKeysUnder(client, keyPrefix);
  const perNode = await Promise.all(client.nodes('master').map((node) => redisKeysUnder(node, keyPrefix)));
  return perNode.flat();
}

/** A Redis store over two clients made by `connect` (standalone, Cluster or Sentinel): two app servers. */
async function openRedisWith(connect: () => Redis | Cluster): Promise<OpenStore> {
  const { RedisMfaStore } = await import('../../src/stores/redis/index.js');
  const keyPrefix = `saasus-mfa-test:${unique()}:`;
  const [first, second] = [connect(), connect()];
  await Promise.all([first.connect(), second.connect()]);
  const keys = () => keysUnder(first, keyPrefix);
  return {
    store: new RedisMfaStore({ client: first, keyPrefix }),
    peer: new RedisMfaStore({ client: second, keyPrefix }),
    async dump() {
      const parts: string[] = [];
      for (const key of await keys()) {
        const type = await first.type(key);
        const value =
          type === 'hash'
            ? await first.hgetall(key)
            : type === 'set'
              ? await first.smembers(key)
              : type === 'zset'
                ? await first.zrange(key, 0, -1)
                : await first.get(key);
        parts.push(`${key} ${JSON.stringify(value)}`);
      }
      return parts.join('\n');
    },
    async close() {
      // One DEL per key: a Cluster refuses a multi-key DEL across slots.
      for (const key of await keys()) await first.del(key);
      first.disconnect();
      second.disconnect();
    },
  };
}

const openRedis = () => openRedisWith(newRedisClient);

async function openPostgres(): Promise<OpenStore> {
  const { PostgresMfaStore } = await import('../../src/stores/postgres/index.js');
  const tablePrefix = `mfa_test_${unique()}_`;
  const [first, second] = [newPgPool(), newPgPool()];
  const store = new PostgresMfaStore({ pool: first, tablePrefix });
  await store.migrate();
  const tables = async () =>
    (
      await first.query<{ tablename: string }>('select tablename from pg_tables where tablename like $1', [
        `${tablePrefix}%`,
      ])
    ).rows.map((row) => row.tablename);
  return {
    store,
    peer: new PostgresMfaStore({ pool: second, tablePrefix }),
    async dump() {
      const parts: string[] = [];
      for (const table of await tables()) {
        const { rows } = await first.query(`select * from "${table}"`);
        parts.push(`${table} ${JSON.stringify(rows)}`);
      }
      return parts.join('\n');
    },
    async close() {
      await dropMfaSchema(first, tablePrefix);
      await Promise.all([first.end(), second.end()]);
    },
  };
}

/**
 * A SQLite store on a file in a fresh temporary directory, with two connections on the file as two processes
 * would have (`store` and `peer`), through `binding` (better-sqlite3 on Node 20, node:sqlite from Node 22.5).
 */
async function openSqlite(binding: SqliteBinding): Promise<OpenStore> {
  const { SqliteMfaStore } = await import('../../src/stores/sqlite/index.js');
  const database = temporaryDatabase();
  const [first, second] = [binding.open(database.file), binding.open(database.file)];
  const store = new SqliteMfaStore({ driver: first.driver });
  await store.migrate();
  return {
    store,
    peer: new SqliteMfaStore({ driver: second.driver }),
    async dump() {
      const tables = first.all("select name from sqlite_master where type = 'table'") as { name: string }[];
      return tables.map(({ name }) => `${name} ${JSON.stringify(first.all(`select * from "${name}"`))}`).join('\n');
    },
    async close() {
      first.close();
      second.close();
      database.remove();
    },
  };
}

function sqliteFixtures(): StoreFixture[] {
  return sqliteBindings.map((binding) => {
    if (binding.missing) console.warn(`\n  SKIPPED: the ${binding.name} store tests, because ${binding.missing}.\n`);
    return {
      name: ({ 'better-sqlite3': 'sqlite', 'node:sqlite': 'sqlite-node', 'd1-api': 'sqlite-d1-api' } as const)[
        binding.name
      ],
      available: binding.missing === null,
      open: () => openSqlite(binding),
    };
  });
}

/**
 * The stores: memory, Redis, PostgreSQL, SQLite (better-sqlite3; node:sqlite where the runtime has it), and Redis Cluster and Sentinel when the run started them
 * (global-redis-deployments.ts); the service-backed ones are probed once per file.
 */
export async function storeFixtures(): Promise<StoreFixture[]> {
  const [redis, postgres] = await Promise.all([redisAvailable(), postgresAvailable()]);
  const deployments = inject('redisDeployments');
  const fixtures: StoreFixture[] = [
    { name: 'memory', available: true, open: openMemory },
    { name: 'redis', available: redis, open: openRedis },
    { name: 'postgres', available: postgres, open: openPostgres },
    ...sqliteFixtures(),
  ];
  if (deployments) {
    fixtures.push(
      {
        name: 'redis-cluster',
        available: true,
        open: () => openRedisWith(() => newRedisClusterClient(deployments.cluster)),
      },
      {
        name: 'redis-sentinel',
        available: true,
        open: () => openRedisWith(() => newRedisSentinelClient(deployments.sentinel)),
      },
    );
  }
  // MFA_TEST_STORES=memory,redis: those stores only. The mutation run of the store-independent core uses the memory
  // store alone (scripts/mutation.sh), which runs the same core code as any other store, once per mutant, in ms.
  const only = process.env.MFA_TEST_STORES?.split(',').map((name) => name.trim());
  return only ? fixtures.filter((fixture) => only.includes(fixture.name)) : fixtures;
}

/**
 * One describe block per store (`%s` in the title becomes its name), opened before its tests and closed after them;
 * skipped with a visible message where the service is unreachable and not required. `open` reads the store opened
 * for the block, so the tests use `open.store` and `open.peer` as they are.
 */
export async function describeEachStore(title: string, body: (open: OpenStore) => void): Promise<void> {
  for (const fixture of await storeFixtures()) {
    describe.skipIf(!fixture.available)(title.replace('%s', fixture.name), () => {
      let current: OpenStore | undefined;
      const opened = (): OpenStore => {
        if (!current) throw new Error(`the ${fixture.name} store is not open yet`);
        return current;
      };
      const open: OpenStore = {
        get store() {
          return opened().store;
        },
        get peer() {
          return opened().peer;
        },
        dump: () => opened().dump(),
        close: () => opened().close(),
      };
      beforeAll(async () => {
        current = await fixture.open();
      });
      afterAll(async () => {
        await current?.close();
      });
      body(open);
    });
  }
}
