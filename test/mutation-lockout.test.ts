import { expect, it } from 'vitest';
import { MfaInvalidCodeError, MfaRateLimitedError, type MfaUser } from '../src/index.js';
import { MemoryMfaStore, type MfaEvent, type MfaStore } from '../src/totp/index.js';
import { otherOperationsOf } from './support/store-records.js';
import { STEP_MS, newUser, totpHarness, wrongCode } from './support/totp.js';

// The lockout's fields as an app and its support staff read them (docs/mutation.md, "Open survivors"): the exact
// `retryAfterMs` of the `locked` event and of the refusal, with one limit and with the per-client and per-user
// limits both in play; the `verify_failed` events' fields; and that a replay is never the failure that starts a lock.
// Every time here comes from the harness's fixed clock, so each field is pinned to the millisecond.

const WINDOW = 15 * 60_000;

type Harness = ReturnType<typeof totpHarness>;

/** One code through MfaClient; the error it was refused with (the test fails on a success). */
async function refusal(harness: Harness, user: MfaUser, code: string, clientKey?: string): Promise<unknown> {
  const options = clientKey === undefined ? undefined : { clientKey };
  const result = await harness.client.verifySecondFactor(user, code, options).then(
    () => 'accepted',
    (error: unknown) => error,
  );
  expect(result, 'the code was refused').not.toBe('accepted');
  return result;
}

const wrong = (harness: Harness, secret: string) => wrongCode(harness.authenticator.code(secret));
const locks = (events: MfaEvent[]) => events.filter((event) => event.type === 'locked');

it('lockout: the locked event and the refusal say exactly when the window opened by the first failure ends', async () => {
  const harness = totpHarness(new MemoryMfaStore());
  const user = newUser();
  const { secret } = await harness.enroll(user);
  harness.events.length = 0;
  const started = harness.clock.nowMs();
  for (let i = 0; i < 5; i++) {
    await refusal(harness, user, wrong(harness, secret));
    harness.clock.advance(1000);
  }
  const locked = await refusal(harness, user, harness.authenticator.code(secret));
  expect(locked).toBeInstanceOf(MfaRateLimitedError);
  expect(locked).toMatchObject({ code: 'rate_limited', retryAfterMs: WINDOW - 5000 });
  const failed = (i: number) => ({
    type: 'verify_failed',
    userId: user.id,
    at: new Date(started + i * 1000),
    reason: 'mismatch',
    attempts: i + 1,
  });
  expect(harness.events).toEqual([
    failed(0),
    failed(1),
    failed(2),
    failed(3),
    failed(4),
    // Sent with the fifth failure: the lock lasts the rest of the window the first failure opened, 4 s before.
    { type: 'locked', userId: user.id, at: new Date(started + 4000), retryAfterMs: WINDOW - 4000 },
    { type: 'verify_failed', userId: user.id, at: new Date(started + 5000), reason: 'rate_limited', attempts: 5 },
  ]);
});

it("lockout with clientKey: a client's lock ends with its own window, not with the later window of the per-user ceiling it did not reach", async () => {
  const harness = totpHarness(new MemoryMfaStore());
  const user = newUser();
  const { secret } = await harness.enroll(user);
  const t0 = harness.clock.nowMs();
  // Another client fails once: the per-user window opens at t0 and ends at t0 + WINDOW.
  await refusal(harness, user, wrong(harness, secret), 'laptop');
  // The phone's first failure, 10 s before that: its own window ends at t0 + 2 WINDOW - 10 s.
  harness.clock.set(t0 + WINDOW - 10_000);
  await refusal(harness, user, wrong(harness, secret), 'phone');
  // After the per-user window: four more from the phone. The per-user count starts again (a window ending at
  // t0 + 2 WINDOW + 10 s, count 4 of 20); the phone's fifth failure locks the phone.
  harness.clock.set(t0 + WINDOW + 10_000);
  harness.events.length = 0;
  for (let i = 0; i < 4; i++) {
    await refusal(harness, user, wrong(harness, secret), 'phone');
    harness.clock.advance(1000);
  }
  const now = harness.clock.nowMs(); // t0 + WINDOW + 14 s
  const phoneResetAt = t0 + 2 * WINDOW - 10_000;
  expect(locks(harness.events)).toEqual([
    { type: 'locked', userId: user.id, at: new Date(now - 1000), retryAfterMs: phoneResetAt - (now - 1000) },
  ]);
  expect(harness.events.at(-2), 'attempts: the per-client count').toEqual({
    type: 'verify_failed',
    userId: user.id,
    at: new Date(now - 1000),
    reason: 'mismatch',
    attempts: 5,
  });
  const locked = await refusal(harness, user, harness.authenticator.code(secret), 'phone');
  expect(locked).toBeInstanceOf(MfaRateLimitedError);
  expect(locked).toMatchObject({ retryAfterMs: phoneResetAt - now });
  // The laptop is not locked: its window ended, the per-user ceiling is far.
  expect(await refusal(harness, user, wrong(harness, secret), 'laptop')).toMatchObject({ attemptsRemaining: 4 });
});

