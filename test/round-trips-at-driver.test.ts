import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PostgresMfaStore } from '../src/stores/postgres/index.js';
import { RedisMfaStore, type ReplicaAcks } from '../src/stores/redis/index.js';
import { SqliteMfaStore, betterSqlite3Driver } from '../src/stores/sqlite/index.js';
import type { MfaStore } from '../src/totp/index.js';
import {
  type DriverCounter,
  type DriverCounts,
  PostgresDriverCounter,
  RedisDriverCounter,
  type SqliteLike,
  SqliteDriverCounter,
  countedAtDriver,
} from '../bench/stores/driver-counters.js';
import { dropMfaSchema } from './support/postgres-schema.js';
import { newPgPool, newRedisClient, postgresAvailable, redisAvailable, redisKeysUnder } from './support/services.js';
import { sqliteBindings, temporaryDatabase } from './support/sqlite-stores.js';
import { STEP_MS, newUser, totpHarness, wrongCode } from './support/totp.js';

// Round trips counted AT THE DRIVER, below the store (bench/stores/driver-counters.ts, the counters the benchmark
// reports): ioredis socket writes and the commands in them, pg protocol flights (Sync / Query) and statements,
// better-sqlite3 batches (transactions). test/totp-one-round-trip.test.ts counts the provider's calls to its store;
// this pins what those calls cost on the wire, so a store that starts sending two requests for one call is caught.

const require = createRequire(import.meta.url);

interface CountedStore {
  store: MfaStore;
  counter: DriverCounter;
  close(): Promise<void>;
}

const unique = () => randomBytes(6).toString('hex');

async function redisStore(client: Redis | Cluster, replicaAcks: ReplicaAcks | false = false): Promise<CountedStore> {
  await client.connect().catch(() => {}); // a Cluster client may already be connecting
  const counter = new RedisDriverCounter(client);
  const keyPrefix = `saasus-mfa-test:${unique()}:`;
  return {
    store: new RedisMfaStore({ client, keyPrefix, replicaAcks }),
    counter,
    async close() {
      const nodes = client instanceof Cluster ? client.nodes('master') : [client];
      for (const node of nodes) for (const key of await redisKeysUnder(node, keyPrefix)) await node.del(key);
      client.disconnect();
    },
  };
}

async function postgresStore(): Promise<CountedStore> {
  const pool = newPgPool();
  const counter = new PostgresDriverCounter(pool);
  const tablePrefix = `mfa_test_${unique()}_`;
  const store = new PostgresMfaStore({ pool, tablePrefix });
  await store.migrate();
  return {
    store,
    counter,
    async close() {
      await dropMfaSchema(pool, tablePrefix);
      await pool.end();
    },
  };
}

