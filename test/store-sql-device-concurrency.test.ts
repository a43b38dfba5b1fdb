import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredTrustedDevice, TrustedDeviceRecord } from '../src/totp/index.js';
import { enabledUser } from './support/store-contract.js';
import { NOW } from './support/store-records.js';
import { storeFixtures, type OpenStore } from './support/stores.js';

// The device limit and the disable under concurrency, on two handles of each SQL store (two servers): the check of
// the limit and the drop of the oldest are one atomic step, so concurrent trusts never leave a user over the limit
// nor drop a device twice, and a disable racing trusts leaves no device that counts. (memory runs it too, as the
// reference.)

const stores = (await storeFixtures()).filter(
  (f) => f.name === 'memory' || f.name === 'postgres' || f.name.startsWith('sqlite'),
);
const DAY = 86_400_000;

const device = (secretId: string, i: number): StoredTrustedDevice => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  tokenHash: `k1.concurrent-${i}-${Math.random().toString(36).slice(2)}`,
  secretId,
  label: `browser ${i}`,
  createdAt: NOW + i,
  lastUsedAt: NOW + i,
  expiresAt: NOW + 30 * DAY,
});

for (const fixture of stores) {
  describe.skipIf(!fixture.available)(`trusted devices under concurrency on the ${fixture.name} store`, () => {
    let open: OpenStore;
    beforeAll(async () => {
      open = await fixture.open();
    });
    afterAll(() => open?.close());

    it('device limit: 30 concurrent trusts on two handles with a limit of 5 keep 5, and each dropped device is dropped once', async () => {
      const { store, peer } = open;
      const { user, secretId } = await enabledUser(store);
      const devices = Array.from({ length: 30 }, (_, i) => device(secretId, i));
      const answers = await Promise.all(
        devices.map((d, i) => (i % 2 ? store : peer).trustDevice({ userId: user, device: d, maxDevices: 5, now: NOW })),
      );
      const dropped = answers.flatMap((a) => (a.outcome === 'trusted' ? a.dropped : []));
      const kept = await store.listTrustedDevices({ userId: user, now: NOW });
      expect(answers.every((a) => a.outcome === 'trusted')).toBe(true);
      expect(kept).toHaveLength(5);
      const ids = (list: TrustedDeviceRecord[]) => list.map((d) => d.id);
      expect(new Set(ids(dropped)).size, 'no device dropped twice').toBe(dropped.length);
      expect([...ids(dropped), ...ids(kept)].sort(), 'every device kept or dropped, once').toEqual(
        ids(devices.map(({ tokenHash: _hash, ...d }) => d)).sort(),
      );
    });

    it('device after disable: a disable racing 20 trusts leaves not one device row of the user', async () => {
      const { store, peer } = open;
      const { user, secretId } = await enabledUser(store);
      const devices = Array.from({ length: 20 }, (_, i) => device(secretId, 100 + i));
      const trusts = devices.map((d, i) =>
        (i % 2 ? store : peer).trustDevice({ userId: user, device: d, maxDevices: 50, now: NOW }),
      );
      const disabled = peer.deleteFactor({ userId: user, secretId });
      await Promise.all(trusts);
      expect(await disabled).toBe(true);
      // Each trust ran wholly before the disable (and its row went with it) or after it (stale: nothing written), so
      // not one row is left, not merely none that counts.
      const dump = await open.dump();
      for (const { tokenHash } of devices) expect(dump.includes(tokenHash), 'a device row left behind').toBe(false);
      for (const handle of [store, peer])
        expect(await handle.listTrustedDevices({ userId: user, now: NOW })).toEqual([]);
    });
  });
}
