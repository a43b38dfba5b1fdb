import { randomUUID } from 'node:crypto';
import { generateSecret, verifySync } from 'otplib';
import {
  MfaConfigurationError,
  MfaConflictError,
  MfaInvalidCodeError,
  MfaNotFoundError,
  MfaProviderError,
  MfaRateLimitedError,
  MfaValidationError,
  isMfaError,
  type MfaError,
} from '../errors.js';
import type {
  MfaCallContext,
  MfaDisableResult,
  MfaEnableResult,
  MfaMethod,
  MfaProvider,
  MfaRecoveryCodeResult,
  MfaRecoveryCodesResult,
  MfaStatus,
  MfaUser,
  MfaVerifyResult,
} from '../types.js';
import { safeEmitter, type MfaEvent, type MfaVerifyFailure } from './events.js';
import { SealedFactorCache, type CachedFactor } from './factor-cache.js';
import { nodeCrypto } from './node-crypto.js';
import { resolveTotpOptions, type ResolvedTotpOptions, type TotpMfaProviderOptions } from './options.js';
import { RecoveryCodeHasher, canonicalRecoveryCode, generateRecoveryCodes } from './recovery-codes.js';
import { SecretBox } from './secret-box.js';
import type { AttemptClaimResult, AttemptWindow, MfaStore, MfaStoredState } from './store.js';

const PERIOD_SECONDS = 30;
const BASE32_SECRET = /^[A-Z2-7]{26,128}$/; // at least 16 bytes

/**
 * Self-hosted TOTP: the app keeps the state, in a store shared by all its servers.
 *
 * - Replay protection: the time step of every accepted code is claimed with an atomic compare-and-set in the store;
 *   that step and every earlier one are refused afterwards, on every server.
 * - Attempt limit: each attempt is counted (atomically, in the store) before the code's result counts for anything;
 *   past `maxAttempts` in the window, attempts fail fast with `MfaRateLimitedError` and nothing is claimed. (With a
 *   cached factor the code is checked in the app first, but a right and a wrong code then send the same store
 *   operation and, past the limit, get the same refusal.)
 * - One round trip: the sealed factor of recent verifies is cached (ciphertext only); a verify checks the code against
 *   it, then counts and claims in one atomic store operation that also checks the factor is still the stored one.
 * - Secrets are sealed with AES-256-GCM before they reach the store; recovery codes are stored as keyed hashes.
 */
export class TotpMfaProvider implements MfaProvider {
  readonly name = 'totp';
  readonly store: MfaStore;
  /** Ids of the encryption keys, newest (the one that seals) first: to find records still sealed with an old key. */
  readonly keyIds: readonly string[];
  readonly #options: ResolvedTotpOptions;
  readonly #box: SecretBox;
  readonly #hasher: RecoveryCodeHasher;
  readonly #emit: (event: MfaEvent) => void;
  readonly #generateSecret: () => string;
  /**
   * Sealed factors of recent verifies; null when the store cannot count and claim in one operation, or size 0.
   * A `#` field: a provider object that ends up in a log line must not carry thousands of users' ids and sealed secrets.
   */
  readonly #factorCache: SealedFactorCache | null;

