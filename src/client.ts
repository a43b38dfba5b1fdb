import { MfaConfigurationError, MfaValidationError, isMfaError } from './errors.js';
import { invalidResponse, unexpectedFailure } from './internal/provider-failures.js';
import { accountNameFor, buildOtpauthUri, checkIssuer, renderQrCodes } from './internal/otpauth.js';
import type {
  MfaAdminResetOptions,
  MfaCallContext,
  MfaDisableResult,
  MfaEnableOptions,
  MfaEnableResult,
  MfaProvider,
  MfaRecoveryCodeResult,
  MfaRecoveryCodesResult,
  MfaSecondFactorResult,
  MfaSetup,
  MfaStatus,
  MfaStepUpProof,
  MfaUser,
  MfaVerifyResult,
} from './types.js';
import { readAdminReset, readStepUpProof } from './internal/validation-step-up.js';
import { confirmed, stepUpTokenOf } from './internal/provider-answers.js';
import type { MfaClientOptions, MfaDisableArgs, SelfHostedClient } from './client-types.js';
import {
  looksLikeTotpCode,
  normalizeCode,
  normalizeRecoveryCode,
  readEnableMethod,
  validateContext,
  validateUser,
} from './internal/validation.js';

// RFC 4648 base32 without padding, as authenticator apps expect it.
const BASE32_SECRET = /^[A-Z2-7]{16,128}$/;
const PLACEHOLDER_SECRET = 'A'.repeat(128);
/** A QR code at error-correction level M holds 2 331 bytes at most; authenticator apps scan far less reliably. */
const MAX_URI_LENGTH = 1200;

/**
 * The MFA lifecycle for one app: status, setup, verify, enable, disable.
 * Every input is validated and normalised here, before any provider call, and every failure is an `MfaError`.
 * `P` is the provider's type, inferred from `provider`: it decides which methods compile.
 */
export class MfaClient<P extends MfaProvider = MfaProvider> {
  /** The provider given in the options, which every call delegates to. */
  readonly provider: P;
  /** The options' `issuer`, checked and trimmed: the name in every otpauth URI this client builds. */
  readonly issuer: string;

  constructor(options: MfaClientOptions<P>) {
    if (typeof options !== 'object' || options === null)
      throw new MfaConfigurationError('MfaClient needs { provider, issuer }');
    const { provider } = options;
    if (typeof provider !== 'object' || provider === null || typeof provider.verify !== 'function') {
      throw new MfaConfigurationError('MfaClient needs a provider (for example new SaasusMfaProvider())');
    }
    this.provider = provider;
    this.issuer = checkIssuer(options.issuer);
  }

  /** Whether MFA is on for the user, and with which method. */
  async getStatus(user: MfaUser, ctx?: MfaCallContext): Promise<MfaStatus> {
    const cleanUser = validateUser(user);
    const status = await this.call(() => this.provider.getStatus(cleanUser, validateContext(ctx)));
    return { enabled: status.enabled === true, method: status.enabled === true ? status.method : null };
  }

  /** Starts an authenticator setup: a new secret, its otpauth URI, and the URI as QR codes (rendered locally). */
  async createSetup(user: MfaUser, ctx?: MfaCallContext): Promise<MfaSetup> {
    const cleanUser = validateUser(user);
    const accountName = accountNameFor(cleanUser);
    // Checked before the provider stores anything: an account name that percent-encodes past what a phone can scan
    // (500 CJK characters are within the length limit but not within a QR code) is the caller's input to fix.
    if (buildOtpauthUri(this.issuer, accountName, PLACEHOLDER_SECRET).length > MAX_URI_LENGTH) {
      throw new MfaValidationError('The account name (e-mail, sign-in id or user id) is too long for a QR code', {
        field: 'accountName',
      });
    }
    const { secret } = await this.call(() => this.provider.createSecret(cleanUser, validateContext(ctx)));
    if (typeof secret !== 'string' || !BASE32_SECRET.test(secret)) {
      throw invalidResponse('The provider returned a secret that is not base32');
    }
    const otpauthUri = buildOtpauthUri(this.issuer, accountName, secret);
    const qr = await this.call(() => renderQrCodes(otpauthUri));
    return { secret, otpauthUri, ...qr, issuer: this.issuer, accountName };
  }

