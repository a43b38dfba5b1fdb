import { expect, it } from 'vitest';
import { NOW, newUser, pending } from './support/store-records.js';
import {
  budget,
  claim,
  confirmedSetup,
  countFailures,
  enabledUser,
  peek,
  recover,
  window,
} from './support/store-contract.js';
import { describeEachStore } from './support/stores.js';

// One contract (v2, src/totp/store.ts), every store: state, pending setups, promotion, recovery-code sets and
// deletion. The decisions of attemptAndClaim and useRecoveryCode have their own files (store-contract-*.test.ts).

await describeEachStore('store contract: %s', (open) => {
  it('reads an unknown user as empty', async () => {
    expect(await open.store.load({ userId: newUser() })).toEqual({ factor: null, pending: null, recoveryCodes: 0 });
  });

  it('keeps a pending setup exactly, and a new one replaces it without touching the enabled factor', async () => {
    const { store, peer } = open;
    const { user, setup } = await enabledUser(store);
    const next = pending({ sealedSecret: 'v1.k2.bmV3.dGFn.c2Vjb25k', lastStep: null });
    await store.savePending({ userId: user, pending: next });
    const state = await peer.load({ userId: user });
    expect(state.pending).toEqual(next);
    expect(state.factor).toEqual({
      secretId: setup.secretId,
      sealedSecret: setup.sealedSecret,
      lastStep: 100,
      enabledAt: NOW,
    });
    await store.savePending({ userId: user, pending: pending({ secretId: 'third' }) });
    expect((await store.load({ userId: user })).pending?.secretId).toBe('third');
  });

  it('replay: a claim on the pending target confirms it once; the same and earlier steps are replays after', async () => {
    const { store, peer } = open;
    const user = newUser();
    const setup = pending();
    await store.savePending({ userId: user, pending: setup });
    const onPending = { target: 'pending' as const, secretId: setup.secretId, budget: budget([['setup', 5]]) };
    expect(await claim(store, user, { ...onPending, step: 500 })).toEqual({ outcome: 'claimed' });
    expect((await peer.load({ userId: user })).pending).toMatchObject({ lastStep: 500, confirmed: true });
    expect(await claim(peer, user, { ...onPending, step: 500 })).toEqual({
      outcome: 'replayed',
      attempts: [window('setup', 0, 0)],
    });
    expect(await claim(store, user, { ...onPending, step: 499 })).toMatchObject({ outcome: 'replayed' });
    expect(await claim(store, user, { ...onPending, step: 501 })).toEqual({ outcome: 'claimed' });
    expect((await store.load({ userId: user })).pending).toMatchObject({ lastStep: 501, confirmed: true });
    expect((await store.load({ userId: user })).factor, 'a pending claim enables nothing').toBeNull();
  });

  it("replay: a claim on the pending target is stale for another secret, and the factor target never takes the setup's id", async () => {
    const { store } = open;
    const user = newUser();
    const first = pending();
    await store.savePending({ userId: user, pending: first });
    await store.savePending({ userId: user, pending: pending() });
    const replaced = await claim(store, user, { target: 'pending', secretId: first.secretId, step: 10 });
    expect(replaced).toMatchObject({ outcome: 'stale', attempts: [window('code', 0, 0)] });
    const current = (await store.load({ userId: user })).pending!;
    expect(replaced.outcome === 'stale' && replaced.state.pending).toEqual(current);
    expect(await claim(store, user, { target: 'factor', secretId: current.secretId, step: 10 })).toMatchObject({
      outcome: 'stale',
    });
    expect((await store.load({ userId: user })).pending).toMatchObject({ lastStep: null, confirmed: false });
    expect(await claim(store, newUser(), { target: 'pending', secretId: current.secretId, step: 10 })).toMatchObject({
      outcome: 'stale',
      state: { factor: null, pending: null, recoveryCodes: 0 },
    });
  });

  it('promotes only a confirmed, unexpired setup with the named secret, keeping its secret and last step', async () => {
    const { store, peer } = open;
    const user = newUser();
    const setup = pending();
    await store.savePending({ userId: user, pending: setup });
    const activate = (over: Partial<Parameters<typeof store.activatePending>[0]> = {}) =>
      store.activatePending({ userId: user, secretId: setup.secretId, recoveryCodeHashes: ['x'], now: NOW, ...over });
    expect(await activate(), 'unconfirmed').toBe(false);
    await claim(store, user, { target: 'pending', secretId: setup.secretId, step: 42 });
    expect(await activate({ secretId: 'other' }), 'other secret').toBe(false);
    expect(await activate({ now: setup.expiresAt }), 'expired').toBe(false);
    expect(await activate({ userId: newUser() }), 'other user').toBe(false);
    expect(
      await peer.activatePending({
        userId: user,
        secretId: setup.secretId,
        recoveryCodeHashes: ['x', 'y'],
        now: NOW + 5,
      }),
    ).toBe(true);
    expect(await store.load({ userId: user })).toEqual({
      factor: { secretId: setup.secretId, sealedSecret: setup.sealedSecret, lastStep: 42, enabledAt: NOW + 5 },
      pending: null,
      recoveryCodes: 2,
    });
    expect(await activate(), 'twice').toBe(false);
  });

  it('brute force: a pending claim clears only its listed bucket; activation clears every bucket of the user', async () => {
    const { store, peer } = open;
    const { user } = await enabledUser(store);
    const buckets = ['code', 'code:c:abc', 'recovery', 'setup'];
    await countFailures(store, user, buckets, 2);
    const next = await confirmedSetup(peer, user, 700);
    const counted = (bucket: string) => window(bucket, 2, NOW + 15 * 60_000);
    expect(await peek(store, user, buckets), 'the setup claim cleared only `setup`').toEqual([
      counted('code'),
      counted('code:c:abc'),
      counted('recovery'),
      window('setup', 0, 0),
    ]);
    const { user: bystander } = await enabledUser(store);
    await countFailures(store, bystander, ['code'], 1);
    expect(
      await store.activatePending({ userId: user, secretId: next.secretId, recoveryCodeHashes: ['n'], now: NOW }),
    ).toBe(true);
    expect(await peek(peer, user, buckets)).toEqual(buckets.map((bucket) => window(bucket, 0, 0)));
    expect((await peek(peer, bystander, ['code']))[0]?.count, "another user's buckets stay").toBe(1);
  });

  it('a new confirmed setup replaces the enabled factor and all of its recovery codes', async () => {
    const { store } = open;
    const { user } = await enabledUser(store, ['old1', 'old2', 'old3']);
    const next = await confirmedSetup(store, user, 300);
    expect(
      await store.activatePending({ userId: user, secretId: next.secretId, recoveryCodeHashes: ['new1'], now: NOW }),
    ).toBe(true);
    const state = await store.load({ userId: user });
    expect(state.factor).toMatchObject({ secretId: next.secretId, sealedSecret: next.sealedSecret, lastStep: 300 });
    expect(state.recoveryCodes).toBe(1);
    expect(await recover(store, user, ['old1'])).toMatchObject({ outcome: 'mismatch' });
    expect(await recover(store, user, ['new1'])).toEqual({ outcome: 'used', remaining: 0, secretId: next.secretId });
  });

  it('replaces recovery codes only while a factor (with the named secret id, if given) is enabled', async () => {
    const { store, peer } = open;
    const lone = newUser();
    expect(await store.replaceRecoveryCodes({ userId: lone, hashes: ['a'] })).toBe(false);
    expect((await store.load({ userId: lone })).recoveryCodes).toBe(0);
    const { user, secretId } = await enabledUser(store, ['a', 'b', 'c']);
    expect(await peer.replaceRecoveryCodes({ userId: user, hashes: ['z'], secretId: 'another-factor' })).toBe(false);
    expect((await store.load({ userId: user })).recoveryCodes, 'unchanged').toBe(3);
    expect(await peer.replaceRecoveryCodes({ userId: user, hashes: ['d', 'e'], secretId })).toBe(true);
    expect(await recover(store, user, ['a'])).toMatchObject({ outcome: 'mismatch' });
    expect(await recover(store, user, ['e'])).toEqual({ outcome: 'used', remaining: 1, secretId });
    expect(await store.replaceRecoveryCodes({ userId: user, hashes: ['f', 'g', 'h'] }), 'no secret id: any').toBe(true);
    expect((await store.load({ userId: user })).recoveryCodes).toBe(3);
  });

  it('two simultaneous replacements of the recovery codes leave exactly one of the two sets, never a mix', async () => {
    const { store, peer } = open;
    for (let round = 0; round < 15; round++) {
      const { user } = await enabledUser(store, ['old']);
      const [a, b] = [
        ['a1', 'a2', 'a3'],
        ['b1', 'b2', 'b3', 'b4'],
      ];
      await Promise.all([
        store.replaceRecoveryCodes({ userId: user, hashes: a }),
        peer.replaceRecoveryCodes({ userId: user, hashes: b }),
      ]);
      const { recoveryCodes } = await store.load({ userId: user });
      const winner = recoveryCodes === 3 ? a : b;
      expect(recoveryCodes, `round ${round}`).toBe(winner.length);
      for (const hash of winner)
        expect(await recover(store, user, [hash]), `round ${round}`).toMatchObject({ outcome: 'used' });
    }
  });

  it('disable racing enable leaves either no factor and no codes, or the new factor with exactly its codes', async () => {
    const { store, peer } = open;
    for (let round = 0; round < 15; round++) {
      const { user } = await enabledUser(store, ['old1', 'old2']);
      const next = await confirmedSetup(store, user, 900);
      await Promise.all([
        store.activatePending({
          userId: user,
          secretId: next.secretId,
          recoveryCodeHashes: ['n1', 'n2', 'n3'],
          now: NOW,
        }),
        peer.deleteFactor({ userId: user }),
      ]);
      const state = await store.load({ userId: user });
      if (state.factor) {
        expect(state.factor.secretId, `round ${round}`).toBe(next.secretId);
        expect(state.recoveryCodes, `round ${round}`).toBe(3);
      } else {
        expect(state, `round ${round}`).toEqual({ factor: null, pending: null, recoveryCodes: 0 });
      }
    }
  });

  it('a promotion racing recovery-code uses on two handles neither fails nor leaves the old codes', async () => {
    const { store, peer } = open;
    for (let round = 0; round < 20; round++) {
      const old = Array.from({ length: 40 }, (_, i) => `old${i}`);
      const { user } = await enabledUser(store, old);
      const next = await confirmedSetup(store, user, 900);
      // The promotion is sent among the uses (some wrong, so counted), so it meets code rows and bucket rows that
      // they lock.
      const uses: Promise<unknown>[] = old
        .slice(0, 20)
        .map((hash, i) =>
          recover(i % 2 ? store : peer, user, i % 3 ? [hash] : ['wrong'], budget([['recovery', 1000]])),
        );
      uses.splice(
        10,
        0,
        (round % 2 ? store : peer).activatePending({
          userId: user,
          secretId: next.secretId,
          recoveryCodeHashes: ['n1', 'n2'],
          now: NOW,
        }),
      );
      await Promise.all(uses);
      const state = await store.load({ userId: user });
      expect(state.factor?.secretId, `round ${round}`).toBe(next.secretId);
      expect(state.recoveryCodes, `round ${round}`).toBe(2);
    }
  });

  it('deleting the factor removes it, any pending setup and the recovery codes, but keeps the attempt buckets', async () => {
    const { store, peer } = open;
    const { user } = await enabledUser(store, ['a']);
    await store.savePending({ userId: user, pending: pending() });
    await countFailures(store, user, ['code', 'code:c:1'], 2);
    expect(await peer.deleteFactor({ userId: user })).toBe(true);
    expect(await store.load({ userId: user })).toEqual({ factor: null, pending: null, recoveryCodes: 0 });
    expect(await store.deleteFactor({ userId: user })).toBe(false);
    expect((await peek(store, user, ['code', 'code:c:1'])).map((w) => w.count)).toEqual([2, 2]);
  });

  it('deleteFactor with a secret id removes only that factor; another id changes nothing', async () => {
    const { store, peer } = open;
    const { user, secretId } = await enabledUser(store, ['a', 'b']);
    const next = pending();
    await store.savePending({ userId: user, pending: next });
    expect(await peer.deleteFactor({ userId: user, secretId: 'another-factor' })).toBe(false);
    expect(await store.load({ userId: user })).toMatchObject({ factor: { secretId }, pending: next, recoveryCodes: 2 });
    expect(await peer.deleteFactor({ userId: user, secretId: next.secretId }), "the setup's id is no factor").toBe(
      false,
    );
    expect(await peer.deleteFactor({ userId: user, secretId })).toBe(true);
    expect(await store.load({ userId: user })).toEqual({ factor: null, pending: null, recoveryCodes: 0 });
    expect(await peer.deleteFactor({ userId: newUser(), secretId })).toBe(false);
    // A user with only a setup (MFA off): a proof's secret id removes nothing, and the setup stays.
    const setupOnly = newUser();
    const setup = pending();
    await store.savePending({ userId: setupOnly, pending: setup });
    expect(await peer.deleteFactor({ userId: setupOnly, secretId })).toBe(false);
    expect((await store.load({ userId: setupOnly })).pending).toEqual(setup);
  });

  it('clearAttempts removes every bucket of the user and no other user’s', async () => {
    const { store, peer } = open;
    const { user } = await enabledUser(store);
    const { user: other } = await enabledUser(store);
    const buckets = ['code', 'code:c:x', 'recovery', 'recovery:c:x'];
    await countFailures(store, user, buckets, 3);
    await countFailures(store, other, buckets, 1);
    await peer.clearAttempts({ userId: user });
    expect(await peek(store, user, buckets)).toEqual(buckets.map((bucket) => window(bucket, 0, 0)));
    expect((await peek(store, other, buckets)).map((w) => w.count)).toEqual([1, 1, 1, 1]);
    await store.clearAttempts({ userId: newUser() });
    expect((await store.load({ userId: user })).factor, 'the factor stays').not.toBeNull();
  });

  it('injection: hostile user ids are plain keys, kept apart from each other', async () => {
    const { store } = open;
    const ids = [
      "x' OR '1'='1",
      'x"; DROP TABLE users; --',
      'a:b',
      'a}:factor:{b',
      '{a}',
      '%41',
      'ユーザー😀',
      '*',
      'a\\b',
      '__proto__',
      'constructor',
    ];
    for (const [i, id] of ids.entries())
      await store.savePending({ userId: id, pending: pending({ secretId: `hostile-${i}` }) });
    for (const [i, id] of ids.entries())
      expect((await store.load({ userId: id })).pending?.secretId).toBe(`hostile-${i}`);
    expect((await store.load({ userId: 'a' })).pending).toBeNull();
    expect((await store.load({ userId: 'x' })).pending).toBeNull();
  });

  it('keeps large time steps and epoch milliseconds exact', async () => {
    const { store } = open;
    const user = newUser();
    const setup = pending({ createdAt: 1_893_456_000_123, expiresAt: 4_102_444_800_999 });
    await store.savePending({ userId: user, pending: setup });
    await claim(store, user, { target: 'pending', secretId: setup.secretId, step: 136_748_533_123 });
    expect((await store.load({ userId: user })).pending).toEqual({
      ...setup,
      lastStep: 136_748_533_123,
      confirmed: true,
    });
    const late = 4_102_444_700_000;
    const { user: enabled } = await enabledUser(store);
    const { secretId } = (await store.load({ userId: enabled })).factor!;
    expect(await claim(store, enabled, { secretId, step: null, budget: budget([['code', 5]], late) })).toEqual({
      outcome: 'mismatch',
      attempts: [window('code', 1, late + 15 * 60_000)],
    });
  });
});
