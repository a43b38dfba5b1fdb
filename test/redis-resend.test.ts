import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisMfaStore } from '../src/stores/redis/index.js';
import { CuttableProxy } from './support/cuttable-proxy.js';
import { NOW, budget, pendingSetup, unique } from './support/redis-store-clients.js';
import { REDIS_URL, deleteRedisKeysUnder, newRedisClient, redisAvailable } from './support/services.js';

// Wrong outcomes after a reconnect (issue 13, item 2): Redis ran the script, the connection died before its answer
// arrived, and ioredis (by default) sent the same command again on the new connection. Each state change carries an
// operation id, so the second run answers the first run's outcome instead of a second, different one: a correct code
// is not "replayed", a correct recovery code not "mismatch", an enable that took effect not false.

describe.skipIf(!(await redisAvailable()))('RedisMfaStore, a command the driver resends after a cut connection', () => {
  const keyPrefix = `saasus-mfa-resend:${unique()}:`;
  const direct = newRedisClient();
  const directStore = new RedisMfaStore({ client: direct, keyPrefix });
  let proxy: CuttableProxy;
  let resending: Redis;
  let store: RedisMfaStore;
  beforeAll(async () => {
    await direct.connect();
    const target = new URL(REDIS_URL);
    proxy = await CuttableProxy.start({ host: '127.0.0.1', port: Number(target.port || 6379) });
    // ioredis defaults: a command without an answer is sent again once the connection is back.
    resending = new Redis({ host: '127.0.0.1', port: proxy.port, password: target.password || undefined });
    resending.on('error', () => {});
    store = new RedisMfaStore({ client: resending, keyPrefix });
  });
  afterAll(async () => {
    resending.disconnect();
    await proxy.close();
    await deleteRedisKeysUnder(direct, keyPrefix);
    direct.disconnect();
  });

  async function enabledUser() {
    const userId = `u-${unique()}`;
    const setup = pendingSetup();
    await directStore.savePending({ userId, pending: setup });
    await directStore.attemptAndClaim({
      userId,
      target: 'pending',
      secretId: setup.secretId,
      step: 7,
      budget: budget([{ bucket: 'setup', max: 5 }]),
    });
    await directStore.activatePending({ userId, secretId: setup.secretId, recoveryCodeHashes: ['h1'], now: NOW });
    return { userId, secretId: setup.secretId };
  }

  /** Runs `operation` with its first request's answer dropped (the script ran), checks the driver sent it again. */
  async function withAnswerLost<T>(marker: string, operation: () => Promise<T>): Promise<T> {
    const before = proxy.accepted;
    const cut = proxy.cutAfterReply(marker);
    const result = await operation();
    await cut;
    expect(proxy.accepted, 'the driver reconnected and sent the command again').toBeGreaterThan(before);
    return result;
  }

  it('a correct code whose answer was lost is answered claimed, not replayed', async () => {
    const { userId, secretId } = await enabledUser();
    const claim = () => store.attemptAndClaim({ userId, target: 'factor', secretId, step: 8, budget: budget() });
    expect(await withAnswerLost(userId, claim)).toEqual({ outcome: 'claimed' });
    expect(await claim(), 'a new call of the same code is a replay').toMatchObject({ outcome: 'replayed' });
  });

  it('a wrong code whose answer was lost is counted once', async () => {
    const { userId, secretId } = await enabledUser();
    const fail = () => store.attemptAndClaim({ userId, target: 'factor', secretId, step: null, budget: budget() });
    expect(await withAnswerLost(userId, fail)).toMatchObject({ outcome: 'mismatch', attempts: [{ count: 1 }] });
    expect(await fail()).toMatchObject({ attempts: [{ count: 2 }] });
  });

  it('a correct recovery code whose answer was lost is answered used, not mismatch', async () => {
    const { userId, secretId } = await enabledUser();
    const use = () => store.useRecoveryCode({ userId, candidateHashes: ['h1'], budget: budget() });
    expect(await withAnswerLost(userId, use)).toEqual({ outcome: 'used', remaining: 0, secretId });
  });

  it('an enable whose answer was lost is answered true, and a disable true', async () => {
    const userId = `u-${unique()}`;
    const setup = pendingSetup();
    await directStore.savePending({ userId, pending: setup });
    await directStore.attemptAndClaim({
      userId,
      target: 'pending',
      secretId: setup.secretId,
      step: 3,
      budget: budget(),
    });
    const enable = () =>
      store.activatePending({ userId, secretId: setup.secretId, recoveryCodeHashes: ['z'], now: NOW });
    expect(await withAnswerLost(userId, enable)).toBe(true);
    const disable = () => store.deleteFactor({ userId, secretId: setup.secretId });
    expect(await withAnswerLost(userId, disable)).toBe(true);
  });
});
