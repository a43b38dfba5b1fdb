import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MfaConfigurationError } from '../src/index.js';
import { PostgresMfaStore, postgresMfaSchema } from '../src/stores/postgres/index.js';
import { dropMfaSchema } from './support/postgres-schema.js';
import { newPgPool, postgresAvailable } from './support/services.js';

// What only the PostgreSQL store has: its schema, migrations from several servers at once, and the cleanup job.
const NOW = Date.UTC(2025, 0, 2, 15, 4, 10);
const WINDOW = 15 * 60_000;
const prefix = `mfa_pgonly_${process.pid}_`;

describe.skipIf(!(await postgresAvailable()))('PostgresMfaStore', () => {
  const pools = Array.from({ length: 5 }, newPgPool);
  const [pool] = pools as [ReturnType<typeof newPgPool>];
  const store = new PostgresMfaStore({ pool, tablePrefix: prefix });
  beforeAll(async () => {
    await Promise.all(pools.map((p) => new PostgresMfaStore({ pool: p, tablePrefix: prefix }).migrate()));
  });
  afterAll(async () => {
    await dropMfaSchema(pool, prefix);
    await Promise.all(pools.map((p) => p.end()));
  });

  it('migrates from five servers at once, and again on existing tables, without an error', async () => {
    await Promise.all(pools.map((p) => new PostgresMfaStore({ pool: p, tablePrefix: prefix }).migrate()));
    const { rows } = await pool.query('select tablename from pg_tables where tablename like $1 order by 1', [
      `${prefix}%`,
    ]);
    expect(rows.map((r) => r.tablename)).toEqual(
      ['attempts', 'factors', 'pending_setups', 'recovery_codes', 'trusted_devices'].map((t) => prefix + t),
    );
    const functions = await pool.query('select proname from pg_proc where proname like $1 order by 1', [`${prefix}%`]);
    expect(functions.rows.map((r) => r.proname)).toEqual(
      [
        'activate_pending',
        'attempt_and_claim',
        'delete_factor',
        'replace_codes',
        'revoke_device',
        'revoke_devices',
        'trust_device',
        'use_device',
        'use_recovery_code',
      ].map((f) => prefix + f),
    );
  });

  it('publishes the same schema as SQL text for apps with their own migration tool', () => {
    const sql = postgresMfaSchema({ tablePrefix: 'acme_mfa_' });
    for (const table of ['factors', 'pending_setups', 'recovery_codes', 'attempts', 'trusted_devices'])
      expect(sql).toContain(`"acme_mfa_${table}"`);
    expect(sql).toMatch(/CREATE TABLE IF NOT EXISTS/i);
    expect(sql).toContain('CREATE OR REPLACE FUNCTION "acme_mfa_attempt_and_claim"');
  });

  it('injection: refuses a table prefix that is not a plain identifier', () => {
    for (const tablePrefix of ['x"; drop table users; --', 'Upper_', '1abc', 'a'.repeat(42), 'a b', '']) {
      expect(() => new PostgresMfaStore({ pool, tablePrefix }), tablePrefix).toThrow(MfaConfigurationError);
    }
    // A prefix that is text only once stringified (an array from a parsed config) is refused, not String()-ed.
    expect(() => new PostgresMfaStore({ pool, tablePrefix: ['app_'] as never })).toThrow(
      'PostgresMfaStore: tablePrefix must match /^[a-z_][a-z0-9_]{0,40}$/',
    );
  });

  it('a pool that is none (no options, null, a connection string, an object without query) is a typed configuration error, never a TypeError', () => {
    for (const options of [undefined, { pool: null }, { pool: 'postgres://127.0.0.1/test' }, { pool: {} }])
      expect(() => new PostgresMfaStore(options as never), JSON.stringify(options)).toThrow(
        new MfaConfigurationError('PostgresMfaStore: `pool` must be a pg Pool (an object with a query method)'),
      );
    expect(store.name).toBe('postgres');
  });

  it('a never-migrated database names every table the store expects and migrate(); any other failure is passed on as it is', async () => {
    const bare = new PostgresMfaStore({ pool, tablePrefix: `${prefix}never_` });
    const tables = ['factors', 'pending_setups', 'recovery_codes', 'attempts', 'trusted_devices'];
    await expect(bare.load({ userId: 'u' })).rejects.toThrow(
      `the store expects the tables ${tables.map((t) => `"${prefix}never_${t}"`).join(', ')} and their functions. Run store.migrate()`,
    );
    // A driver that rejects with no error object at all (null): passed on, not turned into a TypeError here.
    const odd = new PostgresMfaStore({ pool: { query: () => Promise.reject(null) } as never, tablePrefix: prefix });
    await expect(odd.load({ userId: 'u' })).rejects.toBeNull();
  });

  it('deleteExpired removes ended attempt windows, long-expired setups and expired devices, never a live one or a factor', async () => {
    const user = (name: string) => `${prefix}${name}`;
    const setup = (expiresAt: number) => ({
      secretId: 's',
      sealedSecret: 'v1.k.a.b.c',
      lastStep: null,
      createdAt: expiresAt - 600_000,
      expiresAt,
      confirmed: false,
    });
    await store.savePending({ userId: user('enabled'), pending: setup(NOW + 600_000) });
    await store.attemptAndClaim({
      userId: user('enabled'),
      target: 'pending',
      secretId: 's',
      step: 1,
      budget: { now: NOW, windowMs: WINDOW, limits: [] },
    });
    await store.activatePending({ userId: user('enabled'), secretId: 's', recoveryCodeHashes: ['h'], now: NOW });
    const fail = (now: number, bucket: string) =>
      store.attemptAndClaim({
        userId: user('enabled'),
        target: 'factor',
        secretId: 's',
        step: null,
        budget: { now, windowMs: WINDOW, limits: [{ bucket, max: 100 }] },
      });
    await fail(NOW - 20 * 60_000, 'code:c:ended');
    await fail(NOW, 'code');
    await store.savePending({ userId: user('stale'), pending: setup(NOW - 25 * 60 * 60_000) });
    await store.savePending({ userId: user('recent'), pending: setup(NOW - 60_000) });
    const device = (id: string, expiresAt: number) => ({
      id,
      tokenHash: `k1.${id}`,
      secretId: 's',
      label: id,
      createdAt: NOW - 1000,
      lastUsedAt: NOW - 1000,
      expiresAt,
    });
    for (const trusted of [device('expired', NOW), device('live', NOW + 1)])
      await store.trustDevice({ userId: user('enabled'), device: trusted, maxDevices: 5, now: NOW - 1000 });

    expect(await store.deleteExpired(NOW)).toEqual({ attempts: 1, pendingSetups: 1, trustedDevices: 1 });
    expect((await store.listTrustedDevices({ userId: user('enabled'), now: NOW })).map((d) => d.id)).toEqual(['live']);
    expect((await store.load({ userId: user('stale') })).pending).toBeNull();
    expect(
      (await store.load({ userId: user('recent') })).pending,
      'expired a minute ago: still reported as expired',
    ).not.toBeNull();
    expect(await fail(NOW, 'code')).toMatchObject({ outcome: 'mismatch', attempts: [{ count: 2 }] });
    expect(await store.load({ userId: user('enabled') })).toMatchObject({
      factor: { secretId: 's' },
      recoveryCodes: 1,
    });
  });
});
