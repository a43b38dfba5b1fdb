import type { CryptoPlugin } from 'otplib';
import { invalidResponse } from '../internal/provider-failures.js';
import type { AttemptLimiter, Budget } from './attempt-limiter.js';
import type { CachedFactor, SealedFactorCache } from './factor-cache.js';
import type { GuardedStore } from './guarded-store.js';
import { expiredSetup, mismatch, noSetup, notEnabled, replayed, stateChanged } from './refusals.js';
import type { SecretBox } from './secret-box.js';
import type { ClaimTarget, MfaStoredState } from './store.js';
import { matchingStep } from './window-match.js';

/** One check of a TOTP code, described once and passed whole. */
export interface VerifyAttempt {
  userId: string;
  /** Exactly six ASCII digits (MfaClient has normalised it). */
  code: string;
  /** The provider's clock, epoch milliseconds. */
  now: number;
  /** `factor`: the enabled factor only (the login-time check); `factor_or_setup`: else a live pending setup too. */
  accepts: 'factor' | 'factor_or_setup';
  /** The client's key from the call context, if the app gave one. */
  clientKey?: string | undefined;
}

/** What the accepted code belonged to. */
export type VerifiedTarget = ClaimTarget;

/** The accepted code's target and the `secretId` it was checked against (what a step-up token names). */
export interface Verified {
  target: VerifiedTarget;
  secretId: string;
}

/** The parts the verifier works with, built once by the provider. */
export interface CodeVerifierParts {
  store: GuardedStore;
  limiter: AttemptLimiter;
  box: SecretBox;
  /** Sealed factors of recent verifies; null when off. */
  cache: SealedFactorCache | null;
  /** Steps of tolerance either side of `now`. */
  window: number;
  /** The HMAC behind every TOTP code (the `totpCrypto` option). */
  crypto: CryptoPlugin;
}

/** What a code is checked against: the enabled factor or a live pending setup, sealed. */
interface Candidate {
  target: VerifiedTarget;
  record: CachedFactor;
}

/**
 * A `secretId` no record has (ids are UUIDs): `attemptAndClaim` with it and no step changes nothing and counts
 * nothing: it answers `locked`, or `stale` with the state. That is how a known lock is checked without the code.
 */
const LOCK_PROBE = 'lock-probe';

/**
 * The code check: (the cached sealed factor, or `load`) → the code checked here, every step of the window → ONE
 * `attemptAndClaim`, in which the store decides budget, claim or count atomically. A warm verify is one store round
 * trip, a cold one two. A `stale` answer (the factor was replaced or disabled on another server) comes with the
 * state: the code is checked once more on it, and a second `stale` is an error, never a success.
 * While a lock is known on this server, the code is not computed at all: the store is only asked whether the lock
 * still holds (`LOCK_PROBE`), so a locked answer costs the same whatever was typed.
 */
export class CodeVerifier {
  readonly #parts: CodeVerifierParts;

  constructor(parts: CodeVerifierParts) {
    this.#parts = parts;
  }

  async verify(attempt: VerifyAttempt): Promise<Verified> {
    const { userId, now, clientKey } = attempt;
    const { store, limiter } = this.#parts;
    const cached = this.#parts.cache?.get(userId);
    let candidate: Candidate =
      cached !== undefined ? { target: 'factor', record: cached } : this.#pick(attempt, await this.#load(userId));
    let staleAnswers = 0;
    for (;;) {
      const budget = limiter.budget(candidate.target === 'factor' ? 'code' : 'setup', userId, clientKey, now);
      if (limiter.knownLocked(budget)) {
        const probe = await store.attemptAndClaim({
          userId,
          target: candidate.target,
          secretId: LOCK_PROBE,
          step: null,
          budget,
        });
        if (probe.outcome === 'locked') throw limiter.locked(userId, budget, probe.attempts);
        if (probe.outcome !== 'stale') throw invalidResponse('The MFA store counted an attempt for a secret it lacks');
        limiter.forget(budget);
        candidate = this.#pick(attempt, this.#remember(userId, probe.state));
        continue;
      }
      const answer = await this.#attempt(attempt, candidate, budget);
      if (answer !== 'stale') return answer;
      if (++staleAnswers > 1) throw stateChanged();
    }
  }

  /** One check of the code on `candidate`, and the store's decision on it; `stale` leaves `candidate` re-picked. */
  async #attempt(attempt: VerifyAttempt, candidate: Candidate, budget: Budget): Promise<Verified | 'stale'> {
    const { userId, code, now } = attempt;
    const { box, cache, store, limiter, window, crypto } = this.#parts;
    const { target, record } = candidate;
    let secret: string;
    try {
      secret = box.open(userId, record.sealedSecret);
    } catch (error) {
      // Same error as the store's copy would give (it is that copy); dropped so the next call reads the store again.
      if (target === 'factor') cache?.delete(userId);
      throw error;
    }
    const step = matchingStep(secret, code, now, window, crypto);
    // Key rotation: a secret sealed with an older key is sealed again with the current one in the same update.
    const resealedSecret = step !== null && box.isStale(record.sealedSecret) ? box.seal(userId, secret) : undefined;
    const answer = await store.attemptAndClaim({
      userId,
      target,
      secretId: record.secretId,
      step,
      budget,
      resealedSecret,
    });
    switch (answer.outcome) {
      case 'claimed':
        limiter.forget(budget);
        if (target === 'factor')
          cache?.set(userId, { secretId: record.secretId, sealedSecret: resealedSecret ?? record.sealedSecret });
        return { target, secretId: record.secretId };
      case 'locked':
        throw limiter.locked(userId, budget, answer.attempts);
      case 'mismatch':
        throw limiter.refuse(userId, budget, answer.attempts, 'mismatch', mismatch);
      case 'replayed':
        throw limiter.refuse(userId, budget, answer.attempts, 'replayed', replayed);
      case 'stale':
        Object.assign(candidate, this.#pick(attempt, this.#remember(userId, answer.state)));
        return 'stale';
    }
  }

  async #load(userId: string): Promise<MfaStoredState> {
    return this.#remember(userId, await this.#parts.store.load({ userId }));
  }

  /** The enabled factor if there is one, else (when accepted) a live setup; else the refusal, not counted. */
  #pick(attempt: VerifyAttempt, state: MfaStoredState): Candidate {
    const { userId, now } = attempt;
    const setupAccepted = attempt.accepts === 'factor_or_setup';
    // An enabled factor always wins: a pending setup (which only exists without one, or by a race) is never a way
    // around the factor.
    if (state.factor) return { target: 'factor', record: state.factor };
    const pending = state.pending;
    if (setupAccepted && pending !== null && now < pending.expiresAt) return { target: 'pending', record: pending };
    if (setupAccepted && pending !== null) {
      this.#parts.limiter.report(userId, now, 'expired_setup');
      throw expiredSetup();
    }
    this.#parts.limiter.report(userId, now, 'no_factor');
    throw setupAccepted ? noSetup() : notEnabled();
  }

  /**
   * The verify path's own reads fill the cache (nothing else does, so enable, getStatus and the rest cost what they
   * did): the next verify of this user on this server is one round trip.
   */
  #remember(userId: string, state: MfaStoredState): MfaStoredState {
    const cache = this.#parts.cache;
    if (cache !== null) {
      if (state.factor) cache.set(userId, state.factor);
      else cache.delete(userId);
    }
    return state;
  }
}
