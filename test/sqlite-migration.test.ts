import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MfaConfigurationError } from '../src/index.js';
import { SqliteMfaStore } from '../src/stores/sqlite/index.js';
import { sqliteBindings, temporaryDatabase } from './support/sqlite-stores.js';
import { NOW, WINDOW } from './support/store-records.js';

// An app that ran the first SQLite schema (before trusted devices) upgrades the package: migrate() adds the devices
// table in place and keeps every factor, setup, code and running attempt count; the store works on the result, and
// disable and re-enrolment remove the device rows themselves (not only stop counting them). On every binding here.

const prefix = 'app_mfa_';

/** The first schema exactly as the release before trusted devices created it (its sqliteMfaSchema() output). */
const v1Schema = readFileSync(new URL('./fixtures/schemas/sqlite-v1.sql', import.meta.url), 'utf8').replaceAll(
  'mfa_fixture_',
  prefix,
);

const V1_ROWS = `
INSERT INTO "${prefix}factors" VALUES ('alice', 'secret-a', 'v1.k1.aXY.dGFn.YQ', 100, ${NOW - 1000});
INSERT INTO "${prefix}recovery_codes" VALUES ('alice', 'h1'), ('alice', 'h2');
INSERT INTO "${prefix}attempts" VALUES ('alice', 'code', 3, ${NOW + WINDOW}), ('alice', 'recovery', 2, ${NOW + WINDOW});
INSERT INTO "${prefix}pending_setups" VALUES ('bob', 'secret-b', 'v1.k1.aXY.dGFn.Yg', 7, 1, ${NOW}, ${NOW + 600_000});`;

const device = (id: string, secretId: string) => ({
  id,
  tokenHash: `k1.hash-of-${id}`,
  secretId,
  label: `device ${id}`,
  createdAt: NOW,
  lastUsedAt: NOW,
  expiresAt: NOW + 86_400_000,
});

for (const binding of sqliteBindings) {
  describe.skipIf(binding.missing !== null)(`SqliteMfaStore.migrate() on the first schema, ${binding.name}`, () => {
    const database = temporaryDatabase();
    let connections: ReturnType<typeof binding.open>[];
    let store: SqliteMfaStore;
    const rowsOf = (userId: string) =>
      connections[0]!.all(`select device_id from "${prefix}trusted_devices" where user_id = '${userId}'`);
    beforeAll(() => {
      connections = [binding.open(database.file), binding.open(database.file)];
      connections[0]!.exec(v1Schema + V1_ROWS);
      store = new SqliteMfaStore({ driver: connections[0]!.driver, tablePrefix: prefix });
    });
    afterAll(() => {
      for (const connection of connections ?? []) connection.close();
      database.remove();
    });

    it('before the migration, a device operation is a configuration error naming the devices table and migrate()', async () => {
      const use = store.useTrustedDevice({ userId: 'alice', candidateHashes: ['k1.x'], now: NOW });
      await expect(use).rejects.toThrow(MfaConfigurationError);
      await expect(use).rejects.toThrow(/"app_mfa_trusted_devices".*migrate\(\)/);
    });

    it('upgrades in place from two connections, then again, keeping every row and every running count', async () => {
      await Promise.all(
        connections.map((c) => new SqliteMfaStore({ driver: c.driver, tablePrefix: prefix }).migrate()),
      );
      await store.migrate();
      expect(await store.load({ userId: 'alice' })).toEqual({
        factor: { secretId: 'secret-a', sealedSecret: 'v1.k1.aXY.dGFn.YQ', lastStep: 100, enabledAt: NOW - 1000 },
        pending: null,
        recoveryCodes: 2,
      });
      expect((await store.load({ userId: 'bob' })).pending).toMatchObject({ secretId: 'secret-b', confirmed: true });
      const peek = await store.attemptAndClaim({
        userId: 'alice',
        target: 'factor',
        secretId: 'not-the-factor',
        step: 1,
        budget: {
          now: NOW,
          windowMs: WINDOW,
          limits: [
            { bucket: 'code', max: 99 },
            { bucket: 'recovery', max: 99 },
          ],
        },
      });
      expect(peek).toMatchObject({
        outcome: 'stale',
        attempts: [
          { bucket: 'code', count: 3, resetAt: NOW + WINDOW },
          { bucket: 'recovery', count: 2, resetAt: NOW + WINDOW },
        ],
      });
    });

    it('device after disable or re-enrolment: the upgraded store removes the rows themselves, in the same batch', async () => {
      const trusted = device('a1', 'secret-a');
      await store.trustDevice({ userId: 'alice', device: trusted, maxDevices: 5, now: NOW });
      const { tokenHash, ...listed } = trusted;
      expect(await store.useTrustedDevice({ userId: 'alice', candidateHashes: [tokenHash], now: NOW })).toEqual({
        outcome: 'trusted',
        device: listed,
      });
      const use = await store.useRecoveryCode({
        userId: 'alice',
        candidateHashes: ['h1'],
        budget: { now: NOW, windowMs: WINDOW, limits: [{ bucket: 'recovery', max: 5 }] },
      });
      expect(use).toEqual({ outcome: 'used', remaining: 1, secretId: 'secret-a' });
      expect(await store.deleteFactor({ userId: 'alice', secretId: 'secret-a' })).toBe(true);
      expect(rowsOf('alice')).toEqual([]);

      await store.activatePending({ userId: 'bob', secretId: 'secret-b', recoveryCodeHashes: ['x'], now: NOW });
      await store.trustDevice({ userId: 'bob', device: device('b1', 'secret-b'), maxDevices: 5, now: NOW });
      expect(rowsOf('bob')).toHaveLength(1);
      await store.savePending({
        userId: 'bob',
        pending: {
          secretId: 'secret-c',
          sealedSecret: 'v1.k1.aXY.dGFn.Yw',
          lastStep: 9,
          confirmed: true,
          createdAt: NOW,
          expiresAt: NOW + 600_000,
        },
      });
      expect(
        await store.activatePending({ userId: 'bob', secretId: 'secret-c', recoveryCodeHashes: ['y'], now: NOW }),
      ).toBe(true);
      expect(rowsOf('bob'), 'a new enrolment removes the rows').toEqual([]);
    });
  });
}
