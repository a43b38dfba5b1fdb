import { randomUUID } from '../internal/crypto/index.js';
import { generateSecret } from 'otplib';
import { MfaConfigurationError, MfaValidationError } from '../errors.js';
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
import { AttemptLimiter } from './attempt-limiter.js';
import { CodeVerifier, type VerifyAttempt } from './code-verifier.js';
import { safeEmitter, type MfaEvent } from './events.js';
import { SealedFactorCache } from './factor-cache.js';
import { GuardedStore } from './guarded-store.js';
import { resolveTotpOptions, type ResolvedTotpOptions, type TotpMfaProviderOptions } from './options.js';
import { RecoveryCodeHasher, canonicalRecoveryCode, generateRecoveryCodes } from './recovery-codes.js';
import { alreadyEnabled, notEnabled, notVerified, recoveryCodeMismatch, setupChanged } from './refusals.js';
import { SecretBox } from './secret-box.js';
import type { MfaStore } from './store.js';
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
  /** The store given in the options (default a new `MemoryMfaStore`), as passed: not behind the provider's guard. */
  readonly store: MfaStore;
  /** Ids of the encryption keys, newest (the one that seals) first: to find records still sealed with an old key. */
  readonly keyIds: readonly string[];
  readonly #options: ResolvedTotpOptions;
  readonly #box: SecretBox;
  readonly #hasher: RecoveryCodeHasher;
  readonly #emit: (event: MfaEvent) => void;
  readonly #generateSecret: () => string;
  /** The store behind its guard: bounded in time, failures typed, answers checked. */
  readonly #store: GuardedStore;
  readonly #limiter: AttemptLimiter;
  readonly #verifier: CodeVerifier;
  /**
   * Sealed factors of recent verifies; null when off (size 0).
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
    const { factorCacheSize, maxAttempts, attemptWindowMs, window } = this.#options;
    this.#factorCache = factorCacheSize > 0 ? new SealedFactorCache(factorCacheSize) : null;
    this.#store = new GuardedStore(this.store, this.#options.storeTimeoutMs);
    this.#limiter = new AttemptLimiter(this.#store, { maxAttempts, attemptWindowMs }, this.#emit);
    this.#verifier = new CodeVerifier({
      store: this.#store,
      limiter: this.#limiter,
      box: this.#box,
      cache: this.#factorCache,
      window,
      emit: this.#emit,
    });
  }

  async getStatus(user: MfaUser, _ctx?: MfaCallContext): Promise<MfaStatus> {
    const { factor } = await this.#store.load({ userId: user.id });
    return factor ? { enabled: true, method: 'softwareToken' } : { enabled: false, method: null };
  }

  /**
   * A new pending setup, replacing any earlier pending one. Refused while a factor is enabled: changing the
   * authenticator means disabling first (behind whatever step-up check the app asks for), so a stolen session cannot
   * swap in an authenticator of its own.
   */
  async createSecret(
    user: MfaUser,
    _ctx?: MfaCallContext,
  ): Promise<{
    /** The new TOTP secret in base32 (at least 16 bytes); only its sealed form reaches the store. */
    secret: string;
  }> {
    const { factor } = await this.#store.load({ userId: user.id });
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
    await this.#store.savePending({ userId: user.id, pending });
    this.#emit({ type: 'setup_created', userId: user.id, at: new Date(now), expiresAt: new Date(expiresAt) });
    return { secret };
  }

  /** With MFA enabled, checks the enabled factor (the login-time check); otherwise confirms the pending setup. */
  verify(user: MfaUser, code: string, _ctx?: MfaCallContext): Promise<MfaVerifyResult> {
    return this.#checkCode({ userId: user.id, code, now: this.#nowMs(), accepts: 'factor_or_setup' });
  }

  /** The login-time check: the enabled factor only, never a pending setup. */
  verifyFactor(user: MfaUser, code: string, _ctx?: MfaCallContext): Promise<MfaVerifyResult> {
    return this.#checkCode({ userId: user.id, code, now: this.#nowMs(), accepts: 'factor' });
  }

  async enable(user: MfaUser, options: { method: MfaMethod }, _ctx?: MfaCallContext): Promise<MfaEnableResult> {
    if (options.method !== 'softwareToken')
      throw new MfaValidationError('The self-hosted TOTP provider supports only the softwareToken method', {
        field: 'method',
      });
    const now = this.#nowMs();
    const state = await this.#store.load({ userId: user.id });
    if (state.factor) throw alreadyEnabled();
    const pending = state.pending !== null && now < state.pending.expiresAt ? state.pending : null;
    if (!pending?.confirmed) throw notVerified(state.pending !== null && pending === null);
    const { recoveryCodes, hashes } = this.#newRecoveryCodes(user.id);
    const request = { userId: user.id, secretId: pending.secretId, recoveryCodeHashes: hashes, now };
    if (!(await this.#store.activatePending(request))) throw setupChanged();
    this.#emit({ type: 'enabled', userId: user.id, at: new Date(now) });
    return { enabled: true, method: 'softwareToken', recoveryCodes };
  }

  async disable(user: MfaUser, _ctx?: MfaCallContext): Promise<MfaDisableResult> {
    this.#factorCache?.delete(user.id);
    const existed = await this.#store.deleteFactor({ userId: user.id });
    if (existed) this.#emit({ type: 'disabled', userId: user.id, at: new Date(this.#nowMs()) });
    return { enabled: false };
  }

  async verifyRecoveryCode(user: MfaUser, code: string, _ctx?: MfaCallContext): Promise<MfaRecoveryCodeResult> {
    const now = this.#nowMs();
    const { attempts, state } = await this.#limiter.begin(user.id, now);
    if (!state.factor) throw this.#limiter.refuse(user.id, now, attempts, 'no_factor', notEnabled());
    const canonical = canonicalRecoveryCode(code);
    const remaining =
      canonical === null
        ? null
        : await this.#store.consumeRecoveryCode({
            userId: user.id,
            candidateHashes: this.#hasher.candidates(user.id, canonical),
          });
    if (remaining === null)
      throw this.#limiter.refuse(user.id, now, attempts, 'recovery_code_mismatch', recoveryCodeMismatch());
    this.#emit({ type: 'recovery_code_used', userId: user.id, at: new Date(now), remaining });
    return { remaining };
  }

  async regenerateRecoveryCodes(user: MfaUser, _ctx?: MfaCallContext): Promise<MfaRecoveryCodesResult> {
    const { recoveryCodes, hashes } = this.#newRecoveryCodes(user.id);
    if (!(await this.#store.replaceRecoveryCodes({ userId: user.id, hashes }))) throw notEnabled();
    this.#emit({
      type: 'recovery_codes_regenerated',
      userId: user.id,
      at: new Date(this.#nowMs()),
      count: recoveryCodes.length,
    });
    return { recoveryCodes };
  }

  async #checkCode(attempt: VerifyAttempt): Promise<MfaVerifyResult> {
    const target = await this.#verifier.verify(attempt);
    const at = new Date(attempt.now);
    this.#emit({ type: 'verified', userId: attempt.userId, at, target: target === 'pending' ? 'setup' : 'factor' });
    return { verified: true };
  }

  /** Fresh recovery codes for the user, and the hashes the store keeps instead of them. */
  #newRecoveryCodes(userId: string): { recoveryCodes: string[]; hashes: string[] } {
    const recoveryCodes = generateRecoveryCodes(this.#options.recoveryCodeCount);
    return {
      recoveryCodes,
      hashes: recoveryCodes.map((code) => this.#hasher.hash(userId, canonicalRecoveryCode(code)!)),
    };
  }

  #nowMs(): number {
    const now = this.#options.now();
    const ms = now instanceof Date ? now.getTime() : Number.NaN;
    if (!Number.isFinite(ms)) throw new MfaConfigurationError('now() must return a valid Date');
    return ms;
  }
}
