import { randomUUID } from '../internal/crypto/index.js';
import { generateSecret } from 'otplib';
import { MfaConfigurationError, MfaValidationError } from '../errors.js';
import type {
  MfaAdminResetOptions,
  MfaCallContext,
  MfaDisableResult,
  MfaEnableResult,
  MfaMethod,
  MfaProvider,
  MfaRecoveryCodeResult,
  MfaRecoveryCodesResult,
  MfaStatus,
  MfaStepUpProof,
  MfaUser,
  MfaVerifyResult,
} from '../types.js';
import { AttemptLimiter } from './attempt-limiter.js';
import { CodeVerifier, type VerifyAttempt } from './code-verifier.js';
import { safeEmitter, type MfaEvent } from './events.js';
import { SealedFactorCache } from './factor-cache.js';
import { GuardedStore } from './guarded-store.js';
import { resolveTotpOptions, type ResolvedTotpOptions, type TotpMfaProviderOptions } from './options.js';
import { ClientKeyHasher } from './mac.js';
import { RecoveryCodeCheck } from './recovery-check.js';
import { RecoveryCodeHasher, newRecoveryCodes } from './recovery-codes.js';
import { alreadyEnabled, notVerified, setupChanged } from './refusals.js';
import { SecretBox } from './secret-box.js';
import { StepUpGate } from './step-up-gate.js';
import { StepUpTokens } from './step-up-token.js';
import type { MfaStore } from './store.js';
const BASE32_SECRET = /^[A-Z2-7]{26,128}$/; // at least 16 bytes