  /** Checks a code ("123456", "123 456" or "123-456"). Resolves on success; a wrong code rejects with `MfaInvalidCodeError`. */
  async verify(user: MfaUser, code: string, ctx?: MfaCallContext): Promise<MfaVerifyResult> {
    const cleanUser = validateUser(user);
    const digits = normalizeCode(code);
    const cleanCtx = validateContext(ctx);
    const result = await this.call(() => this.provider.verify(cleanUser, digits, cleanCtx));
    confirmed(result);
    return typeof result.stepUpToken === 'string'
      ? { verified: true, stepUpToken: result.stepUpToken }
      : { verified: true };
  }

  /**
   * Turns MFA on. `softwareToken` (default) only after a verified setup; `email` needs no setup.
   * The second argument takes the method and the call context together: `{ method: 'email', signal }`.
   */
  async enable(user: MfaUser, options?: MfaEnableOptions & MfaCallContext): Promise<MfaEnableResult> {
    const cleanUser = validateUser(user);
    const method = readEnableMethod(options);
    const cleanCtx = validateContext(options);
    return this.call(() => this.provider.enable(cleanUser, { method }, cleanCtx));
  }

  /**
   * Turns MFA off. Self-hosted, only after a fresh second factor: `{ code }` (a current code or a recovery code) or
   * `{ stepUpToken }`; without one it rejects with `MfaStepUpRequiredError` and nothing changes.
   */
  async disable(user: MfaUser, ...args: MfaDisableArgs<P>): Promise<MfaDisableResult> {
    const cleanUser = validateUser(user);
    const proof = readStepUpProof(args[0]);
    const cleanCtx = validateContext(args[0]);
    await this.call(() => this.provider.disable(cleanUser, cleanCtx, proof));
    return { enabled: false };
  }

  /**
   * Login step 1, after the password check: whether this user must now give a second factor.
   * Same answer as `getStatus(user).enabled`, named for the login flow.
   */
  async needsSecondFactor(user: MfaUser, ctx?: MfaCallContext): Promise<boolean> {
    return (await this.getStatus(user, ctx)).enabled;
  }

  /**
   * Login step 2: checks what the user typed against the enabled factor only (never a setup in progress).
   * Six digits are a code from the authenticator app; anything else is tried as a recovery code, which is then used
   * up. A wrong code rejects with `MfaInvalidCodeError`, too many with `MfaRateLimitedError` (self-hosted provider).
   */
  async verifySecondFactor(
    this: SelfHostedClient,
    user: MfaUser,
    code: string,
    ctx?: MfaCallContext,
  ): Promise<MfaSecondFactorResult> {
    const cleanUser = validateUser(user);
    // Checked here, not by the recovery-code path: a number typed as 123456 is a TOTP code sent with the wrong type,
    // and "recovery code must be a string" would send the developer looking in the wrong place.
    if (typeof code !== 'string')
      throw new MfaValidationError('code must be a string (6 digits or a recovery code)', { field: 'code' });
    if (looksLikeTotpCode(code)) {
      const digits = normalizeCode(code);
      const cleanCtx = validateContext(ctx);
      const verifyFactor = this.supported('verifyFactor');
      const result = await this.call(() => verifyFactor(cleanUser, digits, cleanCtx));
      confirmed(result);
      return { verified: true, method: 'totp', stepUpToken: stepUpTokenOf(result) };
    }
    const { remaining, stepUpToken } = await this.verifyRecoveryCode(cleanUser, code, ctx);
    return {
      verified: true,
      method: 'recovery_code',
      recoveryCodesRemaining: remaining,
      stepUpToken: stepUpTokenOf({ stepUpToken }),
    };
  }

