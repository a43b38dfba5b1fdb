import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterSlot } from '../src/stores/redis/cluster-slot.js';
import { RedisMfaStore, type RedisScriptClient } from '../src/stores/redis/index.js';
import { DAY, enabledUser, listed, trustedDevice } from './support/redis-devices.js';
import {
  NOW,
  budget,
  deleteKeysUnder,
  keysUnder,
  pendingSetup,
  redisClientKinds,
  unique,
} from './support/redis-store-clients.js';

// What only the Redis store does with trusted devices (the shared rules are in store-contract-devices.test.ts): where
// they live, what Redis drops by itself, what a dump of the keys shows, and the answers of a call sent twice.

for (const kind of await redisClientKinds()) {
  describe.skipIf(!kind.available)(`RedisMfaStore trusted devices on ${kind.name}`, () => {
    const keyPrefix = `saasus-mfa-devices:${unique()}:`;
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

    /** A store on `client` whose every script is sent twice, as a driver resends a command after a reconnect. */
    function resendingStore(): RedisMfaStore {
      const twice = async (run: () => Promise<unknown>) => (await run(), run());
      const resending: RedisScriptClient = {
        isCluster: kind.name === 'cluster',
        evalsha: (...args) => twice(() => client.evalsha(...(args as [string, number, ...string[]]))),
        eval: (...args) => twice(() => client.eval(...(args as [string, number, ...string[]]))),
      };
      return new RedisMfaStore({ client: resending, keyPrefix, replicaAcks: false });
    }

    it('keeps the devices in the user’s slot, and lets Redis drop the hash once the last device has expired', async () => {
      const { userId, secretId } = await enabledUser(store);
      const devicesKey = `${keyPrefix}{${userId}}:devices`;
      expect(clusterSlot(devicesKey)).toBe(clusterSlot(`${keyPrefix}{${userId}}:factor`));
      const early = trustedDevice(userId, secretId, { expiresAt: NOW + DAY });
      const late = trustedDevice(userId, secretId, { expiresAt: NOW + 2 * DAY });
      await store.trustDevice({ userId, device: late.device, maxDevices: 5, now: NOW });
      await store.trustDevice({ userId, device: early.device, maxDevices: 5, now: NOW });
      const ttl = await client.pttl(devicesKey);
      expect(ttl, 'the latest expiry, not the last trusted').toBeGreaterThan(2 * DAY - 5_000);
      expect(ttl).toBeLessThanOrEqual(2 * DAY);
      const brief = await enabledUser(store);
      const short = trustedDevice(brief.userId, brief.secretId, { expiresAt: Date.now() + 200 });
      await store.trustDevice({ userId: brief.userId, device: short.device, maxDevices: 5, now: Date.now() });
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(await client.exists(`${keyPrefix}{${brief.userId}}:devices`)).toBe(0);
    });

    it('stolen store dump: no device token, and its hash only as the field of the devices hash, never in an outcome', async () => {
      const { userId, secretId } = await enabledUser(store);
      const kept = trustedDevice(userId, secretId, { createdAt: NOW + 1 });
      const dropped = trustedDevice(userId, secretId);
      const revoked = trustedDevice(userId, secretId, { createdAt: NOW + 2 });
      await store.trustDevice({ userId, device: dropped.device, maxDevices: 1, now: NOW });
      await store.trustDevice({ userId, device: kept.device, maxDevices: 1, now: NOW });
      await store.trustDevice({ userId, device: revoked.device, maxDevices: 2, now: NOW });
      await store.useTrustedDevice({ userId, candidateHashes: [kept.device.tokenHash], now: NOW + 5 });
      await store.revokeTrustedDevice({ userId, deviceId: revoked.device.id });
      await store.revokeTrustedDevices({ userId: (await enabledUser(store)).userId, now: NOW });
      const dump: string[] = [];
      for (const key of await keysUnder(client, keyPrefix)) {
        if (!key.includes(`{${userId}}`)) continue;
        const type = await client.type(key);
        const value =
          type === 'hash'
            ? await client.hgetall(key)
            : type === 'set'
              ? await client.smembers(key)
              : await client.get(key);
        dump.push(`${key} ${JSON.stringify(value)}`);
      }
      expect(dump.filter((line) => line.includes(':op:')).length, 'the remembered outcomes are in it').toBeGreaterThan(
        2,
      );
      const text = dump.join('\n');
      for (const { token } of [kept, dropped, revoked]) expect(text).not.toContain(token.slice(3));
      const holding = (hash: string) => dump.filter((line) => line.includes(hash.slice(3)));
      const devicesKey = `${keyPrefix}{${userId}}:devices`;
      expect(holding(kept.device.tokenHash).map((line) => line.split(' ')[0])).toEqual([devicesKey]);
      expect(holding(dropped.device.tokenHash), 'dropped: gone with its record').toEqual([]);
      expect(holding(revoked.device.tokenHash), 'revoked: gone with its record').toEqual([]);
      const stored = await client.hget(devicesKey, kept.device.tokenHash);
      expect(JSON.parse(stored!), 'the record: numbers as the decimal strings given, no hash').toEqual({
        id: kept.device.id,
        label: kept.device.label,
        secretId,
        createdAt: String(NOW + 1),
        lastUsedAt: String(NOW + 5),
        expiresAt: String(kept.device.expiresAt),
      });
    });

    it('wrong outcome after a failover: a trust or revoke the driver sends twice answers its first outcome', async () => {
      const resending = resendingStore();
      const { userId, secretId } = await enabledUser(store);
      const old = trustedDevice(userId, secretId, { createdAt: NOW - DAY });
      await store.trustDevice({ userId, device: old.device, maxDevices: 5, now: NOW });
      const next = trustedDevice(userId, secretId);
      expect(
        await resending.trustDevice({ userId, device: next.device, maxDevices: 1, now: NOW }),
        'the dropped device is announced, not an empty list',
      ).toEqual({ outcome: 'trusted', dropped: [listed(old.device)] });
      expect(await store.listTrustedDevices({ userId, now: NOW })).toEqual([listed(next.device)]);
      expect(await resending.revokeTrustedDevice({ userId, deviceId: next.device.id }), 'not null').toEqual(
        listed(next.device),
      );
      const third = trustedDevice(userId, secretId);
      await store.trustDevice({ userId, device: third.device, maxDevices: 5, now: NOW });
      expect(await resending.revokeTrustedDevices({ userId, now: NOW }), 'not an empty list').toEqual([
        listed(third.device),
      ]);
      expect(await store.listTrustedDevices({ userId, now: NOW })).toEqual([]);
    });

    it('device after disable or re-enrolment: no device record is left behind (the secretId check is the second lock)', async () => {
      const devicesOf = (userId: string) => client.exists(`${keyPrefix}{${userId}}:devices`);
      for (const remove of ['disable', 'adminReset', 're-enrol'] as const) {
        const { userId, secretId } = await enabledUser(store);
        await store.trustDevice({ userId, device: trustedDevice(userId, secretId).device, maxDevices: 5, now: NOW });
        expect(await devicesOf(userId)).toBe(1);
        if (remove === 'disable') expect(await store.deleteFactor({ userId, secretId })).toBe(true);
        if (remove === 'adminReset') expect(await store.deleteFactor({ userId })).toBe(true);
        if (remove === 're-enrol') await enabledUserAgain(userId);
        expect(await devicesOf(userId), remove).toBe(0);
      }
    });

    /** A new enrolment over the user's enabled factor (activatePending replaces it). */
    async function enabledUserAgain(userId: string): Promise<void> {
      const setup = pendingSetup();
      await store.savePending({ userId, pending: setup });
      const setupBudget = budget([{ bucket: 'setup', max: 5 }]);
      await store.attemptAndClaim({
        userId,
        target: 'pending',
        secretId: setup.secretId,
        step: 9,
        budget: setupBudget,
      });
      expect(await store.activatePending({ userId, secretId: setup.secretId, recoveryCodeHashes: [], now: NOW })).toBe(
        true,
      );
    }

    it('hostile label: quotes, braces, JSON and non-ASCII text come back exactly as given', async () => {
      const { userId, secretId } = await enabledUser(store);
      for (const label of [
        'a"},{"id":"x',
        '\\"\\u0000',
        '[]',
        'Safari 😀 ユーザー',
        "'); DROP TABLE devices; --",
        '{}',
      ]) {
        const { device } = trustedDevice(userId, secretId, { label });
        await store.trustDevice({ userId, device, maxDevices: 100, now: NOW });
        const use = await store.useTrustedDevice({ userId, candidateHashes: [device.tokenHash], now: NOW });
        expect(use).toEqual({ outcome: 'trusted', device: listed(device) });
      }
    });
  });
}
