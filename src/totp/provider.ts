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
import { nodeCrypto } from './node-crypto.js';
import { resolveTotpOptions, type ResolvedTotpOptions, type TotpMfaProviderOptions } from './options.js';
import { RecoveryCodeHasher, canonicalRecoveryCode, generateRecoveryCodes } from './recovery-codes.js';
import { SecretBox } from './secret-box.js';
import type { AttemptWindow, MfaStore } from './store.js';

const PERIOD_SECONDS = 30;
const BASE32_SECRET = /^[A-Z2-7]{26,128}$/; // at least 16 bytes

/**
 * Self-hosted TOTP: the app keeps the state, in a store shared by all its servers.
 *
 * - Replay protection: the time step of every accepted code is claimed with an atomic compare-and-set in the store;
 *   that step and every earlier one are refused afterwards, on every server.
 * - Attempt limit: each attempt is counted (atomically, in the store) before the code is checked; past
 *   `maxAttempts` in the window, attempts fail fast with `MfaRateLimitedError` and the code is not checked.
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

  constructor(options: TotpMfaProviderOptions = {}) {
    this.#options = resolveTotpOptions(options);
    this.store = this.#options.store;
    this.keyIds = Object.freeze(this.#options.keys.map((key) => key.id));
    this.#box = new SecretBox(this.#options.keys);
    this.#hasher = new RecoveryCodeHasher(this.#options.keys);
    this.#emit = safeEmitter(options.onEvent);
    this.#generateSecret = options.generateSecret ?? (() => generateSecret());
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
    const pending = { secretId: randomUUID(), sealedSecret: this.#box.seal(user.id, secret), lastStep: null, createdAt: now, expiresAt, confirmed: false };
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
    if (options.method !== 'softwareToken') throw new MfaValidationError('The self-hosted TOTP provider supports only the softwareToken method', 'method');
    const now = this.#nowMs();
    const state = await this.#storeCall(() => this.store.load(user.id));
    if (state.factor) throw alreadyEnabled();
    const pending = state.pending !== null && now < state.pending.expiresAt ? state.pending : null;
    if (!pending?.confirmed) {
      throw new MfaConflictError(
        state.pending && !pending ? 'The setup expired before it was enabled; create a new one' : 'Verify a code from the authenticator before enabling MFA',
        'not_verified',
      );
    }
    const { recoveryCodes, hashes } = this.#newRecoveryCodes(user.id);
    const activated = await this.#storeCall(() => this.store.activatePending(user.id, pending.secretId, hashes, now));
    // Strict checks on what a store answers: a custom store's slip (undefined, "0") must fail closed, not open.
    if (activated !== true) throw new MfaConflictError('The setup changed while it was being enabled; verify a new code', 'not_verified');
    this.#emit({ type: 'enabled', userId: user.id, at: new Date(now) });
    return { enabled: true, method: 'softwareToken', recoveryCodes };
  }

  async disable(user: MfaUser, _ctx?: MfaCallContext): Promise<MfaDisableResult> {
    const existed = await this.#storeCall(() => this.store.deleteFactor(user.id));
    if (existed) this.#emit({ type: 'disabled', userId: user.id, at: new Date(this.#nowMs()) });
    return { enabled: false };
  }

  async verifyRecoveryCode(user: MfaUser, code: string, _ctx?: MfaCallContext): Promise<MfaRecoveryCodeResult> {
    const now = this.#nowMs();
    const { attempts, state } = await this.#beginAttempt(user.id, now);
    if (!state.factor) throw this.#failure(user.id, now, attempts, 'no_factor', new MfaNotFoundError('MFA is not enabled for this user'));
    const canonical = canonicalRecoveryCode(code);
    const remaining = canonical === null ? null : await this.#storeCall(() => this.store.consumeRecoveryCode(user.id, this.#hasher.candidates(user.id, canonical)));
    if (typeof remaining !== 'number' || !Number.isSafeInteger(remaining) || remaining < 0) {
      const error = new MfaInvalidCodeError('The recovery code is incorrect or already used', 'mismatch');
      throw this.#failure(user.id, now, attempts, 'recovery_code_mismatch', error);
    }
    this.#emit({ type: 'recovery_code_used', userId: user.id, at: new Date(now), remaining });
    return { remaining };
  }

  async regenerateRecoveryCodes(user: MfaUser, _ctx?: MfaCallContext): Promise<MfaRecoveryCodesResult> {
    const { recoveryCodes, hashes } = this.#newRecoveryCodes(user.id);
    const replaced = await this.#storeCall(() => this.store.replaceRecoveryCodes(user.id, hashes));
    if (replaced !== true) throw new MfaNotFoundError('MFA is not enabled for this user');
    this.#emit({ type: 'recovery_codes_regenerated', userId: user.id, at: new Date(this.#nowMs()), count: recoveryCodes.length });
    return { recoveryCodes };
  }

  async #checkCode(userId: string, code: string, allowPending: boolean): Promise<MfaVerifyResult> {
    const now = this.#nowMs();
    const { attempts, state } = await this.#beginAttempt(userId, now);
    // An enabled factor always wins: a pending setup (which only exists without one, or by a race) is never a way
    // around the factor.
    const livePending = allowPending && !state.factor && state.pending !== null && now < state.pending.expiresAt ? state.pending : null;
    const target = state.factor ? 'factor' : livePending ? 'pending' : null;
    const record = state.factor ?? livePending;
    if (target === null || record === null) {
      if (allowPending && state.pending) {
        const expired = new MfaInvalidCodeError('The setup has expired; create a new one', 'expired_setup');
        throw this.#failure(userId, now, attempts, 'expired_setup', expired);
      }
      const missing = new MfaNotFoundError(allowPending ? 'No authenticator is being set up or enabled for this user' : 'MFA is not enabled for this user');
      throw this.#failure(userId, now, attempts, 'no_factor', missing);
    }
    const secret = this.#box.open(userId, record.sealedSecret);
    const result = verifySync({ secret, token: code, epoch: Math.floor(now / 1000), epochTolerance: this.#options.window * PERIOD_SECONDS, crypto: nodeCrypto });
    if (!result.valid) throw this.#failure(userId, now, attempts, 'mismatch', new MfaInvalidCodeError());
    // otplib's result type also covers HOTP; a TOTP verification always carries the matched time step.
    const step = 'timeStep' in result ? result.timeStep : Number.NaN;
    if (!Number.isSafeInteger(step)) throw new MfaProviderError('otplib returned no time step', { type: 'unexpected', retryable: false });
    // A step at or before the last accepted one is a replay; the store's compare-and-set settles races between servers.
    const fresh = record.lastStep === null || step > record.lastStep;
    // Key rotation: a secret sealed with an older key is sealed again with the current one in the same update.
    const resealed = this.#box.isStale(record.sealedSecret) ? this.#box.seal(userId, secret) : undefined;
    if (!fresh || (await this.#storeCall(() => this.store.claimStep(userId, target, record.secretId, step, resealed))) !== true) {
      throw this.#failure(userId, now, attempts, 'replayed', new MfaInvalidCodeError('This code has already been used; wait for the next one', 'replayed'));
    }
    this.#emit({ type: 'verified', userId, at: new Date(now), target: target === 'pending' ? 'setup' : 'factor' });
    return { verified: true };
  }

  /** Counts the attempt first, then refuses it without looking at the code when the limit is passed. */
  async #beginAttempt(userId: string, now: number) {
    const begun = await this.#storeCall(() => this.store.beginAttempt(userId, now, this.#options.attemptWindowMs));
    const { count, resetAt } = begun?.attempts ?? {};
    // A count that is not a number (a custom store's slip) would compare as "not over the limit": fail closed.
    if (!Number.isSafeInteger(count) || !Number.isFinite(resetAt)) {
      throw new MfaProviderError('The MFA store answered an attempt count that is not a number', { type: 'invalid_response', retryable: false });
    }
    if (begun.attempts.count > this.#options.maxAttempts) {
      const retryAfterMs = Math.max(0, begun.attempts.resetAt - now);
      this.#emit({ type: 'verify_failed', userId, at: new Date(now), reason: 'rate_limited', attempts: begun.attempts.count });
      throw new MfaRateLimitedError('Too many failed attempts; try again later', retryAfterMs);
    }
    return begun;
  }

  #failure(userId: string, now: number, attempts: AttemptWindow, reason: MfaVerifyFailure, error: MfaError): MfaError {
    const at = new Date(now);
    this.#emit({ type: 'verify_failed', userId, at, reason, attempts: attempts.count });
    if (attempts.count === this.#options.maxAttempts) this.#emit({ type: 'locked', userId, at, retryAfterMs: Math.max(0, attempts.resetAt - now) });
    return error;
  }

  /** Fresh recovery codes for the user, and the hashes the store keeps instead of them. */
  #newRecoveryCodes(userId: string): { recoveryCodes: string[]; hashes: string[] } {
    const recoveryCodes = generateRecoveryCodes(this.#options.recoveryCodeCount);
    return { recoveryCodes, hashes: recoveryCodes.map((code) => this.#hasher.hash(userId, canonicalRecoveryCode(code)!)) };
  }

  /** Store failures become a typed, retryable error without the driver's message (it may quote keys or arguments). */
  async #storeCall<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (isMfaError(error)) throw error;
      const name = error instanceof Error ? error.name : typeof error;
      throw new MfaProviderError(`The MFA store (${this.store.name}) failed (${name})`, { type: 'store_unavailable', retryable: true });
    }
  }

  #nowMs(): number {
    const now = this.#options.now();
    const ms = now instanceof Date ? now.getTime() : Number.NaN;
    if (!Number.isFinite(ms)) throw new MfaConfigurationError('now() must return a valid Date');
    return ms;
  }
}

function alreadyEnabled(): MfaConflictError {
  return new MfaConflictError('MFA is already enabled; disable it before setting up another authenticator', 'already_enabled');
}
