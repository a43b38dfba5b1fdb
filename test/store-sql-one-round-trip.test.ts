import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresMfaStore } from '../src/stores/postgres/index.js';
import { SqliteMfaStore, type SqliteDriver } from '../src/stores/sqlite/index.js';
import type { MfaStore, StoredTrustedDevice } from '../src/totp/index.js';
import { dropMfaSchema } from './support/postgres-schema.js';
import { newPgPool, postgresAvailable } from './support/services.js';
import { sqliteBindings, temporaryDatabase } from './support/sqlite-stores.js';
import { NOW, WINDOW, newUser, pending } from './support/store-records.js';

// One round trip per trusted-device operation on the SQL stores, counted at the database boundary: PostgreSQL
// queries sent through the pool, SQLite batches sent through the driver (on D1, one batch is one network round trip
// from the Worker). The login check (`useTrustedDevice`) is the one that matters most: it runs on every sign-in of a
// trusted browser, and it answers whether MFA is on in the same trip, whatever the token was.

const DAY = 86_400_000;

interface Counted {
  store: MfaStore;
  /** Round trips sent so far. */
  trips(): number;
  close(): Promise<void>;
}

async function countedPostgres(): Promise<Counted> {
  const pool = newPgPool();
  const tablePrefix = `mfa_trips_${process.pid}_`;
  let trips = 0;
  const counting = { query: (text: string, values?: unknown[]) => (trips++, pool.query(text, values)) };
  const store = new PostgresMfaStore({ pool: counting, tablePrefix });
  await store.migrate();
  return {
    store,
    trips: () => trips,
    close: async () => {
      await dropMfaSchema(pool, tablePrefix);
      await pool.end();
    },
  };
}

function countedSqlite(binding: (typeof sqliteBindings)[number]): Counted {
  const database = temporaryDatabase();
  const connection = binding.open(database.file);
  let trips = 0;
  const driver: SqliteDriver = { batch: (statements) => (trips++, connection.driver.batch(statements)) };
  return {
    store: new SqliteMfaStore({ driver }),
    trips: () => trips,
    close: async () => {
      connection.close();
      database.remove();
    },
  };
}

const fixtures: { name: string; available: boolean; open: () => Promise<Counted> }[] = [
  { name: 'postgres', available: await postgresAvailable(), open: countedPostgres },
  ...sqliteBindings.map((binding) => ({
    name: `sqlite (${binding.name})`,
    available: binding.missing === null,
    open: async () => {
      const counted = countedSqlite(binding);
      await (counted.store as SqliteMfaStore).migrate();
      return counted;
    },
  })),
];

for (const fixture of fixtures) {
  describe.skipIf(!fixture.available)(`one round trip per device operation on ${fixture.name}`, () => {
    let counted: Counted;
    beforeAll(async () => {
      counted = await fixture.open();
    });
    afterAll(() => counted?.close());

    /** The round trips `run` cost. */
    const tripsOf = async (run: () => Promise<unknown>) => {
      const before = counted.trips();
      await run();
      return counted.trips() - before;
    };

    async function enabledUser() {
      const { store } = counted;
      const user = newUser();
      const setup = pending();
      await store.savePending({ userId: user, pending: setup });
      const budget = { now: NOW, windowMs: WINDOW, limits: [] };
      await store.attemptAndClaim({ userId: user, target: 'pending', secretId: setup.secretId, step: 1, budget });
      await store.activatePending({ userId: user, secretId: setup.secretId, recoveryCodeHashes: ['r1'], now: NOW });
      return { user, secretId: setup.secretId };
    }

    const device = (secretId: string, id: string): StoredTrustedDevice => ({
      id,
      tokenHash: `k1.token-hash-${id}`,
      secretId,
      label: id,
      createdAt: NOW,
      lastUsedAt: NOW,
      expiresAt: NOW + DAY,
    });

    it('the login check is one round trip whatever it answers: trusted, wrong token, no token shape, expired, MFA off', async () => {
      const { store } = counted;
      const { user, secretId } = await enabledUser();
      const trusted = device(secretId, '00000000-0000-4000-8000-000000000001');
      await store.trustDevice({ userId: user, device: trusted, maxDevices: 5, now: NOW });
      const cases = [
        [user, [trusted.tokenHash], NOW, 'trusted'],
        [user, ['k1.not-a-device'], NOW, 'untrusted'],
        [user, [], NOW, 'untrusted'],
        [user, [trusted.tokenHash], NOW + DAY, 'untrusted'],
        [newUser(), [trusted.tokenHash], NOW, 'untrusted'],
      ] as const;
      for (const [userId, candidateHashes, now, outcome] of cases) {
        let answer: unknown;
        const trips = await tripsOf(async () => {
          answer = await store.useTrustedDevice({ userId, candidateHashes, now });
        });
        expect(trips, `${outcome} at ${now - NOW}`).toBe(1);
        expect(answer).toMatchObject({ outcome });
      }
    });

    it('trust, list, revoke one, revoke all, and a recovery-code use (which answers the factor) are one round trip each', async () => {
      const { store } = counted;
      const { user, secretId } = await enabledUser();
      const [one, two] = ['00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-00000000000b'];
      for (const id of [one, two])
        expect(
          await tripsOf(() =>
            store.trustDevice({ userId: user, device: device(secretId, id), maxDevices: 1, now: NOW }),
          ),
          'trust',
        ).toBe(1);
      expect(await tripsOf(() => store.listTrustedDevices({ userId: user, now: NOW })), 'list').toBe(1);
      expect(await tripsOf(() => store.revokeTrustedDevice({ userId: user, deviceId: two })), 'revoke').toBe(1);
      expect(await tripsOf(() => store.revokeTrustedDevices({ userId: user, now: NOW })), 'revoke all').toBe(1);
      const recovery = { now: NOW, windowMs: WINDOW, limits: [{ bucket: 'recovery', max: 5 }] };
      let use: unknown;
      const trips = await tripsOf(async () => {
        use = await store.useRecoveryCode({ userId: user, candidateHashes: ['r1'], budget: recovery });
      });
      expect(trips, 'recovery code').toBe(1);
      expect(use).toEqual({ outcome: 'used', remaining: 0, secretId });
    });
  });
}
