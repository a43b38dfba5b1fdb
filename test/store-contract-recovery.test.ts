import { expect, it } from 'vitest';
import { NOW, WINDOW, newUser, pending } from './support/store-records.js';
import { budget, countFailures, enabledUser, peek, recover, window } from './support/store-contract.js';
import { describeEachStore } from './support/stores.js';

// useRecoveryCode (store contract v2): budget check and use in one atomic operation, decided in the order
// locked → no_factor → used / mismatch, on the recovery path's own buckets. Every store, two handles.

await describeEachStore('store contract, useRecoveryCode: %s', (open) => {
  it('recovery-code reuse: a code is used once, the first stored candidate wins, and the answer says how many remain', async () => {
    const { store, peer } = open;
    const { user, secretId } = await enabledUser(store, ['c1', 'c2', 'c3']);
    expect(await recover(store, user, ['nope', 'c2', 'c3'])).toEqual({ outcome: 'used', remaining: 2, secretId });
    expect(await recover(peer, user, ['c2'])).toEqual({
      outcome: 'mismatch',
      attempts: [window('recovery', 1, NOW + WINDOW)],
    });
    expect(await recover(peer, user, ['c3'])).toEqual({ outcome: 'used', remaining: 1, secretId });
    expect(await recover(store, user, [])).toMatchObject({ outcome: 'mismatch', attempts: [{ count: 1 }] });
    expect((await store.load({ userId: user })).recoveryCodes).toBe(1);
  });

  it('brute force: a mismatch counts every listed recovery bucket; a use clears them, never the TOTP buckets', async () => {
    const { store, peer } = open;
    const { user, secretId } = await enabledUser(store, ['c1']);
    await countFailures(store, user, ['code'], 3);
    const both = budget([
      ['recovery:c:abc', 5],
      ['recovery', 10],
    ]);
    expect(await recover(store, user, ['wrong'], both)).toEqual({
      outcome: 'mismatch',
      attempts: [window('recovery:c:abc', 1, NOW + WINDOW), window('recovery', 1, NOW + WINDOW)],
    });
    expect(await recover(peer, user, ['wrong'], both)).toMatchObject({
      attempts: [{ count: 2 }, { count: 2 }],
    });
    expect((await peek(store, user, ['code']))[0]?.count, 'the TOTP bucket is not counted').toBe(3);
    expect(await recover(peer, user, ['c1'], both)).toEqual({ outcome: 'used', remaining: 0, secretId });
    expect(await peek(store, user, ['recovery:c:abc', 'recovery', 'code'])).toEqual([
      window('recovery:c:abc', 0, 0),
      window('recovery', 0, 0),
      window('code', 3, NOW + WINDOW),
    ]);
  });

  it('brute force: locked comes first: a right code is not used and nothing is counted', async () => {
    const { store, peer } = open;
    const { user, secretId } = await enabledUser(store, ['c1', 'c2']);
    for (let i = 0; i < 5; i++) await recover(store, user, ['wrong']);
    const locked = { outcome: 'locked', attempts: [window('recovery', 5, NOW + WINDOW)] };
    expect(await recover(peer, user, ['c1'])).toEqual(locked);
    expect(await recover(peer, user, ['wrong'])).toEqual(locked);
    expect((await store.load({ userId: user })).recoveryCodes).toBe(2);
    expect(await recover(peer, user, ['c1'], budget([['recovery', 5]], NOW + WINDOW)), 'the window ended').toEqual({
      outcome: 'used',
      remaining: 1,
      secretId,
    });
  });

  it('a TOTP lockout never closes the recovery path', async () => {
    const { store } = open;
    const { user, secretId } = await enabledUser(store, ['c1']);
    await countFailures(store, user, ['code'], 50);
    expect(await recover(store, user, ['c1'])).toEqual({ outcome: 'used', remaining: 0, secretId });
  });

  it('no_factor: without an enabled factor nothing is used or counted, and locked still comes first', async () => {
    const { store, peer } = open;
    const user = newUser();
    await store.savePending({ userId: user, pending: pending() });
    expect(await recover(store, user, ['c1'])).toEqual({ outcome: 'no_factor' });
    expect(await recover(store, newUser(), ['c1'])).toEqual({ outcome: 'no_factor' });
    const { user: disabled } = await enabledUser(store, ['c1']);
    for (let i = 0; i < 5; i++) await recover(store, disabled, ['wrong']);
    expect(await peer.deleteFactor({ userId: disabled })).toBe(true);
    expect(await recover(peer, disabled, ['c1'])).toMatchObject({ outcome: 'locked' });
    expect(await recover(peer, disabled, ['c1'], budget([['recovery', 6]]))).toEqual({ outcome: 'no_factor' });
    expect((await peek(store, disabled, ['recovery']))[0]?.count, 'no_factor is not counted').toBe(5);
  });

  it('recovery-code reuse: 50 concurrent uses of one code on two handles: exactly one is used', async () => {
    const { store, peer } = open;
    const { user, secretId } = await enabledUser(store, ['only', 'other']);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => recover(i % 2 ? store : peer, user, ['only'], budget([['recovery', 1000]]))),
    );
    expect(answers.filter((a) => a.outcome === 'used')).toEqual([{ outcome: 'used', remaining: 1, secretId }]);
    expect(answers.filter((a) => a.outcome === 'mismatch')).toHaveLength(49);
  });

  it('brute force: 20 concurrent wrong recovery codes with a budget of 5: exactly 5 counted, 15 locked', async () => {
    const { store, peer } = open;
    const { user } = await enabledUser(store, ['c1']);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => recover(i % 2 ? store : peer, user, [`wrong${i}`])),
    );
    expect(answers.filter((a) => a.outcome === 'mismatch')).toHaveLength(5);
    expect(answers.filter((a) => a.outcome === 'locked')).toHaveLength(15);
    expect(await peek(store, user, ['recovery'])).toEqual([window('recovery', 5, NOW + WINDOW)]);
  });

  it('injection: hostile hashes are plain values', async () => {
    const { store } = open;
    const { user, secretId } = await enabledUser(store, ["x' OR '1'='1", 'a,b']);
    expect(await recover(store, user, ["' OR 1=1 --", '%', '*', 'a'], budget([['recovery', 100]]))).toMatchObject({
      outcome: 'mismatch',
    });
    expect(await recover(store, user, ['a,b'])).toEqual({ outcome: 'used', remaining: 1, secretId });
  });
});
