import { expect, it } from 'vitest';
import { createFixedClock } from '../src/testing/index.js';
import { describeEachStore } from './support/stores.js';
import { START, STEP_MS, newUser, totpHarness, wrongCode } from './support/totp.js';

// Brute force: a success through the one-round-trip path (attemptAndClaim) must clear the attempt count exactly as a
// factor claim does (the row gone: the next attempt starts a full window from ITS clock). On PostgreSQL the combined
// statement instead leaves { count 0, reset_at = the claimer's now }: an attempt from a server whose clock is behind
// (or any request whose `now` was taken just before the claim) is counted into a window that ends at the claimer's
// `now`, so its lockout lasts only the clock difference and the attacker gets a fresh window right after.

await describeEachStore('brute force after a one-round-trip success on the %s store', (open) => {
  it('a server whose clock is 1 s behind still locks the attacker out for the whole window after 5 wrong codes', async () => {
    const here = totpHarness(open.store);
    const behind = createFixedClock(START);
    const there = totpHarness(open.peer, {}, behind);
    const user = newUser();
    const { secret } = await here.enroll(user);
    await here.client.verifySecondFactor(user, here.authenticator.code(secret)); // fills this server's cache
    here.clock.advance(STEP_MS);
    // The real user signs in on this server: one round trip, attemptAndClaim claims and clears the count.
    await expect(here.client.verifySecondFactor(user, here.authenticator.code(secret))).resolves.toMatchObject({ verified: true });

    // The attacker, on a server whose clock is one second behind.
    behind.set(here.clock.nowMs() - 1000);
    const wrong = wrongCode(here.authenticator.code(secret));
    for (let i = 0; i < 5; i++) await expect(there.client.verifySecondFactor(user, wrong)).rejects.toMatchObject({ reason: 'mismatch' });
    const locked = await there.client.verifySecondFactor(user, wrong).catch((error: unknown) => error);
    expect(locked).toMatchObject({ code: 'rate_limited' });
    expect((locked as { retryAfterMs: number }).retryAfterMs, 'locked for (about) the whole window, not for the clock skew').toBeGreaterThan(60_000);

    behind.advance(2000);
    await expect(there.client.verifySecondFactor(user, wrong), 'two seconds later, still locked').rejects.toMatchObject({ code: 'rate_limited' });
  });
});
