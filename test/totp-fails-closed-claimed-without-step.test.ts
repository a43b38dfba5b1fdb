import { expect, it } from 'vitest';
import { MemoryMfaStore, type AttemptClaim, type MfaStore } from '../src/totp/index.js';
import { STEP_MS, newUser, totpHarness, wrongCode } from './support/totp.js';

// Fails closed: a wrong code on the one-round-trip path sends attemptAndClaim with `step: null` ("count only"); there
// is nothing to claim, so `claimed` is an impossible answer. A custom store that reads "no step" as "nothing to
// claim, fine" answers exactly that, and the provider takes it as a success: any wrong code logs in. The provider
// checks every other answer of this operation strictly (tests in totp-one-round-trip); this one must fail closed too.

/** A hand-written attemptAndClaim that answers `claimed` when there was no step to claim. */
function storeWithoutCountOnlyCase(): MfaStore {
  const base = new MemoryMfaStore();
  const store: Record<string, unknown> = { name: 'custom' };
  for (const method of ['load', 'beginAttempt', 'savePending', 'claimStep', 'activatePending', 'consumeRecoveryCode', 'replaceRecoveryCodes', 'deleteFactor'] as const) {
    store[method] = (base[method] as (...a: unknown[]) => unknown).bind(base);
  }
  store.attemptAndClaim = async (userId: string, claim: AttemptClaim) => {
    const { attempts, state } = await base.beginAttempt(userId, claim.now, claim.windowMs);
    if (attempts.count > claim.maxAttempts) return { outcome: 'locked', attempts };
    if (state.factor?.secretId !== claim.secretId) return { outcome: 'stale', attempts, state };
    if (claim.step === null) return { outcome: 'claimed' }; // the slip: should be { outcome: 'counted', attempts }
    const ok = await base.claimStep(userId, 'factor', claim.secretId, claim.step as number, claim.resealedSecret);
    return ok ? { outcome: 'claimed' } : { outcome: 'replayed', attempts };
  };
  return store as unknown as MfaStore;
}

it('fails closed: a store answering "claimed" to a count-only attemptAndClaim (a wrong code) does not log the caller in', async () => {
  const { client, authenticator, clock, enroll } = totpHarness(storeWithoutCountOnlyCase());
  const user = newUser();
  const { secret } = await enroll(user);
  await client.verifySecondFactor(user, authenticator.code(secret)); // fills the cache
  clock.advance(STEP_MS);
  await expect(client.verifySecondFactor(user, wrongCode(authenticator.code(secret)))).rejects.toMatchObject({ code: expect.stringMatching(/invalid_code|provider_error/) });
  await expect(client.verifySecondFactor(user, '000000')).rejects.toMatchObject({ code: expect.stringMatching(/invalid_code|provider_error/) });
});
