import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MfaConfigurationError, MfaProviderError } from '../src/index.js';
import { PostgresMfaStore } from '../src/stores/postgres/index.js';
import { RedisMfaStore } from '../src/stores/redis/index.js';
import { REDIS_URL, newPgPool, newRedisClient, postgresAvailable, redisAvailable } from './support/services.js';
import { newUser, totpHarness } from './support/totp.js';

// A new user's first hour: a store that is set up wrongly must say what to fix, not "store unavailable", which sends
// them looking for an outage. Against the real services.
const [redisUp, postgresUp] = await Promise.all([redisAvailable(), postgresAvailable()]);
const unique = () => randomBytes(6).toString('hex');

describe.skipIf(!postgresUp)('PostgreSQL store that was never migrated', () => {
  const pool = newPgPool();
  afterAll(() => pool.end());

  it('a missing table (42P01) is a configuration error naming the tables and migrate(), on every path', async () => {
    const tablePrefix = `mfa_unmigrated_${unique()}_`;
    const { client } = totpHarness(new PostgresMfaStore({ pool, tablePrefix }));
    const user = newUser();
    const calls = [
      () => client.getStatus(user),
      () => client.createSetup(user),
      () => client.verifySecondFactor(user, '123456'),
    ];
    for (const call of calls) {
      const error = await call().then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(error).toBeInstanceOf(MfaConfigurationError);
      expect((error as Error).message).toContain(`"${tablePrefix}factors"`);
      expect((error as Error).message).toContain('migrate()');
      expect((error as Error).message).toContain('42P01');
    }
  });

  it('a missing column (42703) is a configuration error too', async () => {
    const tablePrefix = `mfa_halfmigrated_${unique()}_`;
    const store = new PostgresMfaStore({ pool, tablePrefix });
    await store.migrate();
    try {
      await pool.query(`ALTER TABLE "${tablePrefix}factors" DROP COLUMN last_step`);
      const { client } = totpHarness(store);
      await expect(client.getStatus(newUser())).rejects.toThrow(MfaConfigurationError);
      await expect(client.getStatus(newUser())).rejects.toThrow(/42703.*migrate\(\)/);
    } finally {
      for (const table of ['factors', 'pending_setups', 'recovery_codes', 'attempts'])
        await pool.query(`DROP TABLE IF EXISTS "${tablePrefix}${table}"`);
    }
  });

  it('a database that is down stays store_unavailable, with a safe hint (class and code) kept off the JSON body', async () => {
    // A port nothing listens on: pg fails with ECONNREFUSED.
    const closed = new pg.Pool({ host: '127.0.0.1', port: 1, user: 'postgres', connectionTimeoutMillis: 1000 });
    try {
      const { client } = totpHarness(new PostgresMfaStore({ pool: closed }));
      const error = await client.getStatus(newUser()).catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(MfaProviderError);
      expect(error).toMatchObject({ type: 'store_unavailable', retryable: true, hint: 'Error ECONNREFUSED' });
      expect(JSON.stringify(error)).not.toContain('ECONNREFUSED');
    } finally {
      await closed.end();
    }
  });
});

describe.skipIf(!redisUp)('Redis store used by an ACL user without the permissions it needs', () => {
  const admin = newRedisClient();
  const username = `saasus-mfa-test-${unique()}`;
  const password = unique();
  let limited: Redis;

  beforeAll(async () => {
    await admin.connect();
    // A user that may log in and do nothing else: every command the store sends is refused with NOPERM.
    await admin.call('ACL', 'SETUSER', username, 'on', `>${password}`, 'resetkeys', '-@all');
    const url = new URL(REDIS_URL);
    limited = new Redis({
      host: url.hostname,
      port: Number(url.port || 6379),
      username,
      password,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
    });
    await limited.connect();
  });

  afterAll(async () => {
    limited.disconnect();
    await admin.call('ACL', 'DELUSER', username);
    admin.disconnect();
  });

  it('NOPERM is a configuration error naming the missing permission, not store_unavailable', async () => {
    const { client } = totpHarness(new RedisMfaStore({ client: limited, keyPrefix: `saasus-mfa-acl:${unique()}:` }));
    const error = await client.getStatus(newUser()).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(MfaConfigurationError);
    expect((error as Error).message).toMatch(/permission.*ACL SETUSER.*\(NOPERM\)/);
    // The reply names the user and the command; none of it is passed on.
    expect((error as Error).message).not.toContain(username);
  });
});

// NOAUTH needs a server whose default user has a password; the test services have none, so these replies come from a
// client that answers as such a server does (RedisScriptClient is the public, structural client interface: nothing of
// the SDK is replaced).
describe('Redis replies about the deployment', () => {
  const answering = (reply: string) => {
    const fail = async () => {
      throw Object.assign(new Error(reply), { name: 'ReplyError' });
    };
    return new RedisMfaStore({ client: { evalsha: fail, eval: fail } });
  };

  it.each([
    ['NOAUTH Authentication required.', /authentication.*\(NOAUTH\)/],
    ['WRONGPASS invalid username-password pair or user is disabled.', /user name or password.*\(WRONGPASS\)/],
  ])('%s is a configuration error saying what to change', async (reply, message) => {
    const { client } = totpHarness(answering(reply));
    await expect(client.getStatus(newUser())).rejects.toThrow(MfaConfigurationError);
    await expect(client.getStatus(newUser())).rejects.toThrow(message);
  });

  it('READONLY is an outage to retry, not a setting: a demoted primary answers it for a moment during every failover', async () => {
    const { client } = totpHarness(answering("READONLY You can't write against a read only replica."));
    const error = await client.createSetup(newUser()).catch((failure: unknown) => failure);
    expect(error).toMatchObject({ type: 'store_unavailable', retryable: true, hint: 'ReplyError READONLY' });
  });

  it('any other error reply stays store_unavailable, with the reply code as its hint', async () => {
    const { client } = totpHarness(answering('OOM command not allowed when used memory > maxmemory.'));
    const error = await client.getStatus(newUser()).catch((failure: unknown) => failure);
    expect(error).toMatchObject({ type: 'store_unavailable', hint: 'ReplyError OOM' });
    expect(JSON.stringify(error)).not.toContain('maxmemory');
  });
});

// A real replica: the Sentinel deployment the test run starts (global-redis-deployments.ts) has one.
const deployments = inject('redisDeployments');
describe.skipIf(!deployments)('a Redis replica written to', () => {
  it('a write on a read-only replica is store_unavailable (retryable), as clients see during a failover', async () => {
    const replica = new Redis({ ...deployments!.sentinel.replica, lazyConnect: true, maxRetriesPerRequest: 1 });
    await replica.connect();
    try {
      const { client } = totpHarness(new RedisMfaStore({ client: replica, keyPrefix: `saasus-mfa-ro:${unique()}:` }));
      const error = await client.createSetup(newUser()).catch((failure: unknown) => failure);
      expect(error).toMatchObject({ type: 'store_unavailable', retryable: true, hint: 'ReplyError READONLY' });
    } finally {
      replica.disconnect();
    }
  });
});
