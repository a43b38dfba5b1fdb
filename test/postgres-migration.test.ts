import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { MfaConfigurationError } from '../src/index.js';
import { PostgresMfaStore } from '../src/stores/postgres/index.js';
import { dropMfaSchema } from './support/postgres-schema.js';
import { newPgPool, postgresAvailable } from './support/services.js';
import { NOW, WINDOW } from './support/store-records.js';

// An app that ran schema v1 (one attempts row per user) or v2 (no trusted devices) upgrades the package: migrate()
// upgrades the tables and functions in place, keeps every factor, setup, code and the running attempt counts, and can
// run again and from several servers.

const prefix = `mfa_v1up_${process.pid}_`;

/** The DDL of schema v1, as the previous release created it. */
const V1_SCHEMA = `
CREATE TABLE "${prefix}factors" (user_id text PRIMARY KEY, secret_id text NOT NULL, sealed_secret text NOT NULL,
  last_step bigint NULL, enabled_at bigint NOT NULL);
CREATE TABLE "${prefix}pending_setups" (user_id text PRIMARY KEY, secret_id text NOT NULL, sealed_secret text NOT NULL,
  last_step bigint NULL, confirmed boolean NOT NULL DEFAULT false, created_at bigint NOT NULL, expires_at bigint NOT NULL);
CREATE TABLE "${prefix}recovery_codes" (user_id text NOT NULL, code_hash text NOT NULL, PRIMARY KEY (user_id, code_hash));
CREATE TABLE "${prefix}attempts" (user_id text PRIMARY KEY, count integer NOT NULL, reset_at bigint NOT NULL);
INSERT INTO "${prefix}factors" VALUES ('alice', 'secret-a', 'v1.k1.aXY.dGFn.YQ', 100, ${NOW - 1000});
INSERT INTO "${prefix}recovery_codes" VALUES ('alice', 'h1'), ('alice', 'h2');
INSERT INTO "${prefix}attempts" VALUES ('alice', 3, ${NOW + WINDOW});
INSERT INTO "${prefix}pending_setups" VALUES ('bob', 'secret-b', 'v1.k1.aXY.dGFn.Yg', 7, true, ${NOW}, ${NOW + 600_000});
`;

describe.skipIf(!(await postgresAvailable()))('PostgresMfaStore.migrate() on a schema v1', () => {
  const pools = Array.from({ length: 3 }, newPgPool);
  const [pool] = pools as [ReturnType<typeof newPgPool>];
  const store = new PostgresMfaStore({ pool, tablePrefix: prefix });
  const budget = (max: number) => ({ now: NOW, windowMs: WINDOW, limits: [{ bucket: 'code', max }] });
  afterAll(async () => {
    await dropMfaSchema(pool, prefix);
    await Promise.all(pools.map((p) => p.end()));
  });

  it('before the migration, the v2 store on a v1 database is a configuration error naming migrate()', async () => {
    await pool.query(V1_SCHEMA);
    const answer = store.attemptAndClaim({
      userId: 'alice',
      target: 'factor',
      secretId: 'secret-a',
      step: null,
      budget: budget(5),
    });
    await expect(answer).rejects.toThrow(MfaConfigurationError);
    await expect(answer).rejects.toThrow(/42883.*migrate\(\)/);
  });

  it('upgrades in place from three servers at once, then again, keeping every row and the running count', async () => {
    await Promise.all(pools.map((p) => new PostgresMfaStore({ pool: p, tablePrefix: prefix }).migrate()));
    await store.migrate();
    const key = await pool.query(
      `select a.attname from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
       where i.indrelid = $1::regclass and i.indisprimary order by a.attname`,
      [`"${prefix}attempts"`],
    );
    expect(key.rows.map((r) => r.attname)).toEqual(['bucket', 'user_id']);
    expect(await store.load({ userId: 'alice' })).toEqual({
      factor: { secretId: 'secret-a', sealedSecret: 'v1.k1.aXY.dGFn.YQ', lastStep: 100, enabledAt: NOW - 1000 },
      pending: null,
      recoveryCodes: 2,
    });
    expect((await store.load({ userId: 'bob' })).pending).toMatchObject({ secretId: 'secret-b', confirmed: true });
  });

  it("brute force: the v1 count is the user's `code` bucket after the upgrade, so a deploy hands out no new budget", async () => {
    const claim = (step: number | null, max: number) =>
      store.attemptAndClaim({ userId: 'alice', target: 'factor', secretId: 'secret-a', step, budget: budget(max) });
    expect(await claim(null, 5)).toEqual({
      outcome: 'mismatch',
      attempts: [{ bucket: 'code', count: 4, resetAt: NOW + WINDOW }],
    });
    expect(await claim(101, 4)).toMatchObject({ outcome: 'locked' });
    expect(await claim(101, 5)).toEqual({ outcome: 'claimed' });
    const use = await store.useRecoveryCode({
      userId: 'alice',
      candidateHashes: ['h2'],
      budget: { now: NOW, windowMs: WINDOW, limits: [{ bucket: 'recovery', max: 5 }] },
    });
    expect(use).toEqual({ outcome: 'used', remaining: 1, secretId: 'secret-a' });
    expect(
      await store.activatePending({ userId: 'bob', secretId: 'secret-b', recoveryCodeHashes: ['x'], now: NOW }),
    ).toBe(true);
  });
});