async function sqliteStore(): Promise<CountedStore> {
  const Database = require('better-sqlite3') as typeof import('better-sqlite3');
  const database = temporaryDatabase();
  const db = new Database(database.file, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  const counter = new SqliteDriverCounter(db as unknown as SqliteLike);
  const store = new SqliteMfaStore({ driver: counter.countBatches(betterSqlite3Driver(counter.db)) });
  await store.migrate();
  return {
    store,
    counter,
    async close() {
      db.close();
      database.remove();
    },
  };
}

const [redisUp, postgresUp] = await Promise.all([redisAvailable(), postgresAvailable()]);
const betterSqlite3Missing = sqliteBindings.find((binding) => binding.name === 'better-sqlite3')?.missing ?? null;
const deployments = inject('redisDeployments');
const fixtures: { name: string; available: boolean; open(): Promise<CountedStore> }[] = [
  { name: 'redis', available: redisUp, open: () => redisStore(newRedisClient()) },
  { name: 'postgres', available: postgresUp, open: postgresStore },
  { name: 'sqlite (better-sqlite3)', available: betterSqlite3Missing === null, open: sqliteStore },
];
// Its native build is for the Node that ran `npm ci` (CI reruns the suites on Node 22 and 24 with the same build).
if (betterSqlite3Missing !== null)
  console.warn(`\n  SKIPPED: round trips at the driver on SQLite: ${betterSqlite3Missing}.\n`);
if (deployments) {
  const cluster = () => new Cluster(deployments.cluster.nodes, { lazyConnect: true });
  fixtures.push(
    { name: 'redis-cluster', available: true, open: () => redisStore(cluster()) },
    { name: 'redis-cluster with replica acks', available: true, open: () => redisStore(cluster(), { replicas: 1 }) },
  );
} else console.warn('\n  SKIPPED: round trips at the driver on a Redis Cluster (the run started no deployments).\n');

for (const fixture of fixtures) {
  describe.skipIf(!fixture.available)(`round trips at the driver: ${fixture.name}`, () => {
    let opened: CountedStore;
    beforeAll(async () => {
      opened = await fixture.open();
    });
    afterAll(async () => {
      await opened?.close();
    });
    // Other test files empty the shared servers' script caches (SCRIPT FLUSH) while this one runs: the resend a
    // NOSCRIPT forces is that file's doing, priced in test/redis-store.test.ts, and left out of the count here.
    const flights = async (run: () => Promise<unknown>): Promise<Omit<DriverCounts, 'scriptCacheMisses'>> => {
      const { flights, commands, scriptCacheMisses } = await countedAtDriver(opened.counter, run);
      return { flights: flights - scriptCacheMisses, commands: commands - scriptCacheMisses };
    };
    const acks = fixture.name.includes('replica acks');

    it('a cold verify is 2 (the sealed secret is read first), a warm one 1: right, wrong, replayed, with clientKey', async () => {
      const { client, authenticator, clock, enroll } = totpHarness(opened.store);
      const user = newUser();
      const { secret } = await enroll(user);
      expect((await flights(() => client.verify(user, authenticator.code(secret)))).flights, 'cold').toBe(2);
      clock.advance(STEP_MS);
      const code = authenticator.code(secret);
      const warm = await flights(() => client.verify(user, code));
      // With replica acknowledgement the claim goes as EVALSHA + WAIT, pipelined: two commands in one write.
      expect(warm, 'warm, right code').toEqual({ flights: 1, commands: acks ? 2 : warm.commands });
      if (acks) return;
      expect((await flights(() => client.verify(user, code).catch(() => {}))).flights, 'replayed').toBe(1);
      const wrong = () => client.verify(user, wrongCode(authenticator.code(secret))).catch(() => {});
      expect((await flights(wrong)).flights, 'wrong code').toBe(1);
      clock.advance(STEP_MS);
      const ctx = { clientKey: '203.0.113.9' };
      expect((await flights(() => client.verify(user, authenticator.code(secret), ctx))).flights, 'clientKey').toBe(1);
    });

    it.skipIf(acks || !fixture.name.startsWith('redis'))(
      'an emptied script cache is seen, not hidden: after SCRIPT FLUSH a warm verify is 2 flights, 1 of them a miss',
      async () => {
        const { client, authenticator, clock, enroll } = totpHarness(opened.store);
        const user = newUser();
        const { secret } = await enroll(user);
        await client.verify(user, authenticator.code(secret));
        const redis = (opened.counter as RedisDriverCounter).client;
        for (const node of redis instanceof Cluster ? redis.nodes('master') : [redis]) await node.script('FLUSH');
        clock.advance(STEP_MS);
        const seen = await countedAtDriver(opened.counter, () => client.verify(user, authenticator.code(secret)));
        expect(seen).toMatchObject({ flights: 2, scriptCacheMisses: 1 });
      },
    );

    it.skipIf(acks)('a recovery-code use is 1, on a server that has seen the user or not; getStatus 1', async () => {
      const { client, authenticator, enroll } = totpHarness(opened.store);
      const user = newUser();
      const { secret, recoveryCodes } = await enroll(user);
      // No verify on this server yet: the factor's secretId (for the step-up token) comes in the store's answer.
      expect((await flights(() => client.verifyRecoveryCode(user, recoveryCodes[0]!))).flights, 'cold').toBe(1);
      await client.verify(user, authenticator.code(secret)).catch(() => {});
      expect((await flights(() => client.verifyRecoveryCode(user, recoveryCodes[1]!))).flights, 'warm').toBe(1);
      expect((await flights(() => client.getStatus(user))).flights, 'getStatus').toBe(1);
    });

    it.skipIf(acks)('login step 1 with a trusted device token is 1, whatever it answers', async () => {
      const { client, authenticator, enroll } = totpHarness(opened.store);
      const user = newUser();
      const { secret } = await enroll(user);
      const trustDevice = { label: 'test browser' };
      const { deviceToken } = await client.verifySecondFactor(user, authenticator.code(secret), { trustDevice });
      let needed: boolean | undefined;
      const once = async (token: string) => (needed = await client.needsSecondFactor(user, { deviceToken: token }));
      expect((await flights(() => once(deviceToken!))).flights, 'trusted').toBe(1);
      expect(needed).toBe(false);
      const forged = `${deviceToken!.slice(0, -4)}AAAA`;
      expect((await flights(() => once(forged))).flights, 'an unknown token').toBe(1);
      expect(needed).toBe(true);
    });
  });
}
