import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MfaConfigurationError } from '../src/index.js';
import { RedisMfaStore } from '../src/stores/redis/index.js';
import { newRedisClient, redisAvailable } from './support/services.js';

// What only the Redis store has: key layout, TTLs that clean up, and scripts that survive a script-cache flush.
const NOW = Date.UTC(2025, 0, 2, 15, 4, 10);
const keyPrefix = `saasus-mfa-redisonly:${process.pid}:`;

describe.skipIf(!(await redisAvailable()))('RedisMfaStore', () => {
  const client = newRedisClient();
  const store = new RedisMfaStore({ client, keyPrefix });
  beforeAll(() => client.connect());
  afterAll(async () => {
    const keys = await client.keys(`${keyPrefix}*`);
    if (keys.length > 0) await client.del(...keys);
    client.disconnect();
  });

  it('keeps one user in one Cluster slot, under an encoded user id', async () => {
    await store.beginAttempt({ userId: 'ada:{x}', now: NOW, windowMs: 60_000 });
    expect(await client.keys(`${keyPrefix}*`)).toContain(`${keyPrefix}{ada%3A%7Bx%7D}:attempts`);
  });

  it('lets Redis drop what can no longer matter: attempt windows and expired setups expire, a factor never does', async () => {
    const user = 'ttl-user';
    await store.beginAttempt({ userId: user, now: NOW, windowMs: 15 * 60_000 });
    const attemptsTtl = await client.pttl(`${keyPrefix}{${user}}:attempts`);
    expect(attemptsTtl).toBeGreaterThan(15 * 60_000 - 5_000);
    expect(attemptsTtl).toBeLessThanOrEqual(15 * 60_000);

    await store.savePending({
      userId: user,
      pending: {
        secretId: 's',
        sealedSecret: 'v1.k.a.b.c',
        lastStep: null,
        createdAt: NOW,
        expiresAt: NOW + 600_000,
        confirmed: false,
      },
    });
    const pendingTtl = await client.pttl(`${keyPrefix}{${user}}:pending`);
    expect(pendingTtl).toBeGreaterThan(600_000 + 24 * 3_600_000 - 5_000);

    await store.claimStep({ userId: user, target: 'pending', secretId: 's', step: 7 });
    await store.activatePending({ userId: user, secretId: 's', recoveryCodeHashes: ['h'], now: NOW });
    expect(await client.pttl(`${keyPrefix}{${user}}:factor`)).toBe(-1);
    expect(await client.pttl(`${keyPrefix}{${user}}:recovery`)).toBe(-1);
    expect(await client.exists(`${keyPrefix}{${user}}:pending`)).toBe(0);
  });

  it('still works after the script cache is flushed (EVALSHA falls back to EVAL on NOSCRIPT)', async () => {
    await store.load({ userId: 'flush-user' });
    await client.script('FLUSH');
    expect(await store.beginAttempt({ userId: 'flush-user', now: NOW, windowMs: 60_000 })).toMatchObject({
      attempts: { count: 1 },
    });
    expect((await store.beginAttempt({ userId: 'flush-user', now: NOW, windowMs: 60_000 })).attempts.count).toBe(2);
  });

  it('a factor record missing a field reads as corrupt (an error), never as "MFA off"', async () => {
    await client.hset(`${keyPrefix}{half-user}:factor`, 'lastStep', '5');
    await expect(store.load({ userId: 'half-user' })).rejects.toThrow();
  });

  it('refuses a client that cannot run scripts, and a prefix with a hash-tag brace', () => {
    expect(() => new RedisMfaStore({ client: {} as never })).toThrow(MfaConfigurationError);
    expect(() => new RedisMfaStore({ client, keyPrefix: 'a{b}:' })).toThrow(MfaConfigurationError);
  });
});
