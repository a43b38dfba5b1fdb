import type { AttemptClaim, AttemptClaimResult, MfaStore, MfaStoreOperations } from './store.js';

/**
 * A full `MfaStore` from one that implements every operation but `attemptAndClaim`: the one-round-trip operation is
 * made of the store's own `beginAttempt` then a factor `claimStep` (two round trips, each atomic; the claim's
 * compare-and-set on `secretId` and `lastStep` is what settles races, as it does without the cache).
 *
 * Also the way to keep overrides seen: a subclass of a built-in store that overrides `beginAttempt` or `claimStep`
 * (to audit them, say) passes through this, so every count and claim goes through those overrides.
 *
 * The answer is a new object delegating to `store`, so the store itself is never changed.
 */
export function withAttemptAndClaim(store: MfaStoreOperations): MfaStore {
  return {
    name: store.name,
    load: (query) => store.load(query),
    beginAttempt: (request) => store.beginAttempt(request),
    savePending: (request) => store.savePending(request),
    claimStep: (claim) => store.claimStep(claim),
    activatePending: (request) => store.activatePending(request),
    consumeRecoveryCode: (request) => store.consumeRecoveryCode(request),
    replaceRecoveryCodes: (request) => store.replaceRecoveryCodes(request),
    deleteFactor: (query) => store.deleteFactor(query),
    attemptAndClaim: (claim) => attemptThenClaim(store, claim),
  };
}

async function attemptThenClaim(store: MfaStoreOperations, claim: AttemptClaim): Promise<AttemptClaimResult> {
  const { userId, now, windowMs, secretId, step, maxAttempts, resealedSecret } = claim;
  const { attempts, state } = await store.beginAttempt({ userId, now, windowMs });
  // Checked here, strictly, before anything is claimed: a `claimed` answer carries no count for the provider's store
  // guard to check afterwards, so a count of null, '' or false (which compare as 0) must lock, not let a code in.
  const count: unknown = attempts?.count;
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count > maxAttempts) {
    return { outcome: 'locked', attempts };
  }
  if (state?.factor?.secretId !== secretId) return { outcome: 'stale', attempts, state };
  if (step === null) return { outcome: 'counted', attempts };
  const claimed = await store.claimStep({ userId, target: 'factor', secretId, step, resealedSecret });
  return claimed === true ? { outcome: 'claimed' } : { outcome: 'replayed', attempts };
}
