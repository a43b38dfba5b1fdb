import { expect, it } from 'vitest';
import type { AttemptClaim, MfaStore } from '../src/totp/index.js';
import { NOW, WINDOW, newUser, pending } from './support/store-records.js';
import { describeEachStore } from './support/stores.js';

// The one-round-trip operation of the store contract: count the attempt and claim the step in one atomic
// operation, only for the factor the caller names. Same rules as beginAttempt + claimStep, every store, two handles
// standing for two servers.

/** attemptAndClaim with the defaults of these tests: now, a 15-minute window, 5 attempts. */
function attemptAndClaim(
  store: MfaStore,
  userId: string,
  claim: Partial<AttemptClaim> & Pick<AttemptClaim, 'secretId' | 'step'>,
) {
  expect(typeof store.attemptAndClaim, `${store.name} implements attemptAndClaim`).toBe('function');
  return store.attemptAndClaim({ userId, now: NOW, windowMs: WINDOW, maxAttempts: 5, ...claim });
}

await describeEachStore('store contract, one round trip: %s', (open) => {
  /** A user with an enabled factor whose last accepted step is 100. */
  async function enabledUser(store: MfaStore = open.store) {
    const user = newUser();
    const setup = pending();
    await store.savePending({ userId: user, pending: setup });
    expect(await store.claimStep({ userId: user, target: 'pending', secretId: setup.secretId, step: 100 })).toBe(true);
    expect(
      await store.activatePending({ userId: user, secretId: setup.secretId, recoveryCodeHashes: ['h1'], now: NOW }),
    ).toBe(true);
    return { user, secretId: setup.secretId, sealedSecret: setup.sealedSecret };
  }

  it('claims a fresh step of the named factor, clears the attempts, and refuses the same step and earlier ones after', async () => {
    const { store, peer } = open;
    const { user, secretId } = await enabledUser();
    await store.beginAttempt({ userId: user, now: NOW, windowMs: WINDOW });
    await store.beginAttempt({ userId: user, now: NOW, windowMs: WINDOW });
    expect(await attemptAndClaim(peer, user, { secretId, step: 101 })).toEqual({ outcome: 'claimed' });
    expect((await store.load({ userId: user })).factor).toMatchObject({ secretId, lastStep: 101 });
    expect(
      (await store.beginAttempt({ userId: user, now: NOW, windowMs: WINDOW })).attempts,
      'a success clears the count',
    ).toEqual({
      count: 1,
      resetAt: NOW + WINDOW,
    });
    expect(await attemptAndClaim(store, user, { secretId, step: 101 })).toEqual({
      outcome: 'replayed',
      attempts: { count: 2, resetAt: NOW + WINDOW },
    });
    expect(await attemptAndClaim(peer, user, { secretId, step: 99 })).toMatchObject({
      outcome: 'replayed',
      attempts: { count: 3 },
    });
    expect((await store.load({ userId: user })).factor?.lastStep).toBe(101);
  });

  it('counts in the same fixed window as beginAttempt, and restarts it when the window has ended', async () => {
    const { store, peer } = open;
    const { user, secretId } = await enabledUser();
    expect(await attemptAndClaim(store, user, { secretId, step: null })).toEqual({
      outcome: 'counted',
      attempts: { count: 1, resetAt: NOW + WINDOW },
    });
    expect((await peer.beginAttempt({ userId: user, now: NOW + 1000, windowMs: WINDOW })).attempts).toEqual({
      count: 2,
      resetAt: NOW + WINDOW,
    });
    expect(await attemptAndClaim(peer, user, { secretId, step: null, now: NOW + 2000 })).toMatchObject({
      attempts: { count: 3, resetAt: NOW + WINDOW },
    });
    expect(await attemptAndClaim(store, user, { secretId, step: null, now: NOW + WINDOW })).toEqual({
      outcome: 'counted',
      attempts: { count: 1, resetAt: NOW + 2 * WINDOW },
    });
  });

  it('brute force: 40 concurrent attempts on two handles, mixed with beginAttempt, are counted exactly (1..N)', async () => {
    const { store, peer } = open;
    const { user, secretId } = await enabledUser();
    const calls = Array.from({ length: 40 }, (_, i) => {
      const handle = i % 2 ? store : peer;
      if (i % 4 === 0)
        return handle.beginAttempt({ userId: user, now: NOW, windowMs: WINDOW }).then((r) => r.attempts.count);
      // Nothing here can be claimed (count only, a replayed step, another factor), so nothing clears the count.
      const claim =
        i % 4 === 1 ? { step: null } : i % 4 === 2 ? { step: 100 } : { secretId: 'another-factor', step: 500 };
      return attemptAndClaim(handle, user, { secretId, maxAttempts: 1000, ...claim }).then((r) =>
        'attempts' in r ? r.attempts.count : -1,
      );
    });
    const counts = await Promise.all(calls);
    expect(counts.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect((await store.beginAttempt({ userId: user, now: NOW, windowMs: WINDOW })).attempts.count).toBe(41);
    expect((await store.load({ userId: user })).factor?.lastStep, 'nothing was claimed').toBe(100);
  });

  it('replay: 50 concurrent claims of one step on two handles (with and without counting) succeed exactly once', async () => {
    const { store, peer } = open;
    const { user, secretId } = await enabledUser();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => {
        const handle = i % 2 ? store : peer;
        if (i % 5 === 0) return handle.claimStep({ userId: user, target: 'factor', secretId, step: 7000 });
        return attemptAndClaim(handle, user, { secretId, step: 7000, maxAttempts: 1000 }).then(
          (r) => r.outcome === 'claimed',
        );
      }),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await store.load({ userId: user })).factor?.lastStep).toBe(7000);
  });

  it('a stale factor (replaced on another server) is never claimed: the answer is "stale", with the current state', async () => {
    const { store, peer } = open;
    const { user, secretId: oldId } = await enabledUser();
    const next = pending({ sealedSecret: 'v1.k1.bmV3.dGFn.bmV3c2VjcmV0' });
    await peer.savePending({ userId: user, pending: next });
    expect(await peer.claimStep({ userId: user, target: 'pending', secretId: next.secretId, step: 50 })).toBe(true);
    expect(
      await peer.activatePending({ userId: user, secretId: next.secretId, recoveryCodeHashes: ['h2'], now: NOW }),
    ).toBe(true);

    const answer = await attemptAndClaim(store, user, { secretId: oldId, step: 900 });
    expect(answer).toMatchObject({ outcome: 'stale', attempts: { count: 1, resetAt: NOW + WINDOW } });
    expect(answer.outcome === 'stale' && answer.state.factor).toEqual({
      secretId: next.secretId,
      sealedSecret: next.sealedSecret,
      lastStep: 50,
      enabledAt: NOW,
    });
    expect((await store.load({ userId: user })).factor?.lastStep, 'the new factor was not touched').toBe(50);
    expect(
      (await store.beginAttempt({ userId: user, now: NOW, windowMs: WINDOW })).attempts.count,
      'the attempt stayed counted',
    ).toBe(2);
  });

  it('a disabled factor is stale too, and a user without any record is counted and told so', async () => {
    const { store, peer } = open;
    const { user, secretId } = await enabledUser();
    await peer.deleteFactor({ userId: user });
    expect(await attemptAndClaim(store, user, { secretId, step: 900 })).toEqual({
      outcome: 'stale',
      attempts: { count: 1, resetAt: NOW + WINDOW },
      state: { factor: null, pending: null, recoveryCodes: 0 },
    });
    const stranger = newUser();
    expect(await attemptAndClaim(store, stranger, { secretId, step: 900 })).toMatchObject({
      outcome: 'stale',
      attempts: { count: 1 },
    });
    expect((await store.load({ userId: stranger })).factor).toBeNull();
  });

  it("a pending setup is never claimed through it, even with the setup's own secret id", async () => {
    const { store } = open;
    const user = newUser();
    const setup = pending();
    await store.savePending({ userId: user, pending: setup });
    const answer = await attemptAndClaim(store, user, { secretId: setup.secretId, step: 10 });
    expect(answer.outcome).toBe('stale');
    expect((await store.load({ userId: user })).pending).toMatchObject({ lastStep: null, confirmed: false });
  });

  it('brute force: past maxAttempts the attempt is counted and refused, and a claimable step is not claimed', async () => {
    const { store, peer } = open;
    const { user, secretId } = await enabledUser();
    for (let i = 0; i < 3; i++) await store.beginAttempt({ userId: user, now: NOW, windowMs: WINDOW });
    expect(await attemptAndClaim(peer, user, { secretId, step: 500, maxAttempts: 3 })).toEqual({
      outcome: 'locked',
      attempts: { count: 4, resetAt: NOW + WINDOW },
    });
    expect(await attemptAndClaim(store, user, { secretId: 'another-factor', step: 500, maxAttempts: 3 })).toMatchObject(
      { outcome: 'locked', attempts: { count: 5 } },
    );
    expect((await store.load({ userId: user })).factor?.lastStep, 'nothing claimed while locked').toBe(100);
    expect(
      (await store.beginAttempt({ userId: user, now: NOW, windowMs: WINDOW })).attempts.count,
      'and nothing cleared',
    ).toBe(6);
    // The last attempt within the limit still succeeds.
    const other = await enabledUser();
    for (let i = 0; i < 2; i++) await store.beginAttempt({ userId: other.user, now: NOW, windowMs: WINDOW });
    expect(await attemptAndClaim(peer, other.user, { secretId: other.secretId, step: 500, maxAttempts: 3 })).toEqual({
      outcome: 'claimed',
    });
  });

  it('brute force: 30 concurrent attempts on two handles with a limit of 5: exactly 5 get past the limit, 25 are locked', async () => {
    const { store, peer } = open;
    const { user, secretId } = await enabledUser();
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        attemptAndClaim(i % 2 ? store : peer, user, { secretId, step: i % 3 ? null : 100 }),
      ),
    );
    const outcomes = answers.map((a) => a.outcome);
    expect(outcomes.filter((o) => o === 'locked')).toHaveLength(25);
    expect(outcomes.filter((o) => o === 'counted' || o === 'replayed')).toHaveLength(5);
    expect((await store.beginAttempt({ userId: user, now: NOW, windowMs: WINDOW })).attempts.count).toBe(31);
  });

  it('replaces the sealed secret with the claim (key rotation), and a refused claim does not', async () => {
    const { store, peer } = open;
    const { user, secretId, sealedSecret } = await enabledUser();
    const resealed = 'v1.new.aXY.dGFn.cmVzZWFsZWQ';
    expect(await attemptAndClaim(store, user, { secretId, step: 100, resealedSecret: resealed })).toMatchObject({
      outcome: 'replayed',
    });
    expect((await peer.load({ userId: user })).factor?.sealedSecret).toBe(sealedSecret);
    expect(await attemptAndClaim(peer, user, { secretId, step: 101, resealedSecret: resealed })).toEqual({
      outcome: 'claimed',
    });
    expect((await store.load({ userId: user })).factor).toMatchObject({
      secretId,
      sealedSecret: resealed,
      lastStep: 101,
    });
    expect(await attemptAndClaim(store, user, { secretId, step: 102 })).toEqual({ outcome: 'claimed' });
    expect((await store.load({ userId: user })).factor?.sealedSecret, 'kept when not given').toBe(resealed);
  });

  it('injection: a hostile user id or secret id is a plain value', async () => {
    const { store } = open;
    const { user, secretId } = await enabledUser();
    for (const hostile of [
      "x' OR '1'='1",
      'a}:factor:{b',
      "'); DROP TABLE users; --",
      '%41',
      '__proto__',
      'ユーザー😀',
    ]) {
      expect(await attemptAndClaim(store, `${user}${hostile}`, { secretId, step: 900 })).toMatchObject({
        outcome: 'stale',
      });
      expect(
        await attemptAndClaim(store, user, { secretId: `${secretId}${hostile}`, step: 900, maxAttempts: 1000 }),
      ).toMatchObject({ outcome: 'stale' });
    }
    expect((await store.load({ userId: user })).factor?.lastStep).toBe(100);
  });
});
