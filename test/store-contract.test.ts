import { expect, it } from 'vitest';
import { NOW, WINDOW, newUser, pending } from './support/store-records.js';
import { describeEachStore } from './support/stores.js';

// One contract, every store: the atomic primitives replay protection, attempt limits and recovery codes rest on.

await describeEachStore('store contract: %s', (open) => {
  /** A user with a confirmed setup promoted to an enabled factor, holding the given recovery code hashes. */
  async function enabledUser(hashes: string[] = ['h1', 'h2', 'h3']) {
    const { store } = open;
    const user = newUser();
    const setup = pending();
    await store.savePending({ userId: user, pending: setup });
    expect(await store.claimStep({ userId: user, target: 'pending', secretId: setup.secretId, step: 100 })).toBe(true);
    expect(
      await store.activatePending({ userId: user, secretId: setup.secretId, recoveryCodeHashes: hashes, now: NOW }),
    ).toBe(true);
    return { user, setup };
  }

  it('reads an unknown user as empty', async () => {
    expect(await open.store.load({ userId: newUser() })).toEqual({ factor: null, pending: null, recoveryCodes: 0 });
  });

  it('keeps a pending setup exactly, and a new one replaces it without touching the enabled factor', async () => {
    const { store, peer } = open;
    const { user, setup } = await enabledUser();
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

  it('counts attempts in a fixed window shared by every handle, and starts again when the window ends', async () => {
    const { store, peer } = open;
    const user = newUser();
    expect((await store.beginAttempt({ userId: user, now: NOW, windowMs: WINDOW })).attempts).toEqual({
      count: 1,
      resetAt: NOW + WINDOW,
    });
    expect((await peer.beginAttempt({ userId: user, now: NOW + 1000, windowMs: WINDOW })).attempts).toEqual({
      count: 2,
      resetAt: NOW + WINDOW,
    });
    expect((await store.beginAttempt({ userId: user, now: NOW + WINDOW - 1, windowMs: WINDOW })).attempts.count).toBe(
      3,
    );
    expect((await peer.beginAttempt({ userId: user, now: NOW + WINDOW, windowMs: WINDOW })).attempts).toEqual({
      count: 1,
      resetAt: NOW + 2 * WINDOW,
    });
  });

  it('brute force: concurrent attempts on two handles are counted exactly (1..N, no lost update)', async () => {
    const { store, peer } = open;
    const user = newUser();
    const counts = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? store : peer).beginAttempt({ userId: user, now: NOW, windowMs: WINDOW }),
      ),
    );
    expect(counts.map((c) => c.attempts.count).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    expect((await store.beginAttempt({ userId: user, now: NOW, windowMs: WINDOW })).attempts.count).toBe(41);
  });

  it('beginAttempt also returns the state it counted against', async () => {
    const { user, setup } = await enabledUser(['a', 'b']);
    const { state } = await open.peer.beginAttempt({ userId: user, now: NOW, windowMs: WINDOW });
    expect(state.factor?.secretId).toBe(setup.secretId);
    expect(state.recoveryCodes).toBe(2);
  });

  it('replay: claimStep accepts a step once, refuses it and every earlier step after, and confirms the setup', async () => {
    const { store, peer } = open;
    const user = newUser();
    const setup = pending();
    await store.savePending({ userId: user, pending: setup });
    expect(await store.claimStep({ userId: user, target: 'pending', secretId: setup.secretId, step: 500 })).toBe(true);
    expect((await peer.load({ userId: user })).pending).toMatchObject({ lastStep: 500, confirmed: true });
    expect(await peer.claimStep({ userId: user, target: 'pending', secretId: setup.secretId, step: 500 })).toBe(false);
    expect(await store.claimStep({ userId: user, target: 'pending', secretId: setup.secretId, step: 499 })).toBe(false);
    expect(await store.claimStep({ userId: user, target: 'pending', secretId: setup.secretId, step: 501 })).toBe(true);
    expect(await store.claimStep({ userId: user, target: 'pending', secretId: 'another-secret', step: 900 })).toBe(
      false,
    );
    expect(await store.claimStep({ userId: user, target: 'factor', secretId: setup.secretId, step: 900 })).toBe(false);
    expect(await store.claimStep({ userId: newUser(), target: 'pending', secretId: setup.secretId, step: 900 })).toBe(
      false,
    );
  });

  it('replay: a claim on a setup that was replaced in the meantime is refused', async () => {
    const { store } = open;
    const user = newUser();
    const first = pending();
    await store.savePending({ userId: user, pending: first });
    await store.savePending({ userId: user, pending: pending() });
    expect(await store.claimStep({ userId: user, target: 'pending', secretId: first.secretId, step: 10 })).toBe(false);
  });

  it('replay: 50 concurrent claims of the same step on two handles succeed exactly once', async () => {
    const { store, peer } = open;
    const { user, setup } = await enabledUser();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        (i % 2 ? store : peer).claimStep({ userId: user, target: 'factor', secretId: setup.secretId, step: 7000 }),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await store.load({ userId: user })).factor?.lastStep).toBe(7000);
  });

  it('a claim can replace the sealed secret in the same update (key rotation), and a refused claim does not', async () => {
    const { store, peer } = open;
    const { user, setup } = await enabledUser();
    expect(
      await store.claimStep({
        userId: user,
        target: 'factor',
        secretId: setup.secretId,
        step: 100,
        resealedSecret: 'v1.new.aXY.dGFn.cmVzZWFsZWQ',
      }),
    ).toBe(false);
    expect((await store.load({ userId: user })).factor?.sealedSecret).toBe(setup.sealedSecret);
    expect(
      await peer.claimStep({
        userId: user,
        target: 'factor',
        secretId: setup.secretId,
        step: 101,
        resealedSecret: 'v1.new.aXY.dGFn.cmVzZWFsZWQ',
      }),
    ).toBe(true);
    expect((await store.load({ userId: user })).factor).toMatchObject({
      secretId: setup.secretId,
      sealedSecret: 'v1.new.aXY.dGFn.cmVzZWFsZWQ',
      lastStep: 101,
    });
    expect(await store.claimStep({ userId: user, target: 'factor', secretId: setup.secretId, step: 102 })).toBe(true);
    expect((await store.load({ userId: user })).factor?.sealedSecret, 'kept when not given').toBe(
      'v1.new.aXY.dGFn.cmVzZWFsZWQ',
    );
  });

  it('brute force: a claim on a pending setup does not clear the attempt counter (its creator knows its secret)', async () => {
    const { store } = open;
    const user = newUser();
    const setup = pending();
    await store.savePending({ userId: user, pending: setup });
    await store.beginAttempt({ userId: user, now: NOW, windowMs: WINDOW });
    expect(await store.claimStep({ userId: user, target: 'pending', secretId: setup.secretId, step: 10 })).toBe(true);
    expect((await store.beginAttempt({ userId: user, now: NOW, windowMs: WINDOW })).attempts.count).toBe(2);
    expect(
      await store.activatePending({ userId: user, secretId: setup.secretId, recoveryCodeHashes: [], now: NOW }),
    ).toBe(true);
    expect(
      (await store.beginAttempt({ userId: user, now: NOW, windowMs: WINDOW })).attempts.count,
      'enabling clears it',
    ).toBe(1);
  });

  it('a successful claim on the factor clears the attempt counter', async () => {
    const { store, peer } = open;
    const { user, setup } = await enabledUser();
    await store.beginAttempt({ userId: user, now: NOW, windowMs: WINDOW });
    await store.beginAttempt({ userId: user, now: NOW, windowMs: WINDOW });
    expect(await peer.claimStep({ userId: user, target: 'factor', secretId: setup.secretId, step: 200 })).toBe(true);
    expect((await store.beginAttempt({ userId: user, now: NOW, windowMs: WINDOW })).attempts.count).toBe(1);
  });

  it('a refused claim leaves the attempt counter alone', async () => {
    const { store } = open;
    const { user, setup } = await enabledUser();
    await store.beginAttempt({ userId: user, now: NOW, windowMs: WINDOW });
    expect(await store.claimStep({ userId: user, target: 'factor', secretId: setup.secretId, step: 50 })).toBe(false);
    expect((await store.beginAttempt({ userId: user, now: NOW, windowMs: WINDOW })).attempts.count).toBe(2);
  });

  it('promotes only a confirmed, unexpired setup with the named secret', async () => {
    const { store, peer } = open;
    const user = newUser();
    const setup = pending();
    await store.savePending({ userId: user, pending: setup });
    expect(
      await store.activatePending({ userId: user, secretId: setup.secretId, recoveryCodeHashes: ['x'], now: NOW }),
      'unconfirmed',
    ).toBe(false);
    await store.claimStep({ userId: user, target: 'pending', secretId: setup.secretId, step: 42 });
    expect(
      await store.activatePending({ userId: user, secretId: 'other', recoveryCodeHashes: ['x'], now: NOW }),
      'other secret',
    ).toBe(false);
    expect(
      await store.activatePending({
        userId: user,
        secretId: setup.secretId,
        recoveryCodeHashes: ['x'],
        now: setup.expiresAt,
      }),
      'expired',
    ).toBe(false);
    expect(
      await store.activatePending({ userId: newUser(), secretId: setup.secretId, recoveryCodeHashes: ['x'], now: NOW }),
      'other user',
    ).toBe(false);
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
    expect(
      await store.activatePending({ userId: user, secretId: setup.secretId, recoveryCodeHashes: ['z'], now: NOW }),
      'twice',
    ).toBe(false);
  });

  it('a new confirmed setup replaces the enabled factor and all of its recovery codes', async () => {
    const { store } = open;
    const { user } = await enabledUser(['old1', 'old2', 'old3']);
    const next = pending({ sealedSecret: 'v1.k1.bmV3.dGFn.cm90YXRlZA' });
    await store.savePending({ userId: user, pending: next });
    await store.claimStep({ userId: user, target: 'pending', secretId: next.secretId, step: 300 });
    expect(
      await store.activatePending({ userId: user, secretId: next.secretId, recoveryCodeHashes: ['new1'], now: NOW }),
    ).toBe(true);
    const state = await store.load({ userId: user });
    expect(state.factor).toMatchObject({ secretId: next.secretId, sealedSecret: next.sealedSecret, lastStep: 300 });
    expect(state.recoveryCodes).toBe(1);
    expect(await store.consumeRecoveryCode({ userId: user, candidateHashes: ['old1'] })).toBeNull();
  });

  it('recovery-code reuse: a code is consumed once, and the answer says how many remain', async () => {
    const { store, peer } = open;
    const { user } = await enabledUser(['c1', 'c2', 'c3']);
    expect(await store.consumeRecoveryCode({ userId: user, candidateHashes: ['nope', 'c2'] })).toBe(2);
    expect(await peer.consumeRecoveryCode({ userId: user, candidateHashes: ['c2'] })).toBeNull();
    expect(await peer.consumeRecoveryCode({ userId: user, candidateHashes: ['c3'] })).toBe(1);
    expect(await store.consumeRecoveryCode({ userId: user, candidateHashes: [] })).toBeNull();
    expect(await store.consumeRecoveryCode({ userId: newUser(), candidateHashes: ['c1'] })).toBeNull();
    expect((await store.load({ userId: user })).recoveryCodes).toBe(1);
  });

  it('recovery-code reuse: 50 concurrent uses of one code on two handles succeed exactly once', async () => {
    const { store, peer } = open;
    const { user } = await enabledUser(['only', 'other']);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        (i % 2 ? store : peer).consumeRecoveryCode({ userId: user, candidateHashes: ['only'] }),
      ),
    );
    expect(results.filter((r) => r !== null)).toEqual([1]);
  });

  it('using a recovery code clears the attempt counter', async () => {
    const { store } = open;
    const { user } = await enabledUser(['c1']);
    await store.beginAttempt({ userId: user, now: NOW, windowMs: WINDOW });
    await store.consumeRecoveryCode({ userId: user, candidateHashes: ['c1'] });
    expect((await store.beginAttempt({ userId: user, now: NOW, windowMs: WINDOW })).attempts.count).toBe(1);
  });

  it('replaces recovery codes only while a factor is enabled', async () => {
    const { store, peer } = open;
    const lone = newUser();
    expect(await store.replaceRecoveryCodes({ userId: lone, hashes: ['a'] })).toBe(false);
    expect((await store.load({ userId: lone })).recoveryCodes).toBe(0);
    const { user } = await enabledUser(['a', 'b', 'c']);
    expect(await peer.replaceRecoveryCodes({ userId: user, hashes: ['d', 'e'] })).toBe(true);
    expect(await store.consumeRecoveryCode({ userId: user, candidateHashes: ['a'] })).toBeNull();
    expect(await store.consumeRecoveryCode({ userId: user, candidateHashes: ['e'] })).toBe(1);
  });

  it('two simultaneous replacements of the recovery codes leave exactly one of the two sets, never a mix', async () => {
    const { store, peer } = open;
    for (let round = 0; round < 15; round++) {
      const { user } = await enabledUser(['old']);
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
        expect(
          await store.consumeRecoveryCode({ userId: user, candidateHashes: [hash] }),
          `round ${round}`,
        ).not.toBeNull();
    }
  });

  it('disable racing enable leaves either no factor and no codes, or the new factor with exactly its codes', async () => {
    const { store, peer } = open;
    for (let round = 0; round < 15; round++) {
      const { user } = await enabledUser(['old1', 'old2']);
      const next = pending();
      await store.savePending({ userId: user, pending: next });
      await store.claimStep({ userId: user, target: 'pending', secretId: next.secretId, step: 900 });
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
    for (let round = 0; round < 30; round++) {
      const old = Array.from({ length: 40 }, (_, i) => `old${i}`);
      const { user } = await enabledUser(old);
      await store.beginAttempt({ userId: user, now: NOW, windowMs: WINDOW });
      const next = pending();
      await store.savePending({ userId: user, pending: next });
      await store.claimStep({ userId: user, target: 'pending', secretId: next.secretId, step: 900 });
      // The promotion is sent among the uses, so its statement meets code rows and the attempts row locked by them.
      // Each use is counted first, as the provider does, so there is an attempts row to lock.
      const uses = old.slice(0, 20).map(async (hash, i) => {
        const handle = i % 2 ? store : peer;
        await handle.beginAttempt({ userId: user, now: NOW, windowMs: WINDOW });
        return handle.consumeRecoveryCode({ userId: user, candidateHashes: [hash] });
      });
      uses.splice(
        10,
        0,
        (round % 2 ? store : peer)
          .activatePending({ userId: user, secretId: next.secretId, recoveryCodeHashes: ['n1', 'n2'], now: NOW })
          .then(() => null),
      );
      await Promise.all(uses);
      const state = await store.load({ userId: user });
      expect(state.factor?.secretId, `round ${round}`).toBe(next.secretId);
      expect(state.recoveryCodes, `round ${round}`).toBe(2);
    }
  });

  it('deleting the factor removes it, any pending setup and the recovery codes, but keeps the attempt count', async () => {
    const { store, peer } = open;
    const { user } = await enabledUser(['a']);
    await store.savePending({ userId: user, pending: pending() });
    await store.beginAttempt({ userId: user, now: NOW, windowMs: WINDOW });
    expect(await peer.deleteFactor({ userId: user })).toBe(true);
    expect(await store.load({ userId: user })).toEqual({ factor: null, pending: null, recoveryCodes: 0 });
    expect(await store.deleteFactor({ userId: user })).toBe(false);
    expect((await store.beginAttempt({ userId: user, now: NOW, windowMs: WINDOW })).attempts.count).toBe(2);
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
    await store.claimStep({ userId: user, target: 'pending', secretId: setup.secretId, step: 136_748_533_123 });
    expect((await store.load({ userId: user })).pending).toEqual({
      ...setup,
      lastStep: 136_748_533_123,
      confirmed: true,
    });
  });
});
