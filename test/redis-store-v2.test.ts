import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisMfaStore } from '../src/stores/redis/index.js';
import type { MfaStore } from '../src/totp/index.js';
import {
  NOW,
  WINDOW,
  budget,
  deleteKeysUnder,
  pendingSetup,
  redisClientKinds,
  unique,
} from './support/redis-store-clients.js';

// Contract v2 on RedisMfaStore, on a standalone, a Cluster and a Sentinel client (the shared contract suite is
// ported separately; these are the same rules, checked here so this store stands on its own): decisions in the
// documented order, named buckets, replays not counted, recovery codes on their own budget, compare-and-set by
// secretId, and the exactly-once answer of a call the driver sends twice.

for (const kind of await redisClientKinds()) {
  describe.skipIf(!kind.available)(`RedisMfaStore contract v2 on ${kind.name}`, () => {
    const keyPrefix = `saasus-mfa-v2:${unique()}:`;
    let client: Redis | Cluster;
    let store: RedisMfaStore;
    beforeAll(async () => {
      client = kind.connect();
      await client.connect();
      store = new RedisMfaStore({ client, keyPrefix });
    });
    afterAll(async () => {
      await deleteKeysUnder(client, keyPrefix);
      client.disconnect();
    });

    async function enabledUser(on: MfaStore = store) {
      const userId = `u-${unique()}`;
      const setup = pendingSetup();
      await on.savePending({ userId, pending: setup });
      const claimed = await on.attemptAndClaim({
        userId,
        target: 'pending',
        secretId: setup.secretId,
        step: 100,
        budget: budget([{ bucket: 'setup', max: 5 }]),
      });
      expect(claimed).toEqual({ outcome: 'claimed' });
      expect(
        await on.activatePending({ userId, secretId: setup.secretId, recoveryCodeHashes: ['h1', 'h2'], now: NOW }),
      ).toBe(true);
      return { userId, secretId: setup.secretId };
    }

    const claim = (userId: string, secretId: string, step: number | null, limits = [{ bucket: 'code', max: 3 }]) =>
      store.attemptAndClaim({ userId, target: 'factor', secretId, step, budget: budget(limits) });

    it('brute force: failures are counted in every named bucket until the budget locks, and a lock changes nothing', async () => {
      const { userId, secretId } = await enabledUser();
      const limits = [
        { bucket: 'code', max: 5 },
        { bucket: 'code:c:abc', max: 2 },
      ];
      expect(await claim(userId, secretId, null, limits)).toEqual({
        outcome: 'mismatch',
        attempts: [
          { bucket: 'code', count: 1, resetAt: NOW + WINDOW },
          { bucket: 'code:c:abc', count: 1, resetAt: NOW + WINDOW },
        ],
      });
      await claim(userId, secretId, null, limits);
      const locked = await claim(userId, secretId, 101, limits);
      expect(locked).toEqual({
        outcome: 'locked',
        attempts: [
          { bucket: 'code', count: 2, resetAt: NOW + WINDOW },
          { bucket: 'code:c:abc', count: 2, resetAt: NOW + WINDOW },
        ],
      });
      expect((await store.load({ userId })).factor?.lastStep, 'a locked right code claims nothing').toBe(100);
      // Another client of the same user is not locked by the first one's bucket.
      expect(
        await claim(userId, secretId, 101, [
          { bucket: 'code', max: 5 },
          { bucket: 'code:c:other', max: 2 },
        ]),
      ).toEqual({ outcome: 'claimed' });
    });

    it('double submit: a replayed step is refused without being counted as a failed guess', async () => {
      const { userId, secretId } = await enabledUser();
      expect(await claim(userId, secretId, 101)).toEqual({ outcome: 'claimed' });
      for (let i = 0; i < 5; i++)
        expect(await claim(userId, secretId, 101)).toEqual({
          outcome: 'replayed',
          attempts: [{ bucket: 'code', count: 0, resetAt: 0 }],
        });
      expect(await claim(userId, secretId, 102)).toEqual({ outcome: 'claimed' });
    });

    it('a success clears the listed buckets; a fixed window restarts once it has ended', async () => {
      const { userId, secretId } = await enabledUser();
      await claim(userId, secretId, null);
      await claim(userId, secretId, null);
      expect(await claim(userId, secretId, 101)).toEqual({ outcome: 'claimed' });
      expect(await claim(userId, secretId, null)).toMatchObject({ attempts: [{ count: 1, resetAt: NOW + WINDOW }] });
      const later = NOW + WINDOW;
      const next = await store.attemptAndClaim({
        userId,
        target: 'factor',
        secretId,
        step: null,
        budget: budget([{ bucket: 'code', max: 3 }], later),
      });
      expect(next).toEqual({ outcome: 'mismatch', attempts: [{ bucket: 'code', count: 1, resetAt: later + WINDOW }] });
    });

    it('bucket flooding: ended windows are pruned, so a user holds only the buckets still open', async () => {
      const { userId, secretId } = await enabledUser();
      for (let i = 0; i < 20; i++)
        await store.attemptAndClaim({
          userId,
          target: 'factor',
          secretId,
          step: null,
          budget: budget([{ bucket: `code:c:${i}`, max: 5 }], NOW + i * WINDOW),
        });
      const fields = await client.hkeys(`${keyPrefix}{${userId}}:attempts`);
      expect(fields).toEqual(['code:c:19']);
      const ttl = await client.pttl(`${keyPrefix}{${userId}}:attempts`);
      expect(ttl).toBeGreaterThan(WINDOW - 5_000);
      expect(ttl).toBeLessThanOrEqual(WINDOW);
    });

    it('a stale claim (another secretId, or no factor) changes and counts nothing and comes with the state', async () => {
      const { userId, secretId } = await enabledUser();
      const stale = await claim(userId, 'other-secret', null);
      expect(stale).toMatchObject({ outcome: 'stale', attempts: [{ count: 0 }], state: { factor: { secretId } } });
      expect(await claim(`nobody-${unique()}`, 'x', 5)).toMatchObject({ outcome: 'stale', state: { factor: null } });
    });

    it('of 30 concurrent claims of one step exactly one is claimed; 30 concurrent failures count exactly 30', async () => {
      const { userId, secretId } = await enabledUser();
      const claims = await Promise.all(Array.from({ length: 30 }, () => claim(userId, secretId, 200)));
      expect(claims.filter((c) => c.outcome === 'claimed')).toHaveLength(1);
      const limits = [{ bucket: 'code', max: 1000 }];
      await Promise.all(Array.from({ length: 30 }, () => claim(userId, secretId, null, limits)));
      expect(await claim(userId, secretId, null, limits)).toMatchObject({ attempts: [{ count: 31 }] });
    });

    it('recovery codes: own budget, one use each, no_factor without a factor, mismatch counted', async () => {
      const { userId, secretId } = await enabledUser();
      const limits = [{ bucket: 'recovery', max: 2 }];
      const use = (hashes: string[]) =>
        store.useRecoveryCode({ userId, candidateHashes: hashes, budget: budget(limits) });
      expect(await use(['nope', 'h2'])).toEqual({ outcome: 'used', remaining: 1, secretId });
      expect(await use(['h2'])).toEqual({
        outcome: 'mismatch',
        attempts: [{ bucket: 'recovery', count: 1, resetAt: NOW + WINDOW }],
      });
      await use(['h2']);
      expect(await use(['h1'])).toMatchObject({ outcome: 'locked', attempts: [{ count: 2 }] });
      await store.clearAttempts({ userId });
      expect(await use(['h1'])).toEqual({ outcome: 'used', remaining: 0, secretId });
      await store.deleteFactor({ userId });
      expect(await use(['h1'])).toEqual({ outcome: 'no_factor' });
    });

    it('account takeover by a stale step-up: replace and delete with a secretId touch only that factor', async () => {
      const { userId, secretId } = await enabledUser();
      expect(await store.replaceRecoveryCodes({ userId, hashes: ['n1'], secretId: 'old' })).toBe(false);
      expect(await store.replaceRecoveryCodes({ userId, hashes: ['n1', 'n2'], secretId })).toBe(true);
      expect((await store.load({ userId })).recoveryCodes).toBe(2);
      expect(await store.deleteFactor({ userId, secretId: 'old' })).toBe(false);
      expect((await store.load({ userId })).factor?.secretId).toBe(secretId);
      expect(await store.deleteFactor({ userId, secretId })).toBe(true);
      expect(await store.load({ userId })).toEqual({ factor: null, pending: null, recoveryCodes: 0 });
      expect(await store.replaceRecoveryCodes({ userId, hashes: ['n1'] })).toBe(false);
      expect(await store.deleteFactor({ userId })).toBe(false);
    });

    it('activation clears every bucket of the user; clearAttempts does too', async () => {
      const { userId, secretId } = await enabledUser();
      await claim(userId, secretId, null, [{ bucket: 'code:c:x', max: 5 }]);
      const setup = pendingSetup();
      await store.savePending({ userId, pending: setup });
      await store.attemptAndClaim({
        userId,
        target: 'pending',
        secretId: setup.secretId,
        step: 7,
        budget: budget([{ bucket: 'setup', max: 5 }]),
      });
      expect(
        await store.activatePending({ userId, secretId: setup.secretId, recoveryCodeHashes: ['z'], now: NOW }),
      ).toBe(true);
      expect(await client.exists(`${keyPrefix}{${userId}}:attempts`)).toBe(0);
      await claim(userId, setup.secretId, null);
      await store.clearAttempts({ userId });
      expect(await claim(userId, setup.secretId, null)).toMatchObject({ attempts: [{ count: 1 }] });
    });
  });
}

