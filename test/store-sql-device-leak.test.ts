import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeFixtures, type OpenStore } from './support/stores.js';
import { NOW, WINDOW, newUser, pending } from './support/store-records.js';

// Leak: a SQL store holds a device token's hash, never the token, and answers neither (list, use, revoke, the
// dropped of a trust). The store is only ever handed the hash; this pins that no column, no function answer and no
// leftover decision row carries more. The token and hash are made the way the provider makes them (d1.<base64url of
// 32 bytes>, keyed HMAC-SHA-256 under a key id), so their forms can be searched for in the dump.

const sqlStores = (await storeFixtures()).filter((f) => f.name === 'postgres' || f.name.startsWith('sqlite'));

for (const fixture of sqlStores) {
  describe.skipIf(!fixture.available)(`device token leaks on the ${fixture.name} store`, () => {
    let open: OpenStore;
    beforeAll(async () => {
      open = await fixture.open();
    });
    afterAll(() => open?.close());

    it('leak: no device token in the tables, and no token hash in any answer', async () => {
      const { store } = open;
      const user = newUser();
      const setup = pending();
      await store.savePending({ userId: user, pending: setup });
      const budget = { now: NOW, windowMs: WINDOW, limits: [] };
      await store.attemptAndClaim({ userId: user, target: 'pending', secretId: setup.secretId, step: 1, budget });
      await store.activatePending({ userId: user, secretId: setup.secretId, recoveryCodeHashes: ['r'], now: NOW });

      const tokens = Array.from({ length: 3 }, () => `d1.${randomBytes(32).toString('base64url')}`);
      const hashOf = (token: string) =>
        `k1.${createHmac('sha256', 'test key').update(`${user}\0${token}`).digest('base64url')}`;
      const answers: unknown[] = [];
      for (const [i, token] of tokens.entries()) {
        const device = {
          id: `00000000-0000-4000-8000-00000000000${i}`,
          tokenHash: hashOf(token),
          secretId: setup.secretId,
          label: `browser ${i}`,
          createdAt: NOW + i,
          lastUsedAt: NOW + i,
          expiresAt: NOW + 86_400_000,
        };
        answers.push(await store.trustDevice({ userId: user, device, maxDevices: 2, now: NOW + i }));
      }
      const dump = await open.dump();
      answers.push(
        await store.useTrustedDevice({ userId: user, candidateHashes: [hashOf(tokens[2]!)], now: NOW + 5 }),
        await store.listTrustedDevices({ userId: user, now: NOW + 5 }),
        await store.revokeTrustedDevice({ userId: user, deviceId: '00000000-0000-4000-8000-000000000001' }),
        await store.revokeTrustedDevices({ userId: user, now: NOW + 5 }),
      );

      expect(dump, 'the dump really holds the devices').toContain(hashOf(tokens[2]!));
      for (const token of tokens) {
        const secretPart = token.slice(3);
        expect(dump.includes(secretPart), 'a token in the store').toBe(false);
        expect(dump.includes(Buffer.from(secretPart, 'base64url').toString('hex')), 'a token, hex').toBe(false);
      }
      const answered = JSON.stringify(answers);
      expect(answered, 'the answers say something').toContain('browser 2');
      for (const token of tokens) {
        expect(answered.includes(hashOf(token).slice(3)), 'a hash in an answer').toBe(false);
        expect(answered.includes(token.slice(3)), 'a token in an answer').toBe(false);
      }
    });
  });
}
