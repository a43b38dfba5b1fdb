import { expect, it } from 'vitest';
import { NOW, WINDOW } from './support/store-records.js';
import { budget, claim, enabledUser, peek, window } from './support/store-contract.js';
import { describeEachStore } from './support/stores.js';

// Review of issue 12: the per-user ceiling bounds an attacker who rotates client keys. A burst of wrong codes, each
// from its own client (its own bucket, so no client limit is near), all at once on two handles: the ceiling's count
// must stop at its max in every store, or a botnet outruns it.

await describeEachStore('review, per-user ceiling under a burst of clients: %s', (open) => {
  it('brute force with rotating client keys: 40 concurrent wrong codes from 40 clients, ceiling 5: exactly 5 counted, 35 locked', async () => {
    const { store, peer } = open;
    const { user, secretId } = await enabledUser(store);
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        claim(i % 2 ? store : peer, user, {
          secretId,
          step: null,
          budget: budget([
            [`code:c:client${i}`, 5],
            ['code', 5],
          ]),
        }),
      ),
    );
    expect(answers.filter((a) => a.outcome === 'mismatch')).toHaveLength(5);
    expect(answers.filter((a) => a.outcome === 'locked')).toHaveLength(35);
    expect(await peek(store, user, ['code'])).toEqual([window('code', 5, NOW + WINDOW)]);
  });

  it('double submit racing a guess burst: a right code claimed during the burst is claimed once, and the lock still holds for the attacker', async () => {
    const { store, peer } = open;
    const { user, secretId } = await enabledUser(store);
    const guesses = Array.from({ length: 20 }, (_, i) =>
      claim(i % 2 ? store : peer, user, {
        secretId,
        step: null,
        budget: budget([
          [`code:c:attacker${i}`, 5],
          ['code', 20],
        ]),
      }),
    );
    const owner = Array.from({ length: 6 }, (_, i) =>
      claim(i % 2 ? peer : store, user, {
        secretId,
        step: 101,
        budget: budget([
          ['code:c:owner', 5],
          ['code', 20],
        ]),
      }),
    );
    const [guessed, claimed] = await Promise.all([Promise.all(guesses), Promise.all(owner)]);
    expect(guessed.every((a) => a.outcome === 'mismatch' || a.outcome === 'locked')).toBe(true);
    const ownerOutcomes = claimed.map((a) => a.outcome);
    // Exactly one claim of step 101 (or all locked, if the guesses filled the ceiling first); never two.
    expect(ownerOutcomes.filter((o) => o === 'claimed').length).toBeLessThanOrEqual(1);
    expect(ownerOutcomes.every((o) => ['claimed', 'replayed', 'locked'].includes(o))).toBe(true);
  });
});
