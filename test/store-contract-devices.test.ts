import { expect, it } from 'vitest';
import type { StoredTrustedDevice } from '../src/totp/index.js';
import { NOW, newUser, pending } from './support/store-records.js';
import { confirmedSetup, enabledUser, recover } from './support/store-contract.js';
import { describeEachStore } from './support/stores.js';

// The trusted-device operations of the store contract (src/totp/store-devices.ts), on every store, two handles:
// a device counts only while unexpired and trusted under the enabled factor; every change is atomic.

const DAY = 24 * 60 * 60 * 1000;
let serial = 0;

/** A device record as the provider would store it (the hash is a well-formed placeholder). */
function device(secretId: string, overrides: Partial<StoredTrustedDevice> = {}): StoredTrustedDevice {
  serial += 1;
  return {
    id: `00000000-0000-4000-8000-${String(serial).padStart(12, '0')}`,
    tokenHash: `k1.hash-${serial}-${Math.random().toString(36).slice(2)}`,
    secretId,
    label: `Firefox on Linux #${serial}`,
    createdAt: NOW,
    lastUsedAt: NOW,
    expiresAt: NOW + 30 * DAY,
    ...overrides,
  };
}

const listed = ({ tokenHash: _hash, ...record }: StoredTrustedDevice) => record;

