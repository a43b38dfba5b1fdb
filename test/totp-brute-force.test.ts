import { expect, it } from 'vitest';
import { MfaRateLimitedError } from '../src/index.js';
import { createFixedClock } from '../src/testing/index.js';
import { describeEachStore } from './support/stores.js';
import { START, STEP_MS, newUser, outcomes, totpHarness, wrongCode } from './support/totp.js';

// Brute force: a 6-digit code has a million values and stays valid ~90 s; without a limit an attacker holding the
// password can try them all. Attempts are counted in the store (shared by every server) before the code is checked.
const FIFTEEN_MINUTES = 15 * 60_000;

await describeEachStore('brute force on the %s store', (open) => {
  it('brute force: after 5 failures even the right code fails fast with 429 and retryAfterMs, until the window ends', async () => {
    const { client, authenticator, clock, enroll, events } = totpHarness(open.store);
    const user = newUser();
    const { secret } = await enroll(user);
    const started = clock.nowMs();
    for (let i = 0; i < 5; i++) {
      await expect(client.verifySecondFactor(user, wrongCode(authenticator.code(secret)))).rejects.toMatchObject({
        reason: 'mismatch',
      });
      clock.advance(1000);
    }
    const locked = client.verifySecondFactor(user, authenticator.code(secret));
    await expect(locked).rejects.toBeInstanceOf(MfaRateLimitedError);
    await expect(locked).rejects.toMatchObject({
      status: 429,
      code: 'rate_limited',
      retryAfterMs: FIFTEEN_MINUTES - 5000,
    });
    expect(events.filter((e) => e.type === 'locked')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'verify_failed', reason: 'rate_limited' });

    clock.set(started + FIFTEEN_MINUTES);
    await expect(client.verifySecondFactor(user, authenticator.code(secret))).resolves.toMatchObject({
      verified: true,
    });
  });

  it('brute force: a locked attempt is refused without checking the code (the replay mark does not move)', async () => {
    const { client, authenticator, enroll, provider } = totpHarness(open.store, { maxAttempts: 1 });
    const user = newUser();
    const { secret } = await enroll(user);
    await expect(client.verifySecondFactor(user, wrongCode(authenticator.code(secret)))).rejects.toMatchObject({
      reason: 'mismatch',
    });
    const before = (await provider.store.load({ userId: user.id })).factor?.lastStep;
    await expect(client.verifySecondFactor(user, authenticator.code(secret))).rejects.toMatchObject({
      code: 'rate_limited',
    });
    expect((await provider.store.load({ userId: user.id })).factor?.lastStep).toBe(before);
  });

  it('brute force: a success resets the count', async () => {
    const { client, authenticator, clock, enroll } = totpHarness(open.store);
    const user = newUser();
    const { secret } = await enroll(user);
    for (let i = 0; i < 4; i++)
      await expect(client.verifySecondFactor(user, wrongCode(authenticator.code(secret)))).rejects.toMatchObject({
        reason: 'mismatch',
      });
    await client.verifySecondFactor(user, authenticator.code(secret));
    clock.advance(30_000);
    for (let i = 0; i < 4; i++)
      await expect(client.verifySecondFactor(user, wrongCode(authenticator.code(secret)))).rejects.toMatchObject({
        reason: 'mismatch',
      });
    await expect(client.verifySecondFactor(user, authenticator.code(secret))).resolves.toMatchObject({
      verified: true,
    });
  });

  it('brute force: failures on two servers add up to one lockout', async () => {
    const first = totpHarness(open.store);
    const second = totpHarness(open.peer, {}, first.clock);
    const user = newUser();
    const { secret } = await first.enroll(user);
    const wrong = wrongCode(first.authenticator.code(secret));
    for (const server of [first, second, first, second, first])
      await expect(server.client.verifySecondFactor(user, wrong)).rejects.toMatchObject({ reason: 'mismatch' });
    await expect(second.client.verifySecondFactor(user, first.authenticator.code(secret))).rejects.toMatchObject({
      code: 'rate_limited',
    });
    await expect(first.client.verifySecondFactor(user, first.authenticator.code(secret))).rejects.toMatchObject({
      code: 'rate_limited',
    });
  });

  it('brute force: a burst of 20 simultaneous wrong codes gets at most 5 checked and counted, the other 15 locked', async () => {
    const { client, authenticator, enroll, events } = totpHarness(open.store);
    const user = newUser();
    const { secret } = await enroll(user);
    const wrong = wrongCode(authenticator.code(secret));
    const result = await outcomes(Array.from({ length: 20 }, () => client.verifySecondFactor(user, wrong)));
    expect(result.fulfilled).toBe(0);
    expect(result.rejected.filter((r) => r === 'invalid_code:mismatch')).toHaveLength(5);
    expect(result.rejected.filter((r) => r === 'rate_limited')).toHaveLength(15);
    const counted = events.flatMap((e) => (e.type === 'verify_failed' ? [e.attempts] : [])).sort((a, b) => a - b);
    expect(counted, 'five failures counted, then the lock holds at five').toEqual([1, 2, 3, 4, ...Array(16).fill(5)]);
    expect(
      events.filter((e) => e.type === 'locked'),
      'one lock started',
    ).toHaveLength(1);
  });

  it('brute force: recovery-code guesses have their own limit (10), apart from TOTP codes, both ways', async () => {
    const { client, authenticator, enroll, clock } = totpHarness(open.store);
    const user = newUser();
    const { secret, recoveryCodes } = await enroll(user);
    for (let i = 0; i < 10; i++)
      await expect(client.verifySecondFactor(user, 'AAAA-BBBB-CCCC')).rejects.toMatchObject({ reason: 'mismatch' });
    await expect(client.verifySecondFactor(user, recoveryCodes[0]!)).rejects.toMatchObject({ code: 'rate_limited' });
    await expect(client.verifySecondFactor(user, authenticator.code(secret)), 'TOTP still open').resolves.toMatchObject(
      {
        verified: true,
      },
    );
    clock.advance(STEP_MS);
    const other = newUser();
    const codes = await enroll(other);
    for (let i = 0; i < 5; i++)
      await expect(client.verifySecondFactor(other, wrongCode(authenticator.code(codes.secret)))).rejects.toMatchObject(
        {
          reason: 'mismatch',
        },
      );
    await expect(client.verifySecondFactor(other, authenticator.code(codes.secret))).rejects.toMatchObject({
      code: 'rate_limited',
    });
    await expect(
      client.verifySecondFactor(other, codes.recoveryCodes[0]!),
      'recovery still open',
    ).resolves.toMatchObject({
      method: 'recovery_code',
    });
  });

  it('brute force: setup confirmation is limited too', async () => {
    const { client, authenticator } = totpHarness(open.store, { maxAttempts: 3 });
    const user = newUser();
    const setup = await client.createSetup(user);
    for (let i = 0; i < 3; i++)
      await expect(client.verify(user, wrongCode(authenticator.code(setup.secret)))).rejects.toMatchObject({
        reason: 'mismatch',
      });
    await expect(client.verify(user, authenticator.code(setup.secret))).rejects.toMatchObject({ code: 'rate_limited' });
  });

  it('brute force: nothing a session holder can do resets the count: no setup can be started or confirmed while MFA is on', async () => {
    const { client, authenticator, enroll } = totpHarness(open.store);
    const user = newUser();
    const { secret } = await enroll(user);
    for (let i = 0; i < 4; i++)
      await expect(client.verifySecondFactor(user, wrongCode(authenticator.code(secret)))).rejects.toMatchObject({
        reason: 'mismatch',
      });
    await expect(client.createSetup(user)).rejects.toMatchObject({ code: 'already_enabled' });
    await expect(client.verify(user, wrongCode(authenticator.code(secret)))).rejects.toMatchObject({
      reason: 'mismatch',
    });
    await expect(client.verifySecondFactor(user, authenticator.code(secret))).rejects.toMatchObject({
      code: 'rate_limited',
    });
  });

  it('the limit is per user: another user is not locked out', async () => {
    const { client, authenticator, enroll } = totpHarness(open.store);
    const [victim, bystander] = [newUser(), newUser()];
    const { secret } = await enroll(victim);
    const other = await enroll(bystander);
    for (let i = 0; i < 6; i++)
      await client.verifySecondFactor(victim, wrongCode(authenticator.code(secret))).catch(() => {});
    await expect(client.verifySecondFactor(bystander, authenticator.code(other.secret))).resolves.toMatchObject({
      verified: true,
    });
  });

  // After a one-round-trip success (attemptAndClaim) the count must be cleared as a delete clears it: the next
  // attempt starts a full window from its own clock. PostgreSQL once stored { count 0, reset_at = claimer's now },
  // so a server whose clock was behind got a lockout lasting only the clock difference.
  it('brute force: after a one-round-trip success, a server whose clock is 1 s behind still locks the attacker out for the whole window after 5 wrong codes', async () => {
    const here = totpHarness(open.store);
    const behind = createFixedClock(START);
    const there = totpHarness(open.peer, {}, behind);
    const user = newUser();
    const { secret } = await here.enroll(user);
    await here.client.verifySecondFactor(user, here.authenticator.code(secret)); // fills this server's cache
    here.clock.advance(STEP_MS);
    // The real user signs in on this server: one round trip, attemptAndClaim claims and clears the count.
    await expect(here.client.verifySecondFactor(user, here.authenticator.code(secret))).resolves.toMatchObject({
      verified: true,
    });

    // The attacker, on a server whose clock is one second behind.
    behind.set(here.clock.nowMs() - 1000);
    const wrong = wrongCode(here.authenticator.code(secret));
    for (let i = 0; i < 5; i++)
      await expect(there.client.verifySecondFactor(user, wrong)).rejects.toMatchObject({ reason: 'mismatch' });
    const locked = await there.client.verifySecondFactor(user, wrong).catch((error: unknown) => error);
    expect(locked).toMatchObject({ code: 'rate_limited' });
    expect(
      (locked as { retryAfterMs: number }).retryAfterMs,
      'locked for (about) the whole window, not for the clock skew',
    ).toBeGreaterThan(60_000);

    behind.advance(2000);
    await expect(there.client.verifySecondFactor(user, wrong), 'two seconds later, still locked').rejects.toMatchObject(
      { code: 'rate_limited' },
    );
  });
});
