import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { MfaStore, StoredTrustedDevice } from '../../src/totp/index.js';
import { NOW, budget, pendingSetup, unique } from './redis-store-clients.js';

export const DAY = 24 * 60 * 60 * 1000;

/** A user with an enabled factor (setup saved, confirmed at step 7, activated at NOW with one recovery code). */
export async function enabledUser(store: MfaStore): Promise<{ userId: string; secretId: string }> {
  const userId = `u-${unique()}`;
  const setup = pendingSetup();
  await store.savePending({ userId, pending: setup });
  const setupBudget = budget([{ bucket: 'setup', max: 5 }]);
  await store.attemptAndClaim({ userId, target: 'pending', secretId: setup.secretId, step: 7, budget: setupBudget });
  expect(await store.activatePending({ userId, secretId: setup.secretId, recoveryCodeHashes: ['h1'], now: NOW })).toBe(
    true,
  );
  return { userId, secretId: setup.secretId };
}

/**
 * A device token of the real shape (`d1.` + 32 random bytes, base64url) and the device record a provider would store
 * for it: a keyed hash of user id and token, as the API brief describes, under a test key.
 */
export function trustedDevice(
  userId: string,
  secretId: string,
  overrides: Partial<StoredTrustedDevice> = {},
): { token: string; device: StoredTrustedDevice } {
  const token = `d1.${randomBytes(32).toString('base64url')}`;
  const mac = createHmac('sha256', 'test device key').update(`${userId}\0${token}`).digest('base64url');
  return {
    token,
    device: {
      id: randomUUID(),
      tokenHash: `k1.${mac}`,
      secretId,
      label: 'Firefox on Linux',
      createdAt: NOW,
      lastUsedAt: NOW,
      expiresAt: NOW + 30 * DAY,
      ...overrides,
    },
  };
}

/** The record as the store lists it: everything but the hash. */
export const listed = ({ tokenHash: _hash, ...record }: StoredTrustedDevice) => record;