  /** Uses up one recovery code (self-hosted provider). Resolves with how many remain. */
  async verifyRecoveryCode(
    this: SelfHostedClient,
    user: MfaUser,
    code: string,
    ctx?: MfaCallContext,
  ): Promise<MfaRecoveryCodeResult> {
    const cleanUser = validateUser(user);
    const compact = normalizeRecoveryCode(code);
    const cleanCtx = validateContext(ctx);
    const verifyRecoveryCode = this.supported('verifyRecoveryCode');
    const result = await this.call(() => verifyRecoveryCode(cleanUser, compact, cleanCtx));
    // A custom provider answering `{ remaining: null }` (the store's shape for "no match") must not pass a login.
    const remaining = result?.remaining;
    if (typeof remaining !== 'number' || !Number.isSafeInteger(remaining) || remaining < 0) {
      throw invalidResponse('The provider did not confirm the recovery code');
    }
    return typeof result.stepUpToken === 'string' ? { remaining, stepUpToken: result.stepUpToken } : { remaining };
  }

  /**
   * Replaces all of the user's recovery codes (self-hosted), after a fresh second factor as for `disable`. Show the
   * new codes once.
   */
  async regenerateRecoveryCodes(
    this: SelfHostedClient,
    user: MfaUser,
    options: MfaStepUpProof & MfaCallContext,
  ): Promise<MfaRecoveryCodesResult> {
    const cleanUser = validateUser(user);
    const proof = readStepUpProof(options);
    const cleanCtx = validateContext(options);
    const regenerate = this.supported('regenerateRecoveryCodes');
    const { recoveryCodes } = await this.call(() => regenerate(cleanUser, cleanCtx, proof));
    return { recoveryCodes };
  }

  /**
   * Support staff only (self-hosted): turns MFA off without any factor, clears the attempt counters, and emits
   * `admin_reset` with `actor` and `reason`. Never call it from a route the user reaches.
   */
  async adminReset(
    this: SelfHostedClient,
    user: MfaUser,
    options: MfaAdminResetOptions & MfaCallContext,
  ): Promise<MfaDisableResult> {
    const cleanUser = validateUser(user);
    const audit = readAdminReset(options);
    const cleanCtx = validateContext(options);
    const adminReset = this.supported('adminReset');
    await this.call(() => adminReset(cleanUser, audit, cleanCtx));
    return { enabled: false };
  }

  /** Clears the user's attempt counters, ending any lock (self-hosted); emits `unlocked`. */
  async unlock(this: SelfHostedClient, user: MfaUser, ctx?: MfaCallContext): Promise<void> {
    const cleanUser = validateUser(user);
    const cleanCtx = validateContext(ctx);
    const unlock = this.supported('unlock');
    await this.call(() => unlock(cleanUser, cleanCtx));
  }

  /** An optional provider method, bound, or a configuration error naming the provider that lacks it. */
  private supported<
    K extends 'verifyFactor' | 'verifyRecoveryCode' | 'regenerateRecoveryCodes' | 'adminReset' | 'unlock',
  >(method: K): NonNullable<MfaProvider[K]> {
    const fn = this.provider[method];
    if (typeof fn !== 'function') {
      throw new MfaConfigurationError(
        `The ${this.provider.name} provider does not support ${method}; use TotpMfaProvider for login checks and recovery codes`,
      );
    }
    return fn.bind(this.provider) as NonNullable<MfaProvider[K]>;
  }

  /** Runs a provider call; anything that is not an `MfaError` becomes one, without its (possibly secret) message. */
  private async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (isMfaError(error)) throw error;
      throw unexpectedFailure('The MFA provider', error);
    }
  }
}

export type { MfaClientOptions, MfaDisableArgs, SelfHostedClient } from './client-types.js';