  constructor(options: TotpMfaProviderOptions = {}) {
    this.#options = resolveTotpOptions(options);
    this.store = this.#options.store;
    this.keyIds = Object.freeze(this.#options.keys.map((key) => key.id));
    this.#box = new SecretBox(this.#options.keys);
    this.#hasher = new RecoveryCodeHasher(this.#options.keys);
    this.#emit = safeEmitter(options.onEvent);
    this.#generateSecret = options.generateSecret ?? (() => generateSecret());
    const oneRoundTrip = combinesAttemptAndClaim(this.store) && this.#options.factorCacheSize > 0;
    this.#factorCache = oneRoundTrip ? new SealedFactorCache(this.#options.factorCacheSize) : null;
  }

  async getStatus(user: MfaUser, _ctx?: MfaCallContext): Promise<MfaStatus> {
    const { factor } = await this.#storeCall(() => this.store.load(user.id));
    return factor ? { enabled: true, method: 'softwareToken' } : { enabled: false, method: null };
  }

  /**
   * A new pending setup, replacing any earlier pending one. Refused while a factor is enabled: changing the
   * authenticator means disabling first (behind whatever step-up check the app asks for), so a stolen session cannot
   * swap in an authenticator of its own.
   */
  async createSecret(user: MfaUser, _ctx?: MfaCallContext): Promise<{ secret: string }> {
    const { factor } = await this.#storeCall(() => this.store.load(user.id));
    if (factor) throw alreadyEnabled();
    const secret = this.#generateSecret();
    if (typeof secret !== 'string' || !BASE32_SECRET.test(secret)) {
      throw new MfaConfigurationError('generateSecret must return a base32 secret of at least 16 bytes');
    }
    const now = this.#nowMs();
    const expiresAt = now + this.#options.setupTtlMs;
    const pending = {
      secretId: randomUUID(),
      sealedSecret: this.#box.seal(user.id, secret),
      lastStep: null,
      createdAt: now,
      expiresAt,
      confirmed: false,
    };
    await this.#storeCall(() => this.store.savePending(user.id, pending));
    this.#emit({ type: 'setup_created', userId: user.id, at: new Date(now), expiresAt: new Date(expiresAt) });
    return { secret };
  }

  /** With MFA enabled, checks the enabled factor (the login-time check); otherwise confirms the pending setup. */
  verify(user: MfaUser, code: string, _ctx?: MfaCallContext): Promise<MfaVerifyResult> {
    return this.#checkCode(user.id, code, true);
  }

  /** The login-time check: the enabled factor only, never a pending setup. */
  verifyFactor(user: MfaUser, code: string, _ctx?: MfaCallContext): Promise<MfaVerifyResult> {
    return this.#checkCode(user.id, code, false);
  }

  async enable(user: MfaUser, options: { method: MfaMethod }, _ctx?: MfaCallContext): Promise<MfaEnableResult> {
    if (options.method !== 'softwareToken')
      throw new MfaValidationError('The self-hosted TOTP provider supports only the softwareToken method', {
        field: 'method',
      });
    const now = this.#nowMs();
    const state = await this.#storeCall(() => this.store.load(user.id));
    if (state.factor) throw alreadyEnabled();
    const pending = state.pending !== null && now < state.pending.expiresAt ? state.pending : null;
    if (!pending?.confirmed) {
      throw new MfaConflictError(
        state.pending && !pending
          ? 'The setup expired before it was enabled; create a new one'
          : 'Verify a code from the authenticator before enabling MFA',
        { reason: 'not_verified' },
      );
    }
    const { recoveryCodes, hashes } = this.#newRecoveryCodes(user.id);
    const activated = await this.#storeCall(() => this.store.activatePending(user.id, pending.secretId, hashes, now));
    // Strict checks on what a store answers: a custom store's slip (undefined, "0") must fail closed, not open.
    if (activated !== true)
      throw new MfaConflictError('The setup changed while it was being enabled; verify a new code', {
        reason: 'not_verified',
      });
    this.#emit({ type: 'enabled', userId: user.id, at: new Date(now) });
    return { enabled: true, method: 'softwareToken', recoveryCodes };
  }

  async disable(user: MfaUser, _ctx?: MfaCallContext): Promise<MfaDisableResult> {
    this.#factorCache?.delete(user.id);
    const existed = await this.#storeCall(() => this.store.deleteFactor(user.id));
    if (existed) this.#emit({ type: 'disabled', userId: user.id, at: new Date(this.#nowMs()) });
    return { enabled: false };
  }

  async verifyRecoveryCode(user: MfaUser, code: string, _ctx?: MfaCallContext): Promise<MfaRecoveryCodeResult> {
    const now = this.#nowMs();
    const { attempts, state } = await this.#beginAttempt(user.id, now);
    if (!state.factor)
      throw this.#failure(
        user.id,
        now,
        attempts,
        'no_factor',
        new MfaNotFoundError('MFA is not enabled for this user'),
      );
    const canonical = canonicalRecoveryCode(code);
    const remaining =
      canonical === null
        ? null
        : await this.#storeCall(() =>
            this.store.consumeRecoveryCode(user.id, this.#hasher.candidates(user.id, canonical)),
          );
    if (typeof remaining !== 'number' || !Number.isSafeInteger(remaining) || remaining < 0) {
      const error = new MfaInvalidCodeError('The recovery code is incorrect or already used', { reason: 'mismatch' });
      throw this.#failure(user.id, now, attempts, 'recovery_code_mismatch', error);
    }
    this.#emit({ type: 'recovery_code_used', userId: user.id, at: new Date(now), remaining });
    return { remaining };
  }

