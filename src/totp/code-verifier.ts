import { verifySync } from 'otplib';
import { MfaProviderError } from '../errors.js';
import type { AttemptLimiter } from './attempt-limiter.js';
import type { MfaEvent } from './events.js';
import type { CachedFactor, SealedFactorCache } from './factor-cache.js';
import type { GuardedStore } from './guarded-store.js';
import { nodeCrypto } from './node-crypto.js';
import { expiredSetup, mismatch, noSetup, notEnabled, replayed } from './refusals.js';
import type { SecretBox } from './secret-box.js';
import type { AttemptWindow, MfaStoredState } from './store.js';

const PERIOD_SECONDS = 30;

/** One check of a TOTP code, described once and passed whole. */
export interface VerifyAttempt {
  userId: string;
  /** Exactly six ASCII digits (MfaClient has normalised it). */
  code: string;
  /** The provider's clock, epoch milliseconds. */
  now: number;
  /** `factor`: the enabled factor only (the login-time check); `factor_or_setup`: else a live pending setup too. */
  accepts: 'factor' | 'factor_or_setup';
}

/** What the accepted code belonged to. */
export type VerifiedTarget = 'factor' | 'pending';

export interface CodeVerifierParts {
  store: GuardedStore;
  limiter: AttemptLimiter;
  box: SecretBox;
  /** Sealed factors of recent verifies; null when off. */
  cache: SealedFactorCache | null;
  /** Steps of tolerance either side of `now`. */
  window: number;
  emit: (event: MfaEvent) => void;
}

/**
 * The code check, on the cached factor (one round trip) or on the stored state (two). Every path counts the attempt
 * before the code's result counts for anything, and claims the matched step with a compare-and-set in the store.
 */
export class CodeVerifier {
  readonly #parts: CodeVerifierParts;

  constructor(parts: CodeVerifierParts) {
    this.#parts = parts;
  }

  async verify(attempt: VerifyAttempt): Promise<VerifiedTarget> {
    const cached = this.#parts.cache?.get(attempt.userId);
    if (cached !== undefined) return this.#checkCached(attempt, cached);
    const { attempts, state } = await this.#parts.limiter.begin(attempt.userId, attempt.now);
    this.#remember(attempt.userId, state);
    return this.#decide(attempt, attempts, state);
  }

  /**
   * One round trip: the code is checked against the cached sealed factor first, then the store counts the attempt
   * and, only within the limit and only if that factor is still the stored one, claims the step, all in one atomic
   * operation. A right and a wrong code send the same operation and, past the limit, get the same answer. If the
   * factor changed meanwhile (disabled, replaced on another server), the store says `stale` with the current state,
   * and the call goes on as after `beginAttempt`, on that state, with the attempt it already counted.
   */
  async #checkCached(attempt: VerifyAttempt, cached: CachedFactor): Promise<VerifiedTarget> {
    const { userId, now } = attempt;
    const { box, cache, store, limiter } = this.#parts;
    let secret: string;
    try {
      secret = box.open(userId, cached.sealedSecret);
    } catch (error) {
      // Same error as the store's copy would give (it is that copy); dropped so the next call reads the store again.
      cache?.delete(userId);
      throw error;
    }
    const step = this.#matchingStep(secret, attempt);
    const resealed = step !== null && box.isStale(cached.sealedSecret) ? box.seal(userId, secret) : undefined;
    const { maxAttempts, attemptWindowMs: windowMs } = limiter.limits;
    const answer = await store.attemptAndClaim({
      userId,
      secretId: cached.secretId,
      step,
      now,
      windowMs,
      maxAttempts,
      resealedSecret: resealed,
    });
    switch (answer.outcome) {
      case 'claimed':
        if (resealed !== undefined) cache?.set(userId, { secretId: cached.secretId, sealedSecret: resealed });
        return 'factor';
      case 'locked':
        throw limiter.lockedOut(userId, now, answer.attempts);
      case 'stale':
        limiter.admit(userId, now, answer.attempts);
        this.#remember(userId, answer.state);
        return this.#decide(attempt, answer.attempts, answer.state);
      case 'counted':
        limiter.admit(userId, now, answer.attempts);
        throw limiter.refuse(userId, now, answer.attempts, 'mismatch', mismatch());
      case 'replayed':
        limiter.admit(userId, now, answer.attempts);
        throw limiter.refuse(userId, now, answer.attempts, 'replayed', replayed());
    }
  }

  /** The check after the attempt was counted, on the state read with it: the factor if enabled, else a live setup. */
  async #decide(attempt: VerifyAttempt, attempts: AttemptWindow, state: MfaStoredState): Promise<VerifiedTarget> {
    const { userId, now } = attempt;
    const { box, cache, store, limiter } = this.#parts;
    const setupAccepted = attempt.accepts === 'factor_or_setup';
    // An enabled factor always wins: a pending setup (which only exists without one, or by a race) is never a way
    // around the factor.
    const livePending =
      setupAccepted && !state.factor && state.pending !== null && now < state.pending.expiresAt ? state.pending : null;
    const target: VerifiedTarget | null = state.factor ? 'factor' : livePending ? 'pending' : null;
    const record = state.factor ?? livePending;
    if (target === null || record === null) {
      if (setupAccepted && state.pending) throw limiter.refuse(userId, now, attempts, 'expired_setup', expiredSetup());
      throw limiter.refuse(userId, now, attempts, 'no_factor', setupAccepted ? noSetup() : notEnabled());
    }
    const secret = box.open(userId, record.sealedSecret);
    const step = this.#matchingStep(secret, attempt);
    if (step === null) throw limiter.refuse(userId, now, attempts, 'mismatch', mismatch());
    // A step at or before the last accepted one is a replay; the store's compare-and-set settles races between servers.
    const fresh = record.lastStep === null || step > record.lastStep;
    // Key rotation: a secret sealed with an older key is sealed again with the current one in the same update.
    const resealedSecret = box.isStale(record.sealedSecret) ? box.seal(userId, secret) : undefined;
    if (!fresh || !(await store.claimStep({ userId, target, secretId: record.secretId, step, resealedSecret })))
      throw limiter.refuse(userId, now, attempts, 'replayed', replayed());
    if (target === 'factor' && resealedSecret !== undefined)
      cache?.set(userId, { secretId: record.secretId, sealedSecret: resealedSecret });
    return target;
  }

  /** The time step the code matches within the window, or null (otplib compares in constant time per candidate). */
  #matchingStep(secret: string, attempt: VerifyAttempt): number | null {
    const result = verifySync({
      secret,
      token: attempt.code,
      epoch: Math.floor(attempt.now / 1000),
      epochTolerance: this.#parts.window * PERIOD_SECONDS,
      crypto: nodeCrypto,
    });
    if (!result.valid) return null;
    // otplib's result type also covers HOTP; a TOTP verification always carries the matched time step.
    const step = 'timeStep' in result ? result.timeStep : Number.NaN;
    if (!Number.isSafeInteger(step))
      throw new MfaProviderError('otplib returned no time step', { type: 'unexpected', retryable: false });
    return step;
  }

  /**
   * The verify path's own reads fill the cache (nothing else does, so enable, getStatus and the rest cost what they
   * did): the next verify of this user on this server is one round trip.
   */
  #remember(userId: string, state: MfaStoredState): void {
    const cache = this.#parts.cache;
    if (cache === null) return;
    if (state.factor) cache.set(userId, state.factor);
    else cache.delete(userId);
  }
}
