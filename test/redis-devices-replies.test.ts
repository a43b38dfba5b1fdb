import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MfaProviderError } from '../src/index.js';
import { RedisMfaStore } from '../src/stores/redis/index.js';
import type { StoredTrustedDevice } from '../src/totp/index.js';
import { enabledUser, trustedDevice } from './support/redis-devices.js';
import { NOW, unique } from './support/redis-store-clients.js';
import { deleteRedisKeysUnder, newRedisClient, redisAvailable } from './support/services.js';

// The Redis device answers that must never read as a success: one the replicas did not confirm (WAIT), a corrupt
// stored record, a reply of the wrong shape. Standalone server: it has no replica, as a primary cut off from its own.

describe.skipIf(!(await redisAvailable()))('RedisMfaStore devices: unconfirmed writes, malformed replies', () => {
  const keyPrefix = `saasus-mfa-devices-acks:${unique()}:`;
  const client = newRedisClient();
  const store = new RedisMfaStore({ client, keyPrefix });
  // The shared server has no replica: every WAIT times out, as on a primary cut off from its replicas.
  const cutOff = new RedisMfaStore({ client, keyPrefix, replicaAcks: { replicas: 1, timeoutMs: 20 } });
  beforeAll(() => client.connect());
  afterAll(async () => {
    await deleteRedisKeysUnder(client, keyPrefix);
    client.disconnect();
  });

  /** A store whose every script reply is `reply`, as a broken adapter or proxy might answer. */
  const answering = (reply: unknown) =>
    new RedisMfaStore({ client: { evalsha: async () => reply, eval: async () => reply }, keyPrefix });

  it('revoked device on a cut-off primary: a use the replicas did not confirm is store_unavailable, never trusted', async () => {
    const { userId, secretId } = await enabledUser(store);
    const { device } = trustedDevice(userId, secretId);
    await store.trustDevice({ userId, device, maxDevices: 5, now: NOW });
    const use = (hashes: string[]) => cutOff.useTrustedDevice({ userId, candidateHashes: hashes, now: NOW });
    const refused = await use([device.tokenHash]).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(MfaProviderError);
    expect(refused).toMatchObject({ type: 'store_unavailable', retryable: true });
    expect(await use(['k1.other']), 'an untrusted answer grants nothing: answered as it is').toEqual({
      outcome: 'untrusted',
      factorEnabled: true,
    });
  });

  it('lost revoke on failover: a trust or a revoke the replicas did not confirm is store_unavailable, never done', async () => {
    const { userId, secretId } = await enabledUser(store);
    const { device } = trustedDevice(userId, secretId);
    await expect(cutOff.trustDevice({ userId, device, maxDevices: 5, now: NOW })).rejects.toMatchObject({
      type: 'store_unavailable',
    });
    await expect(cutOff.revokeTrustedDevice({ userId, deviceId: device.id })).rejects.toMatchObject({
      type: 'store_unavailable',
    });
    await expect(cutOff.revokeTrustedDevices({ userId, now: NOW })).rejects.toMatchObject({
      type: 'store_unavailable',
    });
    expect(await cutOff.revokeTrustedDevice({ userId, deviceId: device.id }), 'nothing removed: as it is').toBeNull();
    const stale = trustedDevice(userId, 'replaced-factor').device;
    expect(await cutOff.trustDevice({ userId, device: stale, maxDevices: 5, now: NOW }), 'stale: as it is').toEqual({
      outcome: 'stale',
    });
  });

  it('corrupt device record: it never counts, is not listed, and is removed when its token is presented', async () => {
    const { userId, secretId } = await enabledUser(store);
    const { device } = trustedDevice(userId, secretId);
    const devicesKey = `${keyPrefix}{${userId}}:devices`;
    for (const corrupt of [
      'not json',
      '{"id":"x"}',
      JSON.stringify({ ...decimals(device), expiresAt: 'never' }),
      JSON.stringify({ ...decimals(device), secretId: 7 }),
      '7',
    ]) {
      await client.hset(devicesKey, device.tokenHash, corrupt);
      expect(await store.listTrustedDevices({ userId, now: NOW }), corrupt).toEqual([]);
      expect(await store.useTrustedDevice({ userId, candidateHashes: [device.tokenHash], now: NOW })).toEqual({
        outcome: 'untrusted',
        factorEnabled: true,
      });
      expect(await client.hexists(devicesKey, device.tokenHash)).toBe(0);
    }
  });

  it.each([
    ['a trusted use without its device', ['trusted']],
    ['a device with a time that is not a number', ['trusted', ['id', 'label', 's', '1', 'soon', '2']]],
    ['a device without an id', ['trusted', ['', 'label', 's', '1', '1', '2']]],
    ['an unknown outcome', ['yes', 1]],
    ['an untrusted answer that is not 0 or 1', ['untrusted', '1']],
    ['no table at all', 'OK'],
  ])('malformed reply: %s is invalid_response, never trusted', async (_, reply) => {
    const broken = answering(reply);
    const use = await broken.useTrustedDevice({ userId: 'u', candidateHashes: ['k1.x'], now: NOW }).catch((e) => e);
    expect(use).toBeInstanceOf(MfaProviderError);
    expect(use).toMatchObject({ type: 'invalid_response', retryable: false });
    expect(JSON.stringify(use)).not.toContain('k1.x');
  });

  it('malformed reply: a list, trust or revoke answer of the wrong shape is invalid_response, never a success', async () => {
    const device = trustedDevice('u', 's').device;
    for (const reply of [['trusted', [['id']]], ['trusted', 'none'], [['id', 'l', 's', '1', '1']], ['revoked', 3]]) {
      const broken = answering(reply);
      for (const call of [
        () => broken.listTrustedDevices({ userId: 'u', now: NOW }),
        () => broken.trustDevice({ userId: 'u', device, maxDevices: 5, now: NOW }),
        () => broken.revokeTrustedDevice({ userId: 'u', deviceId: 'd' }),
        () => broken.revokeTrustedDevices({ userId: 'u', now: NOW }),
      ])
        await expect(call(), JSON.stringify(reply)).rejects.toMatchObject({ type: 'invalid_response' });
    }
  });
});

/** The record as the store writes it: every time a decimal string. */
function decimals(device: StoredTrustedDevice) {
  const { tokenHash: _hash, ...record } = device;
  return {
    ...record,
    createdAt: `${device.createdAt}`,
    lastUsedAt: `${device.lastUsedAt}`,
    expiresAt: `${device.expiresAt}`,
  };
}
