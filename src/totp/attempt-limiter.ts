import { MfaRateLimitedError, type MfaInvalidCodeError } from '../errors.js';
import type { MfaEvent, MfaVerifyFailure } from './events.js';
import { LockMemo } from './lock-memo.js';
import type { ClientKeyHasher } from './mac.js';
import type { AttemptBudget, AttemptLimit, AttemptWindow } from './store.js';

/** The limits of the login policy, as resolved from the provider's options. */
export interface AttemptLimits {
  /** Failed codes per user and client (or per user, without `clientKey`) per window. */
  maxAttempts: number;
  /** Failed codes per user over all clients per window (only with `clientKey`). */
  maxAttemptsPerUser: number;
  /** Failed recovery codes per user and client (or per user) per window. */
  maxRecoveryCodeAttempts: number;
  attemptWindowMs: number;
}

/** What is being checked: a code of the enabled factor, a code confirming a setup, or a recovery code. */
export type AttemptKind = 'code' | 'setup' | 'recovery';

/** One check's budget, with the key its known lock is remembered under. */
export interface Budget extends AttemptBudget {
  /** The user id and the bucket names: the lock memo's key. */
  readonly memoKey: string;
}

/**
 * The login policy, in one place: which buckets a check is limited by, what a refusal says (attempts left, when to
 * retry), which events it sends, and the memo of known locks.
 *
 * - Codes of the enabled factor: without `clientKey`, bucket `code` (maxAttempts); with it, `code:c:<hash>`
 *   (maxAttempts) and `code` (maxAttemptsPerUser, the ceiling over all clients).
 * - A setup's confirmation: its own `setup` bucket, so a user locked out of the old factor can still enrol again.
 * - Recovery codes: `recovery:c:<hash>` or `recovery` (maxRecoveryCodeAttempts), never the TOTP buckets, so a TOTP
 *   lockout never closes the recovery path.
 * Replays are not counted (the store does not count them); a success clears the buckets it was checked against.
 */
export class AttemptLimiter {
  readonly limits: AttemptLimits;
  readonly #hasher: ClientKeyHasher;
  readonly #emit: (event: MfaEvent) => void;
  readonly #locks: LockMemo;

  constructor(limits: AttemptLimits, hasher: ClientKeyHasher, emit: (event: MfaEvent) => void, memoSize: number) {
    this.limits = limits;
    this.#hasher = hasher;
    this.#emit = emit;
    this.#locks = new LockMemo(memoSize);
  }

  budget(kind: AttemptKind, userId: string, clientKey: string | undefined, now: number): Budget {
    const { maxAttempts, maxAttemptsPerUser, maxRecoveryCodeAttempts, attemptWindowMs } = this.limits;
    let limits: AttemptLimit[];
    if (kind === 'setup') limits = [{ bucket: 'setup', max: maxAttempts }];
    else if (kind === 'recovery')
      limits = [{ bucket: clientBucket('recovery', this.#hasher, clientKey), max: maxRecoveryCodeAttempts }];
    else if (clientKey === undefined) limits = [{ bucket: 'code', max: maxAttempts }];
    else
      limits = [
        { bucket: clientBucket('code', this.#hasher, clientKey), max: maxAttempts },
        { bucket: 'code', max: maxAttemptsPerUser },
      ];
    const memoKey = `${userId}\0${limits.map((limit) => limit.bucket).join('\0')}`;
    return { now, windowMs: attemptWindowMs, limits, memoKey };
  }

  /** True while this server knows the budget is locked: the code is then not computed. */
  knownLocked(budget: Budget): boolean {
    return this.#locks.has(budget.memoKey, budget.now);
  }

  /** The lock is over (the store said so), or the check succeeded. */
  forget(budget: Budget): void {
    this.#locks.delete(budget.memoKey);
  }

  /** `unlock`, `adminReset`, a new factor: no lock of the user is known any more. */
  forgetUser(userId: string): void {
    this.#locks.deleteUser(userId);
  }

  /** The store refused as `locked`: remembered, reported, and answered with when to retry. */
  locked(userId: string, budget: Budget, attempts: readonly AttemptWindow[]): MfaRateLimitedError {
    const until = lockedUntil(budget, attempts);
    this.#locks.set(budget.memoKey, until);
    const at = new Date(budget.now);
    this.#emit({ type: 'verify_failed', userId, at, reason: 'rate_limited', attempts: attempts[0]?.count ?? 0 });
    return new MfaRateLimitedError('Too many failed attempts; try again later', {
      retryAfterMs: Math.max(0, until - budget.now),
    });
  }

  /**
   * A failed check (counted, or a replay that was not): reported, `attemptsRemaining` set from the windows, and the
   * `locked` event sent exactly when this failure made a count reach its limit (a lock starts now). Returns `error`.
   */
  refuse(
    userId: string,
    budget: Budget,
    attempts: readonly AttemptWindow[],
    reason: MfaVerifyFailure,
    error: (attemptsRemaining: number) => MfaInvalidCodeError,
  ): MfaInvalidCodeError {
    const at = new Date(budget.now);
    const remaining = Math.max(0, Math.min(...budget.limits.map((limit, i) => limit.max - (attempts[i]?.count ?? 0))));
    this.#emit({ type: 'verify_failed', userId, at, reason, attempts: attempts[0]?.count ?? 0 });
    const counted = reason !== 'replayed';
    if (counted && budget.limits.some((limit, i) => attempts[i]?.count === limit.max)) {
      const until = lockedUntil(budget, attempts);
      this.#locks.set(budget.memoKey, until);
      this.#emit({ type: 'locked', userId, at, retryAfterMs: Math.max(0, until - budget.now) });
    }
    return error(remaining);
  }

  /** A failure that was not a guess (nothing to check against): reported, not counted. */
  report(userId: string, now: number, reason: MfaVerifyFailure): void {
    this.#emit({ type: 'verify_failed', userId, at: new Date(now), reason, attempts: 0 });
  }
}

function clientBucket(prefix: 'code' | 'recovery', hasher: ClientKeyHasher, clientKey: string | undefined): string {
  return clientKey === undefined ? prefix : `${prefix}:c:${hasher.hash(clientKey)}`;
}

/** When every full window has ended: the operation is refused while any limit's count is at its max. */
function lockedUntil(budget: Budget, attempts: readonly AttemptWindow[]): number {
  let until = budget.now;
  budget.limits.forEach((limit, i) => {
    const window = attempts[i];
    if (window !== undefined && window.count >= limit.max) until = Math.max(until, window.resetAt);
  });
  return until;
}