  async regenerateRecoveryCodes(user: MfaUser, _ctx?: MfaCallContext): Promise<MfaRecoveryCodesResult> {
    const { recoveryCodes, hashes } = this.#newRecoveryCodes(user.id);
    const replaced = await this.#storeCall(() => this.store.replaceRecoveryCodes(user.id, hashes));
    if (replaced !== true) throw new MfaNotFoundError('MFA is not enabled for this user');
    this.#emit({
      type: 'recovery_codes_regenerated',
      userId: user.id,
      at: new Date(this.#nowMs()),
      count: recoveryCodes.length,
    });
    return { recoveryCodes };
  }

  async #checkCode(userId: string, code: string, allowPending: boolean): Promise<MfaVerifyResult> {
    const now = this.#nowMs();
    const cached = this.#factorCache?.get(userId);
    if (cached !== undefined) return this.#checkCached(userId, code, allowPending, now, cached);
    const { attempts, state } = await this.#beginAttempt(userId, now);
    return this.#decide(userId, code, allowPending, now, attempts, state);
  }

  /**
   * One round trip: the code is checked against the cached sealed factor first, then the store counts the attempt
   * and, only within the limit and only if that factor is still the stored one, claims the step, all in one atomic
   * operation. A right and a wrong code send the same operation and, past the limit, get the same answer. If the
   * factor changed meanwhile (disabled, replaced on another server), the store says `stale` with the current state,
   * and the call goes on as after `beginAttempt`, on that state, with the attempt it already counted.
   */
  async #checkCached(
    userId: string,
    code: string,
    allowPending: boolean,
    now: number,
    cached: CachedFactor,
  ): Promise<MfaVerifyResult> {
    let secret: string;
    try {
      secret = this.#box.open(userId, cached.sealedSecret);
    } catch (error) {
      // Same error as the store's copy would give (it is that copy); dropped so the next call reads the store again.
      this.#factorCache?.delete(userId);
      throw error;
    }
    const step = this.#matchingStep(secret, code, now);
    const resealed =
      step !== null && this.#box.isStale(cached.sealedSecret) ? this.#box.seal(userId, secret) : undefined;
    const answer = await this.#attemptAndClaim(userId, cached.secretId, step, now, resealed);
    switch (answer.outcome) {
      case 'claimed':
        if (resealed !== undefined)
          this.#factorCache?.set(userId, { secretId: cached.secretId, sealedSecret: resealed });
        return this.#verified(userId, now, 'factor');
      case 'stale':
        this.#remember(userId, answer.state);
        return this.#decide(userId, code, allowPending, now, answer.attempts, answer.state);
      case 'counted':
        throw this.#failure(userId, now, answer.attempts, 'mismatch', new MfaInvalidCodeError());
      default:
        throw this.#failure(userId, now, answer.attempts, 'replayed', replayed());
    }
  }

  /** The check after the attempt was counted, on the state read with it: the factor if enabled, else a live setup. */
  async #decide(
    userId: string,
    code: string,
    allowPending: boolean,
    now: number,
    attempts: AttemptWindow,
    state: MfaStoredState,
  ): Promise<MfaVerifyResult> {
    // An enabled factor always wins: a pending setup (which only exists without one, or by a race) is never a way
    // around the factor.
    const livePending =
      allowPending && !state.factor && state.pending !== null && now < state.pending.expiresAt ? state.pending : null;
    const target = state.factor ? 'factor' : livePending ? 'pending' : null;
    const record = state.factor ?? livePending;
    if (target === null || record === null) {
      if (allowPending && state.pending) {
        const expired = new MfaInvalidCodeError('The setup has expired; create a new one', { reason: 'expired_setup' });
        throw this.#failure(userId, now, attempts, 'expired_setup', expired);
      }
      const missing = new MfaNotFoundError(
        allowPending ? 'No authenticator is being set up or enabled for this user' : 'MFA is not enabled for this user',
      );
      throw this.#failure(userId, now, attempts, 'no_factor', missing);
    }
    const secret = this.#box.open(userId, record.sealedSecret);
    const step = this.#matchingStep(secret, code, now);
    if (step === null) throw this.#failure(userId, now, attempts, 'mismatch', new MfaInvalidCodeError());
    // A step at or before the last accepted one is a replay; the store's compare-and-set settles races between servers.
    const fresh = record.lastStep === null || step > record.lastStep;
    // Key rotation: a secret sealed with an older key is sealed again with the current one in the same update.
    const resealed = this.#box.isStale(record.sealedSecret) ? this.#box.seal(userId, secret) : undefined;
    if (
      !fresh ||
      (await this.#storeCall(() => this.store.claimStep(userId, target, record.secretId, step, resealed))) !== true
    ) {
      throw this.#failure(userId, now, attempts, 'replayed', replayed());
    }
    if (target === 'factor' && resealed !== undefined)
      this.#factorCache?.set(userId, { secretId: record.secretId, sealedSecret: resealed });
    return this.#verified(userId, now, target);
  }

  #verified(userId: string, now: number, target: 'factor' | 'pending'): MfaVerifyResult {
    this.#emit({ type: 'verified', userId, at: new Date(now), target: target === 'pending' ? 'setup' : 'factor' });
    return { verified: true };
  }

  /** The time step the code matches within the window, or null (otplib compares in constant time per candidate). */
  #matchingStep(secret: string, code: string, now: number): number | null {
    const result = verifySync({
      secret,
      token: code,
      epoch: Math.floor(now / 1000),
      epochTolerance: this.#options.window * PERIOD_SECONDS,
      crypto: nodeCrypto,
    });
    if (!result.valid) return null;
    // otplib's result type also covers HOTP; a TOTP verification always carries the matched time step.
    const step = 'timeStep' in result ? result.timeStep : Number.NaN;
    if (!Number.isSafeInteger(step))
      throw new MfaProviderError('otplib returned no time step', { type: 'unexpected', retryable: false });
    return step;
  }

  /** Counts the attempt first, then refuses it without looking at the code when the limit is passed. */
  async #beginAttempt(userId: string, now: number) {
    const begun = await this.#storeCall(() => this.store.beginAttempt(userId, now, this.#options.attemptWindowMs));
    const attempts = this.#checkedAttempts(userId, now, begun?.attempts);
    this.#remember(userId, begun.state);
    return { attempts, state: begun.state };
  }

  /**
   * The verify path's own reads fill the cache (nothing else does, so enable, getStatus and the rest cost what they
   * did): the next verify of this user on this server is one round trip.
   */
  #remember(userId: string, state: MfaStoredState | undefined): void {
    if (this.#factorCache === null) return;
    if (state?.factor) this.#factorCache.set(userId, state.factor);
    else this.#factorCache.delete(userId);
  }

  /** attemptAndClaim, with its answer checked as strictly as beginAttempt's: anything unexpected fails closed. */
  async #attemptAndClaim(
    userId: string,
    secretId: string,
    step: number | null,
    now: number,
    resealedSecret: string | undefined,
  ): Promise<AttemptClaimResult> {
    const { attemptWindowMs: windowMs, maxAttempts } = this.#options;
    const claim = {
      secretId,
      step,
      now,
      windowMs,
      maxAttempts,
      ...(resealedSecret === undefined ? {} : { resealedSecret }),
    };
    const answer = await this.#storeCall(() => this.store.attemptAndClaim!(userId, claim));
    const outcome = (answer as { outcome?: unknown } | null | undefined)?.outcome;
    // A count-only call (the code matched no step) has nothing to claim: `claimed` then is a store's slip, not a pass.
    if (outcome === 'claimed' && step !== null) return answer;
    if (outcome === 'claimed')
      throw new MfaProviderError('The MFA store claimed a step it was not given', {
        type: 'invalid_response',
        retryable: false,
      });
    if (outcome !== 'locked' && outcome !== 'replayed' && outcome !== 'counted' && outcome !== 'stale') {
      throw new MfaProviderError('The MFA store answered an unknown claim outcome', {
        type: 'invalid_response',
        retryable: false,
      });
    }
    const attempts = this.#checkedAttempts(userId, now, (answer as { attempts?: AttemptWindow }).attempts);
    if (outcome === 'locked') throw this.#lockedOut(userId, now, attempts);
    if (outcome === 'stale' && typeof (answer as { state?: unknown }).state !== 'object') {
      throw new MfaProviderError('The MFA store answered a stale claim without the state', {
        type: 'invalid_response',
        retryable: false,
      });
    }
    return answer;
  }

  /** A count that is not a number (a custom store's slip) would compare as "not over the limit": fail closed. */
  #checkedAttempts(userId: string, now: number, attempts: AttemptWindow | undefined): AttemptWindow {
    const { count, resetAt } = attempts ?? {};
    if (!Number.isSafeInteger(count) || !Number.isFinite(resetAt)) {
      throw new MfaProviderError('The MFA store answered an attempt count that is not a number', {
        type: 'invalid_response',
        retryable: false,
      });
    }
    if (count! > this.#options.maxAttempts) throw this.#lockedOut(userId, now, attempts!);
    return attempts!;
  }

  #lockedOut(userId: string, now: number, attempts: AttemptWindow): MfaRateLimitedError {
    const retryAfterMs = Math.max(0, attempts.resetAt - now);
    this.#emit({ type: 'verify_failed', userId, at: new Date(now), reason: 'rate_limited', attempts: attempts.count });
    return new MfaRateLimitedError('Too many failed attempts; try again later', { retryAfterMs: retryAfterMs });
  }

  #failure(userId: string, now: number, attempts: AttemptWindow, reason: MfaVerifyFailure, error: MfaError): MfaError {
    const at = new Date(now);
    this.#emit({ type: 'verify_failed', userId, at, reason, attempts: attempts.count });
    if (attempts.count === this.#options.maxAttempts)
      this.#emit({ type: 'locked', userId, at, retryAfterMs: Math.max(0, attempts.resetAt - now) });
    return error;
  }

  /** Fresh recovery codes for the user, and the hashes the store keeps instead of them. */
  #newRecoveryCodes(userId: string): { recoveryCodes: string[]; hashes: string[] } {
    const recoveryCodes = generateRecoveryCodes(this.#options.recoveryCodeCount);
    return {
      recoveryCodes,
      hashes: recoveryCodes.map((code) => this.#hasher.hash(userId, canonicalRecoveryCode(code)!)),
    };
  }

  /** Store failures become a typed, retryable error without the driver's message (it may quote keys or arguments). */
  async #storeCall<T>(operation: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const pending = Promise.resolve(operation());
      const limitMs = this.#options.storeTimeoutMs;
      if (limitMs === 0) return await pending;
      // A late answer or failure after the timeout has nobody waiting for it: swallowed, never an unhandled rejection.
      pending.catch(() => {});
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new StoreTimeout(limitMs)), limitMs);
      });
      return await Promise.race([pending, timedOut]);
    } catch (error) {
      if (isMfaError(error)) throw error;
      if (error instanceof StoreTimeout) {
        throw new MfaProviderError(`The MFA store (${this.store.name}) did not answer within ${error.limitMs} ms`, {
          type: 'store_unavailable',
          retryable: true,
        });
      }
      const name = error instanceof Error ? error.name : typeof error;
      throw new MfaProviderError(`The MFA store (${this.store.name}) failed (${name})`, {
        type: 'store_unavailable',
        retryable: true,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  #nowMs(): number {
    const now = this.#options.now();
    const ms = now instanceof Date ? now.getTime() : Number.NaN;
    if (!Number.isFinite(ms)) throw new MfaConfigurationError('now() must return a valid Date');
    return ms;
  }
}

/**
 * Whether the store's `attemptAndClaim` can stand in for its `beginAttempt` + `claimStep`. Not when a subclass of a
 * built-in store overrides either of those without overriding `attemptAndClaim` too (to log or audit them, say): the
 * combined operation would then skip the overrides, so such a store keeps the two round trips it was written for.
 */
function combinesAttemptAndClaim(store: MfaStore): boolean {
  if (typeof store.attemptAndClaim !== 'function') return false;
  // How far up the prototype chain a method is defined: 0 on the object itself, 1 on its class, and so on.
  const depth = (name: keyof MfaStore): number => {
    let level = 0;
    for (
      let owner: object | null = store;
      owner !== null;
      owner = Object.getPrototypeOf(owner) as object | null, level++
    ) {
      if (Object.prototype.hasOwnProperty.call(owner, name)) return level;
    }
    return Number.POSITIVE_INFINITY;
  };
  return depth('attemptAndClaim') <= Math.min(depth('beginAttempt'), depth('claimStep'));
}

/** The store call outlived `storeTimeoutMs`; turned into `store_unavailable` by #storeCall. */
class StoreTimeout extends Error {
  constructor(readonly limitMs: number) {
    super('store call timed out');
  }
}

function replayed(): MfaInvalidCodeError {
  return new MfaInvalidCodeError('This code has already been used; wait for the next one', { reason: 'replayed' });
}

function alreadyEnabled(): MfaConflictError {
  return new MfaConflictError('MFA is already enabled; disable it before setting up another authenticator', {
    reason: 'already_enabled',
  });
}
