import type { AttemptLimiter } from './attempt-limiter.js';
import type { MfaEvent } from './events.js';
import type { SealedFactorCache } from './factor-cache.js';
import type { GuardedStore } from './guarded-store.js';
import { canonicalRecoveryCode, type RecoveryCodeHasher } from './recovery-codes.js';
import { notEnabled, recoveryCodeMismatch } from './refusals.js';

/** A recovery code accepted and used up: how many are left, and the factor it belonged to. */
export interface RecoveryCodeUsed {
  remaining: number;
  /** The `secretId` of the factor enabled when the code was used: what a step-up token from it names. */
  secretId: string;
}

/** The parts the check works with, built once by the provider. */
export interface RecoveryCheckParts {
  store: GuardedStore;
  limiter: AttemptLimiter;
  hasher: RecoveryCodeHasher;
  cache: SealedFactorCache | null;
  emit: (event: MfaEvent) => void;
}

/**
 * The recovery-code check: hashed here (the store sees hashes only), then ONE `useRecoveryCode`, in which the store
 * checks the recovery budget (its own buckets, never the TOTP ones), removes the code or counts the failure, and
 * answers the `secretId` of the factor the code belonged to (what a step-up token from this use names). No `load`
 * comes first: `no_factor` says MFA is off, in the same round trip.
 */
export class RecoveryCodeCheck {
  readonly #parts: RecoveryCheckParts;

  constructor(parts: RecoveryCheckParts) {
    this.#parts = parts;
  }

  async use(userId: string, code: string, clientKey: string | undefined, now: number): Promise<RecoveryCodeUsed> {
    const { store, limiter, hasher, cache, emit } = this.#parts;
    const canonical = canonicalRecoveryCode(code);
    // What cannot be a recovery code is still a counted failure (no hash matches an empty list): typing junk is a guess.
    const candidateHashes = canonical === null ? [] : hasher.candidates(userId, canonical);
    const budget = limiter.budget('recovery', userId, clientKey, now);
    const answer = await store.useRecoveryCode({ userId, candidateHashes, budget });
    switch (answer.outcome) {
      case 'used':
        limiter.forget(budget);
        // A cached factor of another id was replaced on another server: the next verify reads the new one.
        if (cache?.get(userId)?.secretId !== answer.secretId) cache?.delete(userId);
        emit({ type: 'recovery_code_used', userId, at: new Date(now), remaining: answer.remaining });
        return { remaining: answer.remaining, secretId: answer.secretId };
      case 'locked':
        throw limiter.locked(userId, budget, answer.attempts);
      case 'no_factor':
        cache?.delete(userId);
        limiter.report(userId, now, 'no_factor');
        throw notEnabled();
      case 'mismatch':
        throw limiter.refuse(userId, budget, answer.attempts, 'recovery_code_mismatch', recoveryCodeMismatch);
    }
  }
}