describe('RedisMfaStore script loading', async () => {
  for (const kind of await redisClientKinds()) {
    it.skipIf(!kind.available)(
      `${kind.name}: a NOSCRIPT round trip per concurrent first call: none for 64 concurrent first calls of fresh users`,
      async () => {
        const client = kind.connect();
        await client.connect();
        const keyPrefix = `saasus-mfa-noscript:${unique()}:`;
        try {
          const masters = 'nodes' in client ? client.nodes('master') : [client];
          await Promise.all(masters.map((node) => node.script('FLUSH')));
          let noScript = 0;
          const counted = (run: () => Promise<unknown>) =>
            run().catch((error: unknown) => {
              if (error instanceof Error && error.message.startsWith('NOSCRIPT')) noScript++;
              throw error;
            });
          const store = new RedisMfaStore({
            keyPrefix,
            replicaAcks: false,
            client: {
              isCluster: 'nodes' in client,
              evalsha: (...args) => counted(() => client.evalsha(...(args as [string, number, ...string[]]))),
              eval: (...args) => counted(() => client.eval(...(args as [string, number, ...string[]]))),
            },
          });
          const users = Array.from({ length: 64 }, (_, i) => `u-${i}`);
          // One call first (its node now has the script), then the rest at once: on a Cluster, the other nodes
          // have not seen it, and must be sent it whole rather than asked by SHA.
          await store.load({ userId: users[0]! });
          await Promise.all(users.map((userId) => store.load({ userId })));
          await store.clearAttempts({ userId: users[0]! });
          await Promise.all(users.map((userId) => store.clearAttempts({ userId })));
          expect(noScript).toBe(0);
        } finally {
          await deleteKeysUnder(client, keyPrefix);
          client.disconnect();
        }
      },
    );
  }
});

describe('RedisMfaStore replica acknowledgement defaults', async () => {
  for (const kind of await redisClientKinds()) {
    it.skipIf(!kind.available)(`${kind.name}: ${kind.name === 'standalone' ? 'off' : 'on, 1 replica'}`, () => {
      const client = kind.connect();
      try {
        const acks = new RedisMfaStore({ client }).replicaAcks;
        expect(acks).toEqual(kind.name === 'standalone' ? null : { replicas: 1, timeoutMs: 500 });
        expect(new RedisMfaStore({ client, replicaAcks: false }).replicaAcks).toBeNull();
        expect(new RedisMfaStore({ client, replicaAcks: { replicas: 2 } }).replicaAcks).toEqual({
          replicas: 2,
          timeoutMs: 500,
        });
      } finally {
        client.disconnect();
      }
    });
  }
});
