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
  MfaTrustDeviceRequest,
  MfaTrustedDevice,
  MfaTrustedDeviceCheck,
  MfaTrustedDeviceGrant,
  MfaUser,
  MfaVerifyResult,
} from '../types.js';
import type { VerifyAttempt } from './code-verifier.js';
import { safeEmitter, type MfaEvent } from './events.js';
import { resolveTotpOptions, type ResolvedTotpOptions, type TotpMfaProviderOptions } from './options.js';
import { newRecoveryCodes } from './recovery-codes.js';
import { buildProviderParts, type ProviderParts } from './provider-parts.js';
import { alreadyEnabled, notVerified, setupChanged } from './refusals.js';
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
  readonly #emit: (event: MfaEvent) => void;
  readonly #generateSecret: () => string;
  /**
   * Everything the provider works with (the guarded store, the checks, the factor cache).
   * A `#` field: a provider object that ends up in a log line must not carry thousands of users' ids and sealed secrets.
   */
  readonly #parts: ProviderParts;

  constructor(options: TotpMfaProviderOptions = {}) {
    const resolved = (this.#options = resolveTotpOptions(options));
    this.store = resolved.store;
    this.keyIds = Object.freeze(resolved.keys.map((key) => key.id));
    this.#emit = safeEmitter(options.onEvent);
    this.#generateSecret = options.generateSecret ?? (() => generateSecret());
    this.#parts = buildProviderParts(resolved, this.#emit);
  }

  async getStatus(user: MfaUser, _ctx?: MfaCallContext): Promise<MfaStatus> {
    const { factor } = await this.#parts.store.load({ userId: user.id });
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
    const { factor } = await this.#parts.store.load({ userId: user.id });
    if (factor) throw alreadyEnabled();
    const secret = this.#generateSecret();
    if (typeof secret !== 'string' || !BASE32_SECRET.test(secret)) {
      throw new MfaConfigurationError('generateSecret must return a base32 secret of at least 16 bytes');
    }
    const now = this.#nowMs();
    const expiresAt = now + this.#options.setupTtlMs;
    const pending = {
      secretId: randomUUID(),
      sealedSecret: this.#parts.box.seal(user.id, secret),
      lastStep: null,
      createdAt: now,
      expiresAt,
      confirmed: false,
    };
    await this.#parts.store.savePending({ userId: user.id, pending });
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
    const state = await this.#parts.store.load({ userId: user.id });
    if (state.factor) throw alreadyEnabled();
    const pending = state.pending !== null && now < state.pending.expiresAt ? state.pending : null;
    if (!pending?.confirmed) throw notVerified(state.pending !== null && pending === null);
    const { recoveryCodes, hashes } = newRecoveryCodes(this.#parts.hasher, user.id, this.#options.recoveryCodeCount);
    const request = { userId: user.id, secretId: pending.secretId, recoveryCodeHashes: hashes, now };
    if (!(await this.#parts.store.activatePending(request))) throw setupChanged();
    // activatePending cleared every bucket of the user: no lock of theirs is known any more.
    this.#parts.limiter.forgetUser(user.id);
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
    if (proof === undefined && !(await this.#parts.store.load({ userId: user.id })).factor) return { enabled: false };
    const secretId = await this.#parts.gate.prove(user.id, proof, ctx?.clientKey, now);
    this.#parts.cache?.delete(user.id);
    if (!(await this.#parts.store.deleteFactor({ userId: user.id, secretId }))) {
      // The proof's factor is gone: replaced since (refused, nothing changed), or already removed (nothing to do).
      await this.#parts.gate.refusedChange(user.id, secretId, false);
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
    this.#parts.cache?.delete(user.id);
    await this.#parts.store.deleteFactor({ userId: user.id });
    await this.#parts.store.clearAttempts({ userId: user.id });
    this.#parts.limiter.forgetUser(user.id);
    this.#emit({ type: 'admin_reset', userId: user.id, at: new Date(this.#nowMs()), actor, reason });
    return { enabled: false };
  }

  /** Clears the user's attempt counters (every bucket, on every server's store) and emits `unlocked`. */
  async unlock(user: MfaUser, _ctx?: MfaCallContext): Promise<void> {
    await this.#parts.store.clearAttempts({ userId: user.id });
    this.#parts.limiter.forgetUser(user.id);
    this.#emit({ type: 'unlocked', userId: user.id, at: new Date(this.#nowMs()) });
  }

  /** Uses up one recovery code (its own attempt budget) and answers how many are left, and a `stepUpToken`. */
  async verifyRecoveryCode(user: MfaUser, code: string, ctx?: MfaCallContext): Promise<MfaRecoveryCodeResult> {
    const now = this.#nowMs();
    const { remaining, secretId } = await this.#parts.recovery.use(user.id, code, ctx?.clientKey, now);
    return { remaining, stepUpToken: this.#parts.tokens.issue(user.id, secretId, now) };
  }

  /** New recovery codes, after a fresh second factor (`proof`); bound to the factor the proof is for. */
  async regenerateRecoveryCodes(
    user: MfaUser,
    ctx?: MfaCallContext,
    proof?: MfaStepUpProof,
  ): Promise<MfaRecoveryCodesResult> {
    const now = this.#nowMs();
    const secretId = await this.#parts.gate.prove(user.id, proof, ctx?.clientKey, now);
    const { recoveryCodes, hashes } = newRecoveryCodes(this.#parts.hasher, user.id, this.#options.recoveryCodeCount);
    if (!(await this.#parts.store.replaceRecoveryCodes({ userId: user.id, hashes, secretId })))
      await this.#parts.gate.refusedChange(user.id, secretId, true);
    this.#emit({ type: 'recovery_codes_regenerated', userId: user.id, at: new Date(now), count: recoveryCodes.length });
    return { recoveryCodes };
  }

  /** Trusts the user's device for the factor `request.stepUpToken` names (a check that just passed); see `TrustedDevices`. */
  trustDevice(user: MfaUser, request: MfaTrustDeviceRequest, _ctx?: MfaCallContext): Promise<MfaTrustedDeviceGrant> {
    return this.#parts.devices.trust(user.id, request?.label, request?.stepUpToken, this.#nowMs());
  }

  /** The login-time check of a device token, and whether MFA is on, in one store round trip. */
  checkTrustedDevice(user: MfaUser, deviceToken: string, _ctx?: MfaCallContext): Promise<MfaTrustedDeviceCheck> {
    return this.#parts.devices.check(user.id, deviceToken, this.#nowMs());
  }

  /** The user's trusted devices that count now, oldest first. */
  listTrustedDevices(user: MfaUser, _ctx?: MfaCallContext): Promise<MfaTrustedDevice[]> {
    return this.#parts.devices.list(user.id, this.#nowMs());
  }

  /** Revokes one of the user's trusted devices (emits `device_revoked`); true if one was removed. */
  revokeTrustedDevice(user: MfaUser, deviceId: string, _ctx?: MfaCallContext): Promise<boolean> {
    return this.#parts.devices.revoke(user.id, deviceId, this.#nowMs());
  }

  /** Revokes every trusted device of the user (one `device_revoked` each); answers how many counted. */
  revokeTrustedDevices(user: MfaUser, _ctx?: MfaCallContext): Promise<number> {
    return this.#parts.devices.revokeAll(user.id, this.#nowMs());
  }

  async #checkCode(attempt: VerifyAttempt): Promise<MfaVerifyResult> {
    const { target, secretId } = await this.#parts.verifier.verify(attempt);
    const at = new Date(attempt.now);
    this.#emit({ type: 'verified', userId: attempt.userId, at, target: target === 'pending' ? 'setup' : 'factor' });
    if (target === 'pending') return { verified: true };
    return { verified: true, stepUpToken: this.#parts.tokens.issue(attempt.userId, secretId, attempt.now) };
  }

  #nowMs(): number {
    const now = this.#options.now();
    const ms = now instanceof Date ? now.getTime() : Number.NaN;
    if (!Number.isFinite(ms)) throw new MfaConfigurationError('now() must return a valid Date');
    return ms;
  }
}
