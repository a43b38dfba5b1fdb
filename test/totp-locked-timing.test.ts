import type { CryptoPlugin } from 'otplib';
import { expect, it } from 'vitest';
import { nodeCrypto } from '../src/totp/node-crypto.js';
import { describeEachStore } from './support/stores.js';
import { STEP_MS, newUser, totpHarness, wrongCode } from './support/totp.js';

// Lockout timing: with the factor cached, a code was computed before the store refused a locked attempt, and otplib
// stopped at the first matching step, so over HTTP a right code answered 429 measurably faster than a wrong one.
// Now a lock known on this server means no code is computed at all, and a computed code always costs every step of
// the window. Counted on a real crypto plugin (the built-in one), wrapped to count its HMAC calls.

/** The built-in plugin, unchanged, with each HMAC counted. */
function countingCrypto(): { crypto: CryptoPlugin; hmacs: () => number } {
  let hmacs = 0;
  const crypto: CryptoPlugin = {
    name: 'counting-node',
    hmac: (algorithm, key, data) => {
      hmacs++;
      return nodeCrypto.hmac(algorithm, key, data);
    },
    randomBytes: (length) => nodeCrypto.randomBytes(length),
    constantTimeEqual: (a, b) => nodeCrypto.constantTimeEqual(a, b),
  };
  return { crypto, hmacs: () => hmacs };
}

await describeEachStore('locked timing on the %s store', (open) => {
  it('locked timing: while a lock is known, no HMAC is computed, and a right and a wrong code get identical answers', async () => {
    const { crypto, hmacs } = countingCrypto();
    const { client, authenticator, enroll } = totpHarness(open.store, { totpCrypto: crypto });
    const user = newUser();
    const { secret } = await enroll(user);
    for (let i = 0; i < 5; i++)
      await expect(client.verifySecondFactor(user, wrongCode(authenticator.code(secret)))).rejects.toMatchObject({
        reason: 'mismatch',
      });
    const before = hmacs();
    const answers: unknown[] = [];
    for (const code of [authenticator.code(secret), wrongCode(authenticator.code(secret))])
      for (let i = 0; i < 3; i++)
        answers.push(
          await client.verifySecondFactor(user, code).then(
            () => 'accepted',
            (error: { toJSON(): unknown; status: number }) => ({ status: error.status, body: error.toJSON() }),
          ),
        );
    expect(hmacs() - before, 'no HMAC while locked').toBe(0);
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]).toMatchObject({ status: 429, body: { code: 'rate_limited' } });
  });

  it('locked timing: a lock started on another server is learnt from the store once; from then on no HMAC here', async () => {
    const { crypto, hmacs } = countingCrypto();
    const here = totpHarness(open.store, { totpCrypto: crypto });
    const there = totpHarness(open.peer, {}, here.clock);
    const user = newUser();
    const { secret } = await here.enroll(user);
    for (let i = 0; i < 5; i++) await there.client.verifySecondFactor(user, '000000').catch(() => {});
    await expect(here.client.verifySecondFactor(user, here.authenticator.code(secret))).rejects.toMatchObject({
      code: 'rate_limited',
    });
    const before = hmacs();
    await expect(here.client.verifySecondFactor(user, here.authenticator.code(secret))).rejects.toMatchObject({
      code: 'rate_limited',
    });
    expect(hmacs() - before).toBe(0);
  });

  it('locked timing: when a code is computed, a right and a wrong one cost the same HMACs (every step of the window)', async () => {
    const { crypto, hmacs } = countingCrypto();
    const { client, authenticator, clock, enroll } = totpHarness(open.store, { totpCrypto: crypto, window: 2 });
    const user = newUser();
    const { secret } = await enroll(user);
    await client.verifySecondFactor(user, authenticator.code(secret)); // warm: both below are one round trip
    clock.advance(STEP_MS);
    let before = hmacs();
    await client.verifySecondFactor(user, authenticator.code(secret));
    const right = hmacs() - before;
    before = hmacs();
    await client.verifySecondFactor(user, wrongCode(authenticator.code(secret))).catch(() => {});
    const wrong = hmacs() - before;
    expect(right).toBe(5);
    expect(wrong).toBe(right);
  });

  it('locked timing: once the window has ended, the lock memo lets the next code through and it is checked', async () => {
    const { crypto } = countingCrypto();
    const { client, authenticator, clock, enroll } = totpHarness(open.store, { totpCrypto: crypto, maxAttempts: 1 });
    const user = newUser();
    const { secret } = await enroll(user);
    await client.verifySecondFactor(user, wrongCode(authenticator.code(secret))).catch(() => {});
    await expect(client.verifySecondFactor(user, authenticator.code(secret))).rejects.toMatchObject({
      code: 'rate_limited',
    });
    clock.advance(15 * 60_000);
    await expect(client.verifySecondFactor(user, authenticator.code(secret))).resolves.toMatchObject({
      verified: true,
    });
  });
});
