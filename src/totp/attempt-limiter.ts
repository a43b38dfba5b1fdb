import { MfaRateLimitedError, type MfaError } from '../errors.js';
import type { MfaEvent, MfaVerifyFailure } from './events.js';
import type { GuardedStore } from './guarded-store.js';
import type { AttemptBegun, AttemptWindow } from './store.js';

export interface AttemptLimits {
  maxAttempts: number;
  attemptWindowMs: number;
}

/**
 * The attempt policy of every check of something the user typed (a TOTP code, a recovery code): each attempt is
 * counted in the store before its result counts for anything, past `maxAttempts` in the window it is refused without
 * looking at what was typed, and each refusal is reported. The one place a login policy (lockout per client,
 * remaining attempts in the answer) changes.
 */
export class AttemptLimiter {
  readonly limits: AttemptLimits;
  readonly #store: GuardedStore;
  readonly #emit: (event: MfaEvent) => void;

  constructor(store: GuardedStore, limits: AttemptLimits, emit: (event: MfaEvent) => void) {
    this.#store = store;
    this.limits = limits;
    this.#emit = emit;
  }

  /** Counts the attempt first, then refuses it without looking at the code when the limit is passed. */
  async begin(userId: string, now: number): Promise<AttemptBegun> {
    const begun = await this.#store.beginAttempt({ userId, now, windowMs: this.limits.attemptWindowMs });
    this.admit(userId, now, begun.attempts);
    return begun;
  }

  /** Throws the rate-limit refusal when `attempts` is past the limit. */
  admit(userId: string, now: number, attempts: AttemptWindow): void {
    if (attempts.count > this.limits.maxAttempts) throw this.lockedOut(userId, now, attempts);
  }

  lockedOut(userId: string, now: number, attempts: AttemptWindow): MfaRateLimitedError {
    const retryAfterMs = Math.max(0, attempts.resetAt - now);
    this.#emit({ type: 'verify_failed', userId, at: new Date(now), reason: 'rate_limited', attempts: attempts.count });
    return new MfaRateLimitedError('Too many failed attempts; try again later', { retryAfterMs });
  }

  /** Reports a counted attempt that failed (and the lock it reached, if it was the last one allowed); returns `error`. */
  refuse(userId: string, now: number, attempts: AttemptWindow, reason: MfaVerifyFailure, error: MfaError): MfaError {
    const at = new Date(now);
    this.#emit({ type: 'verify_failed', userId, at, reason, attempts: attempts.count });
    if (attempts.count === this.limits.maxAttempts)
      this.#emit({ type: 'locked', userId, at, retryAfterMs: Math.max(0, attempts.resetAt - now) });
    return error;
  }
}
