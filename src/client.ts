import { MfaConfigurationError, MfaValidationError, isMfaError } from './errors.js';
import { invalidResponse, unexpectedFailure } from './internal/provider-failures.js';
import { accountNameFor, buildOtpauthUri, checkIssuer, renderQrCodes } from './internal/otpauth.js';
import type {
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
  MfaUser,
  MfaVerifyResult,
} from './types.js';
import {
  looksLikeTotpCode,
  normalizeCode,
  normalizeRecoveryCode,
  readEnableMethod,
  validateContext,
  validateUser,
} from './internal/validation.js';

/** Options of {@link MfaClient}; both are required. */
export interface MfaClientOptions<P extends MfaProvider = MfaProvider> {
  /** Where MFA state lives: `SaasusMfaProvider` (hosted by SaaSus) or `TotpMfaProvider` (self-hosted). */
  provider: P;
  /** Name shown in the authenticator app, e.g. your product name. No colon. */
  issuer: string;
}

// RFC 4648 base32 without padding, as authenticator apps expect it.
const BASE32_SECRET = /^[A-Z2-7]{16,128}$/;
const PLACEHOLDER_SECRET = 'A'.repeat(128);
/** A QR code at error-correction level M holds 2 331 bytes at most; authenticator apps scan far less reliably. */
const MAX_URI_LENGTH = 1200;

/**
 * The `this` of the self-hosted-only methods (`verifySecondFactor`, `verifyRecoveryCode`, `regenerateRecoveryCodes`):
 * any client but one whose provider type says it is not self-hosted (`SaasusMfaProvider` declares
 * `selfHosted: false`), so calling them there is a compile error. Plain JavaScript still gets the
 * `MfaConfigurationError` at run time. Not generic on purpose: it keeps `MfaClient<P>` covariant in `P`, so an
 * `MfaClient<SaasusMfaProvider>` is still an `MfaClient`.
 */
export type SelfHostedClient = MfaClient & {
  /** The client's provider, of any type but one that declares `selfHosted: false`. */
  readonly provider: {
    /** Absent or true: only a provider typed `selfHosted: false` (SaaSus) is excluded. */
    readonly selfHosted?: true;
  };
};

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
    confirmed(await this.call(() => this.provider.verify(cleanUser, digits, cleanCtx)));
    return { verified: true };
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

  /** Turns MFA off. */
  async disable(user: MfaUser, ctx?: MfaCallContext): Promise<MfaDisableResult> {
    const cleanUser = validateUser(user);
    await this.call(() => this.provider.disable(cleanUser, validateContext(ctx)));
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
      confirmed(await this.call(() => verifyFactor(cleanUser, digits, cleanCtx)));
      return { verified: true, method: 'totp' };
    }
    const { remaining } = await this.verifyRecoveryCode(cleanUser, code, ctx);
    return { verified: true, method: 'recovery_code', recoveryCodesRemaining: remaining };
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
    return { remaining };
  }

  /** Replaces all of the user's recovery codes with new ones (self-hosted provider). Show them once. */
  async regenerateRecoveryCodes(
    this: SelfHostedClient,
    user: MfaUser,
    ctx?: MfaCallContext,
  ): Promise<MfaRecoveryCodesResult> {
    const cleanUser = validateUser(user);
    const cleanCtx = validateContext(ctx);
    const regenerate = this.supported('regenerateRecoveryCodes');
    const { recoveryCodes } = await this.call(() => regenerate(cleanUser, cleanCtx));
    return { recoveryCodes };
  }

  /** An optional provider method, bound, or a configuration error naming the provider that lacks it. */
  private supported<K extends 'verifyFactor' | 'verifyRecoveryCode' | 'regenerateRecoveryCodes'>(
    method: K,
  ): NonNullable<MfaProvider[K]> {
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

/** A provider that resolves without saying `verified: true` has not verified anything: fail closed. */
function confirmed(result: MfaVerifyResult | undefined): void {
  if (result?.verified !== true) {
    throw invalidResponse('The provider did not confirm the code');
  }
}