await describeEachStore('store contract, trusted devices: %s', (open) => {
  it('a trusted device counts for its user and factor, records its last use, and is listed without its hash', async () => {
    const { store, peer } = open;
    const { user, secretId } = await enabledUser(store);
    const trusted = device(secretId);
    expect(await store.trustDevice({ userId: user, device: trusted, maxDevices: 5, now: NOW })).toEqual({
      outcome: 'trusted',
      dropped: [],
    });
    const later = NOW + DAY;
    const use = await peer.useTrustedDevice({
      userId: user,
      candidateHashes: ['other', trusted.tokenHash],
      now: later,
    });
    expect(use).toEqual({ outcome: 'trusted', device: { ...listed(trusted), lastUsedAt: later } });
    expect(await store.listTrustedDevices({ userId: user, now: later })).toEqual([
      { ...listed(trusted), lastUsedAt: later },
    ]);
    expect(JSON.stringify(await store.listTrustedDevices({ userId: user, now: later }))).not.toContain('hash-');
  });

  it('stolen device token: it does not count for another user, and a wrong hash does not count', async () => {
    const { store, peer } = open;
    const victim = await enabledUser(store);
    const attacker = await enabledUser(store);
    const trusted = device(victim.secretId);
    await store.trustDevice({ userId: victim.user, device: trusted, maxDevices: 5, now: NOW });
    expect(
      await peer.useTrustedDevice({ userId: attacker.user, candidateHashes: [trusted.tokenHash], now: NOW }),
    ).toEqual({ outcome: 'untrusted', factorEnabled: true });
    expect(await peer.useTrustedDevice({ userId: victim.user, candidateHashes: ['k1.nope'], now: NOW })).toEqual({
      outcome: 'untrusted',
      factorEnabled: true,
    });
    expect(await peer.useTrustedDevice({ userId: victim.user, candidateHashes: [], now: NOW })).toEqual({
      outcome: 'untrusted',
      factorEnabled: true,
    });
    expect(await peer.useTrustedDevice({ userId: newUser(), candidateHashes: [trusted.tokenHash], now: NOW })).toEqual({
      outcome: 'untrusted',
      factorEnabled: false,
    });
  });

  it('device after expiry: it stops counting at expiresAt exactly and is no longer listed', async () => {
    const { store, peer } = open;
    const { user, secretId } = await enabledUser(store);
    const trusted = device(secretId, { expiresAt: NOW + DAY });
    await store.trustDevice({ userId: user, device: trusted, maxDevices: 5, now: NOW });
    const at = (now: number) => peer.useTrustedDevice({ userId: user, candidateHashes: [trusted.tokenHash], now });
    expect(await at(NOW + DAY - 1)).toMatchObject({ outcome: 'trusted' });
    expect(await at(NOW + DAY)).toEqual({ outcome: 'untrusted', factorEnabled: true });
    expect(await store.listTrustedDevices({ userId: user, now: NOW + DAY })).toEqual([]);
  });

  it('device after disable or re-enrolment: deleteFactor and activatePending remove every device of the user', async () => {
    const { store, peer } = open;
    const first = await enabledUser(store);
    const trusted = device(first.secretId);
    await store.trustDevice({ userId: first.user, device: trusted, maxDevices: 5, now: NOW });
    expect(await store.deleteFactor({ userId: first.user, secretId: first.secretId })).toBe(true);
    const setup = await confirmedSetup(store, first.user, 200);
    await store.activatePending({ userId: first.user, secretId: setup.secretId, recoveryCodeHashes: ['r'], now: NOW });
    expect(await peer.useTrustedDevice({ userId: first.user, candidateHashes: [trusted.tokenHash], now: NOW })).toEqual(
      { outcome: 'untrusted', factorEnabled: true },
    );
    expect(await peer.listTrustedDevices({ userId: first.user, now: NOW })).toEqual([]);

    const other = await enabledUser(store);
    const kept = device(other.secretId);
    await store.trustDevice({ userId: other.user, device: kept, maxDevices: 5, now: NOW });
    // A new enrolment over an enabled factor (activatePending replaces it) removes the devices too.
    const next = await confirmedSetup(store, other.user, 300);
    await store.activatePending({ userId: other.user, secretId: next.secretId, recoveryCodeHashes: ['r'], now: NOW });
    expect(
      await peer.useTrustedDevice({ userId: other.user, candidateHashes: [kept.tokenHash], now: NOW }),
    ).toMatchObject({ outcome: 'untrusted' });
    const reset = await enabledUser(store);
    await store.trustDevice({ userId: reset.user, device: device(reset.secretId), maxDevices: 5, now: NOW });
    await store.deleteFactor({ userId: reset.user });
    expect(await peer.listTrustedDevices({ userId: reset.user, now: NOW })).toEqual([]);
  });

  it('device of another factor: trusting one for a factor that is not the enabled one changes nothing', async () => {
    const { store, peer } = open;
    const { user } = await enabledUser(store);
    expect(
      await store.trustDevice({ userId: user, device: device('replaced-factor'), maxDevices: 5, now: NOW }),
    ).toEqual({ outcome: 'stale' });
    expect(await peer.listTrustedDevices({ userId: user, now: NOW })).toEqual([]);
    const off = newUser();
    expect(await store.trustDevice({ userId: off, device: device('none'), maxDevices: 5, now: NOW })).toEqual({
      outcome: 'stale',
    });
  });

  it('device limit: the expired go first, then the oldest, never the new one; the dropped are answered oldest first', async () => {
    const { store, peer } = open;
    const { user, secretId } = await enabledUser(store);
    const expired = device(secretId, { createdAt: NOW - 40 * DAY, expiresAt: NOW - 1 });
    const a = device(secretId, { createdAt: NOW - 3 * DAY });
    const b = device(secretId, { createdAt: NOW - 2 * DAY });
    const c = device(secretId, { createdAt: NOW - 2 * DAY });
    for (const d of [expired, a, b, c])
      await store.trustDevice({ userId: user, device: d, maxDevices: 10, now: d.createdAt });
    const newest = device(secretId, { createdAt: NOW - 5 * DAY }); // an odd clock: still never the one dropped
    expect(await peer.trustDevice({ userId: user, device: newest, maxDevices: 2, now: NOW })).toEqual({
      outcome: 'trusted',
      dropped: [listed(a), listed(b)],
    });
    expect((await store.listTrustedDevices({ userId: user, now: NOW })).map((d) => d.id)).toEqual([newest.id, c.id]);
  });

  it('device limit, devices stored out of order: the dropped are still answered oldest first, ties by id (an audit trail that names the right devices in order)', async () => {
    const { store, peer } = open;
    const { user, secretId } = await enabledUser(store);
    const a = device(secretId, { createdAt: NOW - 3 * DAY });
    const b = device(secretId, { createdAt: NOW - 2 * DAY });
    const c = device(secretId, { createdAt: NOW - 2 * DAY }); // the same time as b, a later id
    // Stored neither oldest first nor newest first, and the tie the other way round: no storage order is the answer.
    for (const d of [c, a, b]) await store.trustDevice({ userId: user, device: d, maxDevices: 10, now: NOW - DAY });
    const newest = device(secretId);
    expect(await peer.trustDevice({ userId: user, device: newest, maxDevices: 1, now: NOW })).toEqual({
      outcome: 'trusted',
      dropped: [listed(a), listed(b), listed(c)],
    });
  });

  it('device limit: a device that expires at this very instant is gone, not counted: it is never reported as dropped', async () => {
    const { store, peer } = open;
    const { user, secretId } = await enabledUser(store);
    const ending = device(secretId, { createdAt: NOW - DAY, expiresAt: NOW });
    await store.trustDevice({ userId: user, device: ending, maxDevices: 1, now: NOW - DAY });
    const next = device(secretId);
    expect(await peer.trustDevice({ userId: user, device: next, maxDevices: 1, now: NOW })).toEqual({
      outcome: 'trusted',
      dropped: [],
    });
  });

  it('a user the store never saw, or with only a setup, has no devices: list and revoke-all answer [] and change nothing', async () => {
    const { store, peer } = open;
    const setupOnly = newUser();
    await store.savePending({ userId: setupOnly, pending: pending() });
    for (const userId of [newUser(), setupOnly]) {
      expect(await peer.listTrustedDevices({ userId, now: NOW })).toEqual([]);
      expect(await peer.revokeTrustedDevices({ userId, now: NOW })).toEqual([]);
    }
    expect((await store.load({ userId: setupOnly })).pending).not.toBeNull();
  });

  it('revoke: one by id, or all; a revoked device stops counting, and the answer is what was removed', async () => {
    const { store, peer } = open;
    const { user, secretId } = await enabledUser(store);
    const [one, two, three] = [device(secretId), device(secretId, { createdAt: NOW + 1 }), device(secretId)];
    for (const d of [one, two, three]) await store.trustDevice({ userId: user, device: d, maxDevices: 5, now: NOW });
    expect(await peer.revokeTrustedDevice({ userId: user, deviceId: one.id })).toEqual(listed(one));
    expect(await peer.revokeTrustedDevice({ userId: user, deviceId: one.id })).toBeNull();
    expect(await peer.revokeTrustedDevice({ userId: newUser(), deviceId: two.id }), 'not another user’s').toBeNull();
    expect(await store.useTrustedDevice({ userId: user, candidateHashes: [one.tokenHash], now: NOW })).toMatchObject({
      outcome: 'untrusted',
    });
    expect((await store.revokeTrustedDevices({ userId: user, now: NOW })).map((d) => d.id)).toEqual([three.id, two.id]);
    expect(await store.useTrustedDevice({ userId: user, candidateHashes: [two.tokenHash], now: NOW })).toMatchObject({
      outcome: 'untrusted',
    });
    expect(await peer.listTrustedDevices({ userId: user, now: NOW })).toEqual([]);
    expect(await peer.revokeTrustedDevices({ userId: user, now: NOW })).toEqual([]);
  });

  it('revoke racing a use: every use answered after the revoke returned is untrusted, on both handles', async () => {
    const { store, peer } = open;
    const { user, secretId } = await enabledUser(store);
    const trusted = device(secretId);
    await store.trustDevice({ userId: user, device: trusted, maxDevices: 5, now: NOW });
    let revoked = false;
    const outcomes: { outcome: string; startedAfterRevoke: boolean }[] = [];
    const uses = Array.from({ length: 40 }, async (_, i) => {
      await new Promise((resolve) => setTimeout(resolve, i % 10));
      const startedAfterRevoke = revoked;
      const handle = i % 2 === 0 ? store : peer;
      const use = await handle.useTrustedDevice({ userId: user, candidateHashes: [trusted.tokenHash], now: NOW });
      outcomes.push({ outcome: use.outcome, startedAfterRevoke });
    });
    await new Promise((resolve) => setTimeout(resolve, 4));
    await peer.revokeTrustedDevice({ userId: user, deviceId: trusted.id });
    revoked = true;
    await Promise.all(uses);
    expect(outcomes.filter((o) => o.startedAfterRevoke && o.outcome === 'trusted')).toEqual([]);
    expect(outcomes.length).toBe(40);
  });

  it('a recovery-code use answers the factor it belongs to, so no read is needed before it', async () => {
    const { store } = open;
    const { user, secretId } = await enabledUser(store, ['c1']);
    expect(await recover(store, user, ['c1'])).toEqual({ outcome: 'used', remaining: 0, secretId });
  });
});
