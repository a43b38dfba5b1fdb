import { expect, it } from 'vitest';
import { NOW, WINDOW, newUser, pending } from './support/store-records.js';
import { budget, claim, countFailures, enabledUser, peek, window } from './support/store-contract.js';
import { describeEachStore } from './support/stores.js';

// attemptAndClaim, the one-round-trip decision of the store contract (v2): budget, claim or count in one atomic
// operation, decided in the order locked → stale → claimed / replayed / mismatch. Every store, two handles standing
// for two servers.

const LIMITS = [
  ['code:c:abc', 5],
  ['code', 20],
] as const;
const opened = (count: number, resetAt = NOW + WINDOW) => LIMITS.map(([bucket]) => window(bucket, count, resetAt));

await describeEachStore('store contract, attemptAndClaim: %s', (open) => {
  it('claims a fresh step, clears every listed bucket (and only those), then refuses it and earlier steps as replays', async () => {
    const { store, peer } = open;
    const { user, secretId } = await enabledUser(store);
    await countFailures(store, user, ['code:c:abc', 'code', 'recovery'], 2);
    expect(await claim(peer, user, { secretId, step: 101, budget: budget(LIMITS) })).toEqual({ outcome: 'claimed' });
    expect((await store.load({ userId: user })).factor).toMatchObject({ secretId, lastStep: 101 });
    expect(await peek(store, user, ['code:c:abc', 'code', 'recovery'])).toEqual([
      window('code:c:abc', 0, 0),
      window('code', 0, 0),
      window('recovery', 2, NOW + WINDOW),
    ]);
    await countFailures(store, user, ['code:c:abc', 'code'], 1);
    expect(await claim(store, user, { secretId, step: 101, budget: budget(LIMITS) })).toEqual({
      outcome: 'replayed',
      attempts: opened(1),
    });
    expect(await claim(peer, user, { secretId, step: 99, budget: budget(LIMITS) })).toEqual({
      outcome: 'replayed',
      attempts: opened(1),
    });
    expect(await peek(store, user, ['code:c:abc', 'code']), 'a replay is not counted').toEqual(opened(1));
    expect((await store.load({ userId: user })).factor?.lastStep).toBe(101);
  });

  it('brute force: a mismatch counts every listed bucket in a fixed window, and an ended window starts again', async () => {
    const { store, peer } = open;
    const { user, secretId } = await enabledUser(store);
    const at = (now: number) => budget(LIMITS, now);
    expect(await claim(store, user, { secretId, step: null, budget: at(NOW) })).toEqual({
      outcome: 'mismatch',
      attempts: opened(1),
    });
    expect(await claim(peer, user, { secretId, step: null, budget: at(NOW + 1000) })).toEqual({
      outcome: 'mismatch',
      attempts: opened(2),
    });
    expect(await claim(store, user, { secretId, step: null, budget: at(NOW + WINDOW - 1) }), 'fixed').toEqual({
      outcome: 'mismatch',
      attempts: opened(3),
    });
    expect(await peek(peer, user, ['code:c:abc', 'code'], NOW + WINDOW), 'an ended window reads as none').toEqual(
      opened(0, 0),
    );
    expect(await claim(peer, user, { secretId, step: null, budget: at(NOW + WINDOW) })).toEqual({
      outcome: 'mismatch',
      attempts: opened(1, NOW + 2 * WINDOW),
    });
  });

  it('answers one window per limit, in the order of the limits', async () => {
    const { store } = open;
    const { user, secretId } = await enabledUser(store);
    await countFailures(store, user, ['b'], 3);
    const limits = [
      ['c', 9],
      ['b', 9],
      ['a', 9],
    ] as const;
    expect(await claim(store, user, { secretId, step: null, budget: budget(limits) })).toEqual({
      outcome: 'mismatch',
      attempts: [window('c', 1, NOW + WINDOW), window('b', 4, NOW + WINDOW), window('a', 1, NOW + WINDOW)],
    });
  });

  it('brute force: locked comes first: nothing claimed, counted or cleared, whatever the step and secret', async () => {
    const { store, peer } = open;
    const { user, secretId } = await enabledUser(store);
    await countFailures(store, user, ['code:c:abc', 'code'], 5);
    const locked = {
      outcome: 'locked',
      attempts: [window('code:c:abc', 5, NOW + WINDOW), window('code', 5, NOW + WINDOW)],
    };
    for (const request of [
      { secretId, step: 500 },
      { secretId, step: null },
      { secretId, step: 100 },
      { secretId: 'another-factor', step: 500 },
      { target: 'pending' as const, secretId, step: 500 },
    ])
      expect(await claim(peer, user, { ...request, budget: budget(LIMITS) }), JSON.stringify(request)).toEqual(locked);
    expect((await store.load({ userId: user })).factor?.lastStep, 'nothing claimed while locked').toBe(100);
    expect(await peek(store, user, ['code:c:abc', 'code'])).toEqual(locked.attempts);
  });

  it('brute force: the last attempt within the budget is still decided; the one after is locked', async () => {
    const { store, peer } = open;
    const { user, secretId } = await enabledUser(store);
    const three = budget([['code', 3]]);
    for (let i = 0; i < 2; i++) await claim(store, user, { secretId, step: null, budget: three });
    expect(await claim(peer, user, { secretId, step: null, budget: three })).toEqual({
      outcome: 'mismatch',
      attempts: [window('code', 3, NOW + WINDOW)],
    });
    expect(await claim(peer, user, { secretId, step: 101, budget: three })).toMatchObject({ outcome: 'locked' });
    const other = await enabledUser(store);
    for (let i = 0; i < 2; i++) await claim(store, other.user, { secretId: other.secretId, step: null, budget: three });
    expect(await claim(peer, other.user, { secretId: other.secretId, step: 101, budget: three })).toEqual({
      outcome: 'claimed',
    });
  });

  it('buckets are independent: a locked client bucket does not lock another client of the same user', async () => {
    const { store, peer } = open;
    const { user, secretId } = await enabledUser(store);
    await countFailures(store, user, ['code:c:attacker', 'code'], 5);
    const attacker = budget([
      ['code:c:attacker', 5],
      ['code', 20],
    ]);
    const owner = budget([
      ['code:c:owner', 5],
      ['code', 20],
    ]);
    expect(await claim(peer, user, { secretId, step: 101, budget: attacker })).toMatchObject({ outcome: 'locked' });
    expect(await claim(peer, user, { secretId, step: 101, budget: owner })).toEqual({ outcome: 'claimed' });
    expect(await peek(store, user, ['code:c:attacker', 'code', 'code:c:owner'])).toEqual([
      window('code:c:attacker', 5, NOW + WINDOW),
      window('code', 0, 0),
      window('code:c:owner', 0, 0),
    ]);
  });

  it('buckets are independent: the per-user ceiling locks every client once it is reached', async () => {
    const { store } = open;
    const { user, secretId } = await enabledUser(store);
    for (let client = 0; client < 4; client++)
      for (let i = 0; i < 2; i++)
        await claim(store, user, {
          secretId,
          step: null,
          budget: budget([
            [`code:c:${client}`, 5],
            ['code', 8],
          ]),
        });
    const fresh = budget([
      ['code:c:fresh', 5],
      ['code', 8],
    ]);
    expect(await claim(store, user, { secretId, step: 101, budget: fresh })).toEqual({
      outcome: 'locked',
      attempts: [window('code:c:fresh', 0, 0), window('code', 8, NOW + WINDOW)],
    });
  });

  it('stale comes before the claim and the count: another secret id, a disabled factor, no record at all', async () => {
    const { store, peer } = open;
    const { user, secretId: oldId } = await enabledUser(store);
    const next = pending({ sealedSecret: 'v1.k1.bmV3.dGFn.bmV3c2VjcmV0' });
    await peer.savePending({ userId: user, pending: next });
    await claim(peer, user, { target: 'pending', secretId: next.secretId, step: 50 });
    expect(
      await peer.activatePending({ userId: user, secretId: next.secretId, recoveryCodeHashes: ['h2'], now: NOW }),
    ).toBe(true);
    await countFailures(store, user, ['code'], 1);
    for (const step of [900, null]) {
      const answer = await claim(store, user, { secretId: oldId, step });
      expect(answer).toMatchObject({ outcome: 'stale', attempts: [window('code', 1, NOW + WINDOW)] });
      expect(answer.outcome === 'stale' && answer.state).toEqual({
        factor: { secretId: next.secretId, sealedSecret: next.sealedSecret, lastStep: 50, enabledAt: NOW },
        pending: null,
        recoveryCodes: 1,
      });
    }
    expect((await store.load({ userId: user })).factor?.lastStep, 'the new factor was not touched').toBe(50);
    expect((await peek(store, user, ['code']))[0]?.count, 'a stale attempt is not counted').toBe(1);

    await peer.deleteFactor({ userId: user });
    expect(await claim(store, user, { secretId: next.secretId, step: 900 })).toEqual({
      outcome: 'stale',
      attempts: [window('code', 1, NOW + WINDOW)],
      state: { factor: null, pending: null, recoveryCodes: 0 },
    });
    const stranger = newUser();
    expect(await claim(store, stranger, { secretId: oldId, step: null })).toEqual({
      outcome: 'stale',
      attempts: [window('code', 0, 0)],
      state: { factor: null, pending: null, recoveryCodes: 0 },
    });
  });

  it('replaces the sealed secret with a claim (key rotation), and a replay does not', async () => {
    const { store, peer } = open;
    const { user, secretId, setup } = await enabledUser(store);
    const resealed = 'v1.new.aXY.dGFn.cmVzZWFsZWQ';
    expect(await claim(store, user, { secretId, step: 100, resealedSecret: resealed })).toMatchObject({
      outcome: 'replayed',
    });
    expect((await peer.load({ userId: user })).factor?.sealedSecret).toBe(setup.sealedSecret);
    expect(await claim(peer, user, { secretId, step: 101, resealedSecret: resealed })).toEqual({ outcome: 'claimed' });
    expect((await store.load({ userId: user })).factor).toMatchObject({
      secretId,
      sealedSecret: resealed,
      lastStep: 101,
    });
    expect(await claim(store, user, { secretId, step: 102 })).toEqual({ outcome: 'claimed' });
    expect((await store.load({ userId: user })).factor?.sealedSecret, 'kept when not given').toBe(resealed);
  });

  it('brute force: 20 concurrent wrong codes on two handles with a budget of 5: exactly 5 counted, 15 locked', async () => {
    const { store, peer } = open;
    const { user, secretId } = await enabledUser(store);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => claim(i % 2 ? store : peer, user, { secretId, step: null })),
    );
    const outcomes = answers.map((a) => a.outcome);
    expect(outcomes.filter((o) => o === 'mismatch')).toHaveLength(5);
    expect(outcomes.filter((o) => o === 'locked')).toHaveLength(15);
    const counts = answers.flatMap((a) => (a.outcome === 'mismatch' ? a.attempts.map((w) => w.count) : []));
    expect(counts.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(await peek(store, user, ['code'])).toEqual([window('code', 5, NOW + WINDOW)]);
  });

  it('brute force: 40 concurrent wrong codes in two buckets are counted exactly (1..N in each, no lost update)', async () => {
    const { store, peer } = open;
    const { user, secretId } = await enabledUser(store);
    const wide = budget([
      ['code:c:abc', 1000],
      ['code', 1000],
    ]);
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => claim(i % 2 ? store : peer, user, { secretId, step: null, budget: wide })),
    );
    for (const index of [0, 1]) {
      const counts = answers.map((a) => (a.outcome === 'mismatch' ? a.attempts[index]!.count : -1));
      expect(counts.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    }
  });

  it('replay: 50 concurrent claims of one step on two handles: exactly 1 claimed, 49 replayed', async () => {
    const { store, peer } = open;
    const { user, secretId } = await enabledUser(store);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        claim(i % 2 ? store : peer, user, { secretId, step: 7000, budget: budget(LIMITS) }),
      ),
    );
    expect(answers.filter((a) => a.outcome === 'claimed')).toHaveLength(1);
    expect(answers.filter((a) => a.outcome === 'replayed')).toHaveLength(49);
    expect((await store.load({ userId: user })).factor?.lastStep).toBe(7000);
  });

  it('injection: a hostile user id or secret id is a plain value', async () => {
    const { store } = open;
    const { user, secretId } = await enabledUser(store);
    for (const hostile of [
      "x' OR '1'='1",
      'a}:factor:{b',
      "'); DROP TABLE users; --",
      '%41',
      '__proto__',
      'ユーザー😀',
    ]) {
      expect(await claim(store, `${user}${hostile}`, { secretId, step: 900 })).toMatchObject({ outcome: 'stale' });
      expect(await claim(store, user, { secretId: `${secretId}${hostile}`, step: 900 })).toMatchObject({
        outcome: 'stale',
      });
    }
    expect((await store.load({ userId: user })).factor?.lastStep).toBe(100);
  });
});
