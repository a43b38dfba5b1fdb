import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MfaConfigurationError } from '../src/index.js';
import { SqliteMfaStore, sqliteMfaSchema } from '../src/stores/sqlite/index.js';
import { sqliteBindings, temporaryDatabase } from './support/sqlite-stores.js';
import { NOW, WINDOW, newUser, pending } from './support/store-records.js';

// What only the SQLite store has: its schema, the never-migrated database, the cleanup job, and the all-or-nothing
// batch. On every SQLite binding this runtime has.

for (const binding of sqliteBindings) {
  describe.skipIf(binding.missing !== null)(`SqliteMfaStore on ${binding.name}`, () => {
    const database = temporaryDatabase();
    let connection: ReturnType<typeof binding.open>;
    let store: SqliteMfaStore;
    beforeAll(async () => {
      connection = binding.open(database.file);
      store = new SqliteMfaStore({ driver: connection.driver, tablePrefix: 'app_mfa_' });
      await store.migrate();
      await store.migrate();
    });
    afterAll(() => {
      connection?.close();
      database.remove();
    });

    it('migrates idempotently, and publishes the same schema as SQL text for migration tools', () => {
      const tables = connection.all("select name from sqlite_master where type = 'table' order by name") as {
        name: string;
      }[];
      expect(tables.map((t) => t.name)).toEqual(
        ['attempts', 'decisions', 'factors', 'pending_setups', 'recovery_codes', 'trusted_devices'].map(
          (t) => `app_mfa_${t}`,
        ),
      );
      const sql = sqliteMfaSchema({ tablePrefix: 'acme_' });
      for (const table of ['factors', 'pending_setups', 'recovery_codes', 'attempts', 'trusted_devices', 'decisions'])
        expect(sql).toContain(`CREATE TABLE IF NOT EXISTS "acme_${table}"`);
    });

    it('a database that was never migrated is a configuration error naming the tables and migrate()', async () => {
      const bare = new SqliteMfaStore({ driver: connection.driver, tablePrefix: 'never_migrated_' });
      await expect(bare.load({ userId: 'u' })).rejects.toThrow(MfaConfigurationError);
      await expect(bare.load({ userId: 'u' })).rejects.toThrow(/"never_migrated_factors".*migrate\(\)/);
      const tables = ['factors', 'pending_setups', 'recovery_codes', 'attempts', 'trusted_devices', 'decisions'];
      await expect(bare.load({ userId: 'u' })).rejects.toThrow(
        `the store expects the tables ${tables.map((t) => `"never_migrated_${t}"`).join(', ')}. Run store.migrate()`,
      );
    });

    it('injection: refuses a table prefix that is not a plain identifier, and a driver that is none', () => {
      for (const tablePrefix of ['x"; drop table users; --', 'Upper_', '1abc', 'a'.repeat(42), 'a b', ''])
        expect(() => new SqliteMfaStore({ driver: connection.driver, tablePrefix }), tablePrefix).toThrow(
          MfaConfigurationError,
        );
      expect(() => new SqliteMfaStore({ driver: {} as never })).toThrow(MfaConfigurationError);
      // A prefix that is text only once stringified (an array from a parsed config) is refused, not String()-ed.
      expect(() => new SqliteMfaStore({ driver: connection.driver, tablePrefix: ['app_'] as never })).toThrow(
        'SqliteMfaStore: tablePrefix must match /^[a-z_][a-z0-9_]{0,40}$/',
      );
      // No options, or a driver that is null or a connection string: the same typed error, never a TypeError.
      for (const options of [undefined, { driver: null }, { driver: 'file:mfa.db' }])
        expect(() => new SqliteMfaStore(options as never), JSON.stringify(options)).toThrow(
          'SqliteMfaStore: `driver` must be a SqliteDriver, e.g. betterSqlite3Driver(db), nodeSqliteDriver(db), bunSqliteDriver(db) or d1Driver(env.DB)',
        );
      expect(store.name).toBe('sqlite');
    });

    it('the published schema text, run as it is by a migration tool on an empty database, gives a working store', async () => {
      connection.exec(sqliteMfaSchema({ tablePrefix: 'tool_' }));
      const migrated = new SqliteMfaStore({ driver: connection.driver, tablePrefix: 'tool_' });
      const user = newUser();
      const setup = pending();
      await migrated.savePending({ userId: user, pending: setup });
      expect((await migrated.load({ userId: user })).pending).toEqual(setup);
    });

    it('an outage (a locked or failing database) is passed on as it is, never diagnosed as a missing schema', async () => {
      const outage = new Error('database is locked');
      const failing = new SqliteMfaStore({
        driver: {
          batch: () => Promise.reject(outage),
        },
      });
      await expect(failing.load({ userId: newUser() })).rejects.toBe(outage);
    });

    it('a driver that answers a query with no row is a configuration error, never a TypeError', async () => {
      const empty = new SqliteMfaStore({
        driver: { batch: (statements) => Promise.resolve(statements.map(() => [])) },
      });
      const request = { userId: newUser(), secretId: pending().secretId, recoveryCodeHashes: [], now: NOW };
      await expect(empty.activatePending(request)).rejects.toThrow(
        new MfaConfigurationError('SqliteMfaStore: the driver answered a query with no row'),
      );
    });

    it('a batch is all or nothing: a statement failing halfway undoes the ones before it', async () => {
      const user = newUser();
      const setup = pending();
      await store.savePending({ userId: user, pending: setup });
      // The claim's answer statement reads recovery_codes; without it, the claim's update (earlier in the batch)
      // must not stay.
      connection.exec('alter table "app_mfa_recovery_codes" rename to "app_mfa_recovery_codes_away"');
      try {
        const claim = store.attemptAndClaim({
          userId: user,
          target: 'pending',
          secretId: setup.secretId,
          step: 10,
          budget: { now: NOW, windowMs: WINDOW, limits: [{ bucket: 'setup', max: 5 }] },
        });
        await expect(claim).rejects.toThrow(MfaConfigurationError);
      } finally {
        connection.exec('alter table "app_mfa_recovery_codes_away" rename to "app_mfa_recovery_codes"');
      }
      expect((await store.load({ userId: user })).pending).toEqual(setup);
      expect(connection.all('select * from "app_mfa_decisions"'), 'no decision outlives its batch').toEqual([]);
    });

    it('deleteExpired removes ended attempt windows, long-expired setups and expired devices, never a live one or a factor', async () => {
      const user = (name: string) => `${name}-${newUser()}`;
      const enabled = user('enabled');
      const setup = pending({ expiresAt: NOW + 600_000 });
      await store.savePending({ userId: enabled, pending: setup });
      const onSetup = { now: NOW, windowMs: WINDOW, limits: [] };
      await store.attemptAndClaim({
        userId: enabled,
        target: 'pending',
        secretId: setup.secretId,
        step: 1,
        budget: onSetup,
      });
      await store.activatePending({ userId: enabled, secretId: setup.secretId, recoveryCodeHashes: ['h'], now: NOW });
      const fail = (now: number, bucket: string) =>
        store.attemptAndClaim({
          userId: enabled,
          target: 'factor',
          secretId: setup.secretId,
          step: null,
          budget: { now, windowMs: WINDOW, limits: [{ bucket, max: 100 }] },
        });
      await fail(NOW - 20 * 60_000, 'code:c:ended');
      await fail(NOW, 'code');
      await store.savePending({ userId: user('stale'), pending: pending({ expiresAt: NOW - 25 * 60 * 60_000 }) });
      const recent = user('recent');
      await store.savePending({ userId: recent, pending: pending({ expiresAt: NOW - 60_000 }) });
      const device = (id: string, expiresAt: number) => ({
        id,
        tokenHash: `k1.${id}`,
        secretId: setup.secretId,
        label: id,
        createdAt: NOW - 1000,
        lastUsedAt: NOW - 1000,
        expiresAt,
      });
      for (const trusted of [device('expired', NOW), device('live', NOW + 1)])
        await store.trustDevice({ userId: enabled, device: trusted, maxDevices: 5, now: NOW - 1000 });

      expect(await store.deleteExpired(NOW)).toEqual({ attempts: 1, pendingSetups: 1, trustedDevices: 1 });
      expect((await store.listTrustedDevices({ userId: enabled, now: NOW })).map((d) => d.id)).toEqual(['live']);
      expect((await store.load({ userId: recent })).pending, 'expired a minute ago: kept').not.toBeNull();
      expect(await fail(NOW, 'code')).toMatchObject({ outcome: 'mismatch', attempts: [{ count: 2 }] });
      expect(await store.load({ userId: enabled })).toMatchObject({ factor: { lastStep: 1 }, recoveryCodes: 1 });
    });
  });
}