it('lockout with clientKey: when the per-client limit and the per-user ceiling are reached together, the retry time is the later of the two windows', async () => {
  const harness = totpHarness(new MemoryMfaStore(), { maxAttempts: 3, maxAttemptsPerUser: 4 });
  const user = newUser();
  const { secret } = await harness.enroll(user);
  const t0 = harness.clock.nowMs();
  await refusal(harness, user, wrong(harness, secret), 'laptop'); // per-user window: t0 .. t0 + WINDOW
  harness.clock.set(t0 + 60_000);
  harness.events.length = 0;
  for (let i = 0; i < 3; i++) {
    // The third: the phone at 3 of 3 (window to t0 + WINDOW + 60 s) and the user at 4 of 4 (window to t0 + WINDOW).
    await refusal(harness, user, wrong(harness, secret), 'phone');
    harness.clock.advance(1000);
  }
  expect(locks(harness.events)).toEqual([
    { type: 'locked', userId: user.id, at: new Date(t0 + 62_000), retryAfterMs: WINDOW - 2000 },
  ]);
  const phone = await refusal(harness, user, harness.authenticator.code(secret), 'phone');
  expect(phone).toBeInstanceOf(MfaRateLimitedError);
  expect(phone, 'the phone waits for its own, later window').toMatchObject({ retryAfterMs: WINDOW - 3000 });
  const tablet = await refusal(harness, user, harness.authenticator.code(secret), 'tablet');
  expect(tablet, 'a new client waits for the per-user window only').toMatchObject({ retryAfterMs: WINDOW - 63_000 });
});

/**
 * A custom store that looks for a replay before it looks at the lock (the contract says lock first): a replayed
 * step is answered `replayed` with the windows as found, even when they are at the limit.
 */
function replayFirstStore(): MfaStore {
  const base = new MemoryMfaStore();
  return {
    name: 'replay-first',
    load: (query) => base.load(query),
    attemptAndClaim: async (claim) => {
      if (claim.step !== null) {
        const state = await base.load({ userId: claim.userId });
        const secret = claim.target === 'factor' ? state.factor : state.pending;
        if (secret?.secretId === claim.secretId && secret.lastStep !== null && secret.lastStep >= claim.step) {
          // The windows as found, nothing counted: a claim for a secret the user does not have reads them.
          const read = await base.attemptAndClaim({ ...claim, secretId: 'no-such-secret', step: null });
          return { outcome: 'replayed', attempts: read.outcome === 'claimed' ? [] : read.attempts };
        }
      }
      return base.attemptAndClaim(claim);
    },
    ...otherOperationsOf(base),
  };
}

it('double submit: a replayed code is never the failure that starts a lockout, even when the count it reports is at the limit', async () => {
  const store = replayFirstStore();
  const here = totpHarness(store, { maxAttempts: 2 });
  const there = totpHarness(store, { maxAttempts: 2 }, here.clock);
  const user = newUser();
  const { secret } = await here.enroll(user);
  const code = here.authenticator.code(secret);
  await expect(here.client.verifySecondFactor(user, code)).resolves.toMatchObject({ verified: true });
  // Two wrong codes reach the limit (the lock starts here, with its event), then the accepted code is sent again
  // to another server, which knows of no lock.
  for (let i = 0; i < 2; i++) await refusal(here, user, wrong(here, secret));
  expect(locks(here.events)).toHaveLength(1);
  const replay = await refusal(there, user, code);
  expect(replay).toBeInstanceOf(MfaInvalidCodeError);
  expect(replay).toMatchObject({ reason: 'replayed', attemptsRemaining: 0 });
  expect(there.events).toEqual([
    { type: 'verify_failed', userId: user.id, at: new Date(here.clock.nowMs()), reason: 'replayed', attempts: 2 },
  ]);
});

it('audit: a code for a user without MFA, or for an expired setup, is reported as verify_failed with nothing counted', async () => {
  const harness = totpHarness(new MemoryMfaStore());
  const user = newUser();
  const at = new Date(harness.clock.nowMs());
  await expect(harness.client.verify(user, '123456')).rejects.toMatchObject({ code: 'not_found' });
  expect(harness.events).toEqual([{ type: 'verify_failed', userId: user.id, at, reason: 'no_factor', attempts: 0 }]);

  const setup = await harness.client.createSetup(user);
  harness.clock.advance(10 * 60_000 + STEP_MS);
  harness.events.length = 0;
  await expect(harness.client.verify(user, harness.authenticator.code(setup.secret))).rejects.toMatchObject({
    code: 'invalid_code',
    reason: 'expired_setup',
  });
  expect(harness.events).toEqual([
    {
      type: 'verify_failed',
      userId: user.id,
      at: new Date(harness.clock.nowMs()),
      reason: 'expired_setup',
      attempts: 0,
    },
  ]);
});