/**
 * Self-hosted TOTP: the app keeps the state, in a store shared by all its servers.
 * - Every code check: the code is checked here (on the cached sealed factor, or on the state `load` read), every
 *   step of the window computed, then ONE atomic `attemptAndClaim` decides budget, claim and count. A replay (a step
 *   already claimed) is refused and not counted; a burst cannot outrun the limit.
 * - Budgets per user and client (`clientKey`) under a per-user ceiling; a setup and the recovery codes have their
 *   own, so a TOTP lockout never closes the recovery path. While a lock is known, no code is computed.
 * - Account changes (`disable`, `regenerateRecoveryCodes`) need a fresh second factor (a code or a `stepUpToken`),
 *   bound to the factor it was given for; support staff use `adminReset`.
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
  readonly #recovery: RecoveryCodeCheck;
  readonly #tokens: StepUpTokens;
  readonly #gate: StepUpGate;
  /**
   * Sealed factors of recent verifies; null when off (size 0).
   * A `#` field: a provider object that ends up in a log line must not carry thousands of users' ids and sealed secrets.
   */
  readonly #factorCache: SealedFactorCache | null;

  constructor(options: TotpMfaProviderOptions = {}) {
    const resolved = (this.#options = resolveTotpOptions(options));
    this.store = resolved.store;
    this.keyIds = Object.freeze(resolved.keys.map((key) => key.id));
    this.#box = new SecretBox(resolved.keys);
    this.#hasher = new RecoveryCodeHasher(resolved.keys);
    this.#emit = safeEmitter(options.onEvent);
    this.#generateSecret = options.generateSecret ?? (() => generateSecret());
    const { factorCacheSize, window, keys } = resolved;
    const cache = (this.#factorCache = factorCacheSize > 0 ? new SealedFactorCache(factorCacheSize) : null);
    const store = (this.#store = new GuardedStore(this.store, resolved.storeTimeoutMs));
    // The lock memo is bounded like the factor cache, with a floor so that turning the cache off keeps the memo.
    const memoSize = Math.max(factorCacheSize, 1_000);
    const limiter = (this.#limiter = new AttemptLimiter(resolved, new ClientKeyHasher(keys), this.#emit, memoSize));
    const [box, hasher, emit] = [this.#box, this.#hasher, this.#emit];
    const verifier = (this.#verifier = new CodeVerifier({
      store,
      limiter,
      box,
      cache,
      window,
      crypto: resolved.totpCrypto,
    }));
    const recovery = (this.#recovery = new RecoveryCodeCheck({ store, limiter, hasher, cache, emit }));
    const tokens = (this.#tokens = new StepUpTokens(keys, resolved.stepUpMaxAgeMs));
    this.#gate = new StepUpGate({ store, verifier, recovery, tokens, emit });
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

  /**
   * With MFA enabled, checks the enabled factor (the login-time check, answering a `stepUpToken`); otherwise confirms
   * the pending setup.
   */
  verify(user: MfaUser, code: string, ctx?: MfaCallContext): Promise<MfaVerifyResult> {
    return this.#checkCode({
      userId: user.id,
      code,
      now: this.#nowMs(),
      accepts: 'factor_or_setup',
      clientKey: ctx?.clientKey,
    });
  }

  /** The login-time check: the enabled factor only, never a pending setup. */
  verifyFactor(user: MfaUser, code: string, ctx?: MfaCallContext): Promise<MfaVerifyResult> {
    return this.#checkCode({ userId: user.id, code, now: this.#nowMs(), accepts: 'factor', clientKey: ctx?.clientKey });
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
    const { recoveryCodes, hashes } = newRecoveryCodes(this.#hasher, user.id, this.#options.recoveryCodeCount);
    const request = { userId: user.id, secretId: pending.secretId, recoveryCodeHashes: hashes, now };
    if (!(await this.#store.activatePending(request))) throw setupChanged();
    // activatePending cleared every bucket of the user: no lock of theirs is known any more.
    this.#limiter.forgetUser(user.id);
    this.#emit({ type: 'enabled', userId: user.id, at: new Date(now) });
    return { enabled: true, method: 'softwareToken', recoveryCodes };
  }

  /**
   * Turns MFA off, after a fresh second factor (`proof`) for the factor that is removed: the factor, any pending
   * setup and the recovery codes go. Without MFA on and without a proof, answers `{ enabled: false }`, changing nothing.
   */
  async disable(user: MfaUser, ctx?: MfaCallContext, proof?: MfaStepUpProof): Promise<MfaDisableResult> {
    const now = this.#nowMs();
    // Without a proof and without MFA on there is nothing to protect and nothing is changed (a pending setup is left
    // to expire or be replaced: deleting it unconditionally could race a factor being enabled meanwhile).
    if (proof === undefined && !(await this.#store.load({ userId: user.id })).factor) return { enabled: false };
    const secretId = await this.#gate.prove(user.id, proof, ctx?.clientKey, now);
    this.#factorCache?.delete(user.id);
    if (!(await this.#store.deleteFactor({ userId: user.id, secretId }))) {
      // The proof's factor is gone: replaced since (refused, nothing changed), or already removed (nothing to do).
      await this.#gate.refusedChange(user.id, secretId, false);
      return { enabled: false };
    }
    this.#emit({ type: 'disabled', userId: user.id, at: new Date(now) });
    return { enabled: false };
  }

  /**
   * Support staff's way to turn MFA off for a user who lost every factor: no proof, so never behind a user's route.
   * Removes the factor, the setup and the recovery codes, clears the attempt counters, and audits who and why.
   */
  async adminReset(user: MfaUser, options: MfaAdminResetOptions, _ctx?: MfaCallContext): Promise<MfaDisableResult> {
    const { actor, reason } = options;
    this.#factorCache?.delete(user.id);
    await this.#store.deleteFactor({ userId: user.id });
    await this.#store.clearAttempts({ userId: user.id });
    this.#limiter.forgetUser(user.id);
    this.#emit({ type: 'admin_reset', userId: user.id, at: new Date(this.#nowMs()), actor, reason });
    return { enabled: false };
  }

  /** Clears the user's attempt counters (every bucket, on every server's store) and emits `unlocked`. */
  async unlock(user: MfaUser, _ctx?: MfaCallContext): Promise<void> {
    await this.#store.clearAttempts({ userId: user.id });
    this.#limiter.forgetUser(user.id);
    this.#emit({ type: 'unlocked', userId: user.id, at: new Date(this.#nowMs()) });
  }

  /** Uses up one recovery code (its own attempt budget) and answers how many are left, and a `stepUpToken`. */
  async verifyRecoveryCode(user: MfaUser, code: string, ctx?: MfaCallContext): Promise<MfaRecoveryCodeResult> {
    const now = this.#nowMs();
    const { remaining, secretId } = await this.#recovery.use(user.id, code, ctx?.clientKey, now);
    return { remaining, stepUpToken: this.#tokens.issue(user.id, secretId, now) };
  }

  /** New recovery codes, after a fresh second factor (`proof`); bound to the factor the proof is for. */
  async regenerateRecoveryCodes(
    user: MfaUser,
    ctx?: MfaCallContext,
    proof?: MfaStepUpProof,
  ): Promise<MfaRecoveryCodesResult> {
    const now = this.#nowMs();
    const secretId = await this.#gate.prove(user.id, proof, ctx?.clientKey, now);
    const { recoveryCodes, hashes } = newRecoveryCodes(this.#hasher, user.id, this.#options.recoveryCodeCount);
    if (!(await this.#store.replaceRecoveryCodes({ userId: user.id, hashes, secretId })))
      await this.#gate.refusedChange(user.id, secretId, true);
    this.#emit({ type: 'recovery_codes_regenerated', userId: user.id, at: new Date(now), count: recoveryCodes.length });
    return { recoveryCodes };
  }

  async #checkCode(attempt: VerifyAttempt): Promise<MfaVerifyResult> {
    const { target, secretId } = await this.#verifier.verify(attempt);
    const at = new Date(attempt.now);
    this.#emit({ type: 'verified', userId: attempt.userId, at, target: target === 'pending' ? 'setup' : 'factor' });
    if (target === 'pending') return { verified: true };
    return { verified: true, stepUpToken: this.#tokens.issue(attempt.userId, secretId, attempt.now) };
  }

  #nowMs(): number {
    const now = this.#options.now();
    const ms = now instanceof Date ? now.getTime() : Number.NaN;
    if (!Number.isFinite(ms)) throw new MfaConfigurationError('now() must return a valid Date');
    return ms;
  }
}