/** Schema v2 exactly as the release before trusted devices created it (its postgresMfaSchema() output). */
const v2Schema = (tablePrefix: string) =>
  readFileSync(new URL('./fixtures/schemas/postgres-v2.sql', import.meta.url), 'utf8').replaceAll(
    'mfa_fixture_',
    tablePrefix,
  );

describe.skipIf(!(await postgresAvailable()))('PostgresMfaStore.migrate() on a schema v2', () => {
  const v2 = `mfa_v2up_${process.pid}_`;
  const pools = Array.from({ length: 3 }, newPgPool);
  const [pool] = pools as [ReturnType<typeof newPgPool>];
  const store = new PostgresMfaStore({ pool, tablePrefix: v2 });
  const device = {
    id: '00000000-0000-4000-8000-000000000001',
    tokenHash: 'k1.device-hash',
    secretId: 'secret-a',
    label: 'Firefox on Linux',
    createdAt: NOW,
    lastUsedAt: NOW,
    expiresAt: NOW + 86_400_000,
  };
  afterAll(async () => {
    await dropMfaSchema(pool, v2);
    await Promise.all(pools.map((p) => p.end()));
  });

  it('before the migration, a device operation on a v2 database is a configuration error naming migrate()', async () => {
    await pool.query(v2Schema(v2));
    await pool.query(`
INSERT INTO "${v2}factors" VALUES ('alice', 'secret-a', 'v1.k1.aXY.dGFn.YQ', 100, ${NOW - 1000});
INSERT INTO "${v2}recovery_codes" VALUES ('alice', 'h1'), ('alice', 'h2');
INSERT INTO "${v2}attempts" VALUES ('alice', 'code', 3, ${NOW + WINDOW}), ('alice', 'recovery', 2, ${NOW + WINDOW});
INSERT INTO "${v2}pending_setups" VALUES ('bob', 'secret-b', 'v1.k1.aXY.dGFn.Yg', 7, true, ${NOW}, ${NOW + 600_000});`);
    const use = store.useTrustedDevice({ userId: 'alice', candidateHashes: ['k1.x'], now: NOW });
    await expect(use).rejects.toThrow(MfaConfigurationError);
    await expect(use).rejects.toThrow(/42883.*migrate\(\)/);
    await expect(store.listTrustedDevices({ userId: 'alice', now: NOW })).rejects.toThrow(/42P01.*migrate\(\)/);
  });

  it('upgrades in place from three servers at once, then again, keeping every row and every running count', async () => {
    await Promise.all(pools.map((p) => new PostgresMfaStore({ pool: p, tablePrefix: v2 }).migrate()));
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

  it('after the upgrade, devices work and the replaced functions do their new part: secretId, devices removed', async () => {
    expect(await store.trustDevice({ userId: 'alice', device, maxDevices: 5, now: NOW })).toEqual({
      outcome: 'trusted',
      dropped: [],
    });
    const { tokenHash: _hash, ...listed } = device;
    expect(await store.useTrustedDevice({ userId: 'alice', candidateHashes: [device.tokenHash], now: NOW })).toEqual({
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
    expect(await pool.query(`SELECT 1 FROM "${v2}trusted_devices" WHERE user_id = 'alice'`)).toMatchObject({
      rowCount: 0,
    });
  });
});
