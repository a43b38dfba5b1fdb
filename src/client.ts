import { MfaConfigurationError, MfaValidationError } from './errors.js';
import { invalidResponse } from './internal/provider-failures.js';
import { callProvider, providerMethod } from './internal/provider-calls.js';
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
  MfaNeedsSecondFactorOptions,
  MfaSecondFactorOptions,
  MfaSecondFactorResult,
  MfaSetup,
  MfaStatus,
  MfaStepUpProof,
  MfaTrustedDevice,
  MfaUser,
  MfaVerifyResult,
} from './types.js';
import { readAdminReset, readStepUpProof } from './internal/validation-step-up.js';
import {
  booleanOf,
  confirmed,
  countOf,
  deviceTokenOf,
  needsCodeAfter,
  trustedDevicesOf,
} from './internal/provider-answers.js';
import { checkSecondFactor, useRecoveryCode } from './internal/second-factor.js';
import { checkDeviceId, readDeviceToken, readTrustDevice } from './internal/validation-devices.js';
import type { MfaClientOptions, MfaDisableArgs, SelfHostedClient } from './client-types.js';
import { normalizeCode, readEnableMethod, validateContext, validateUser } from './internal/validation.js';

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
    const status = await callProvider(() => this.provider.getStatus(cleanUser, validateContext(ctx)));
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
    const { secret } = await callProvider(() => this.provider.createSecret(cleanUser, validateContext(ctx)));
    if (typeof secret !== 'string' || !BASE32_SECRET.test(secret)) {
      throw invalidResponse('The provider returned a secret that is not base32');
    }
    const otpauthUri = buildOtpauthUri(this.issuer, accountName, secret);
    const qr = await callProvider(() => renderQrCodes(otpauthUri));
    return { secret, otpauthUri, ...qr, issuer: this.issuer, accountName };
  }

  /** Checks a code ("123456", "123 456" or "123-456"). Resolves on success; a wrong code rejects with `MfaInvalidCodeError`. */
  async verify(user: MfaUser, code: string, ctx?: MfaCallContext): Promise<MfaVerifyResult> {
    const cleanUser = validateUser(user);
    const digits = normalizeCode(code);
    const cleanCtx = validateContext(ctx);
    const result = await callProvider(() => this.provider.verify(cleanUser, digits, cleanCtx));
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
    return callProvider(() => this.provider.enable(cleanUser, { method }, cleanCtx));
  }

  /**
   * Turns MFA off. Self-hosted, only after a fresh second factor: `{ code }` (a current code or a recovery code) or
   * `{ stepUpToken }`; without one it rejects with `MfaStepUpRequiredError` and nothing changes.
   */
  async disable(user: MfaUser, ...args: MfaDisableArgs<P>): Promise<MfaDisableResult> {
    const cleanUser = validateUser(user);
    const proof = readStepUpProof(args[0]);
    const cleanCtx = validateContext(args[0]);
    await callProvider(() => this.provider.disable(cleanUser, cleanCtx, proof));
    return { enabled: false };
  }

  /**
   * Login step 1, after the password check: whether this user must now give a second factor. With `deviceToken` (the
   * browser's cookie from `verifySecondFactor`'s `trustDevice`) and the self-hosted provider, a device that still
   * counts answers `false`, in one store round trip; any other token answers like none. Otherwise the same answer as
   * `getStatus(user).enabled`. A device token is never a step-up proof: nothing here issues a `stepUpToken`.
   */
  async needsSecondFactor(user: MfaUser, ctx?: MfaNeedsSecondFactorOptions): Promise<boolean> {
    const cleanUser = validateUser(user);
    const deviceToken = readDeviceToken(ctx);
    const check = this.provider.checkTrustedDevice;
    if (deviceToken === undefined || typeof check !== 'function') return (await this.getStatus(cleanUser, ctx)).enabled;
    const cleanCtx = validateContext(ctx);
    return needsCodeAfter(await callProvider(() => check.call(this.provider, cleanUser, deviceToken, cleanCtx)));
  }

  /**
   * Login step 2: checks what the user typed against the enabled factor only (never a setup in progress).
   * Six digits are a code from the authenticator app; anything else is tried as a recovery code, which is then used
   * up. A wrong code rejects with `MfaInvalidCodeError`, too many with `MfaRateLimitedError` (self-hosted provider).
   * With `trustDevice: { label }`, a passed check also trusts this browser and the result carries `deviceToken`.
   */
  async verifySecondFactor(
    this: SelfHostedClient,
    user: MfaUser,
    code: string,
    ctx?: MfaSecondFactorOptions,
  ): Promise<MfaSecondFactorResult> {
    const cleanUser = validateUser(user);
    // Checked here, not by the recovery-code path: a number typed as 123456 is a TOTP code sent with the wrong type,
    // and "recovery code must be a string" would send the developer looking in the wrong place.
    if (typeof code !== 'string')
      throw new MfaValidationError('code must be a string (6 digits or a recovery code)', { field: 'code' });
    // Read before the code is checked: a bad label (or a provider without devices) costs no attempt and no code.
    const label = readTrustDevice(ctx);
    const trustDevice = label === undefined ? undefined : providerMethod(this.provider, 'trustDevice');
    const result = await checkSecondFactor(this.provider, cleanUser, code, ctx);
    if (trustDevice === undefined || label === undefined) return result;
    const request = { label, stepUpToken: result.stepUpToken };
    const grant = await callProvider(() => trustDevice(cleanUser, request, validateContext(ctx)));
    return { ...result, deviceToken: deviceTokenOf(grant) };
  }

  /** Uses up one recovery code (self-hosted provider). Resolves with how many remain. */
  async verifyRecoveryCode(
    this: SelfHostedClient,
    user: MfaUser,
    code: string,
    ctx?: MfaCallContext,
  ): Promise<MfaRecoveryCodeResult> {
    return useRecoveryCode(this.provider, validateUser(user), code, ctx);
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
    const regenerate = providerMethod(this.provider, 'regenerateRecoveryCodes');
    const { recoveryCodes } = await callProvider(() => regenerate(cleanUser, cleanCtx, proof));
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
    const adminReset = providerMethod(this.provider, 'adminReset');
    await callProvider(() => adminReset(cleanUser, audit, cleanCtx));
    return { enabled: false };
  }

  /** Clears the user's attempt counters, ending any lock (self-hosted); emits `unlocked`. */
  async unlock(this: SelfHostedClient, user: MfaUser, ctx?: MfaCallContext): Promise<void> {
    const cleanUser = validateUser(user);
    const cleanCtx = validateContext(ctx);
    const unlock = providerMethod(this.provider, 'unlock');
    await callProvider(() => unlock(cleanUser, cleanCtx));
  }

  /** The user's trusted devices that still count, oldest first (self-hosted): never a token or its hash. */
  async listTrustedDevices(this: SelfHostedClient, user: MfaUser, ctx?: MfaCallContext): Promise<MfaTrustedDevice[]> {
    const cleanUser = validateUser(user);
    const cleanCtx = validateContext(ctx);
    const list = providerMethod(this.provider, 'listTrustedDevices');
    return trustedDevicesOf(await callProvider(() => list(cleanUser, cleanCtx)));
  }

  /** Revokes one trusted device by its listed id (self-hosted); true if one was removed. Emits `device_revoked`. */
  async revokeTrustedDevice(
    this: SelfHostedClient,
    user: MfaUser,
    deviceId: string,
    ctx?: MfaCallContext,
  ): Promise<boolean> {
    const cleanUser = validateUser(user);
    const id = checkDeviceId(deviceId);
    const cleanCtx = validateContext(ctx);
    const revoke = providerMethod(this.provider, 'revokeTrustedDevice');
    return booleanOf(await callProvider(() => revoke(cleanUser, id, cleanCtx)), 'a device was revoked');
  }

  /** Revokes every trusted device of the user ("sign out everywhere", self-hosted); answers how many counted. */
  async revokeTrustedDevices(this: SelfHostedClient, user: MfaUser, ctx?: MfaCallContext): Promise<number> {
    const cleanUser = validateUser(user);
    const cleanCtx = validateContext(ctx);
    const revokeAll = providerMethod(this.provider, 'revokeTrustedDevices');
    return countOf(await callProvider(() => revokeAll(cleanUser, cleanCtx)), 'devices were revoked');
  }
}

export type { MfaClientOptions, MfaDisableArgs, SelfHostedClient } from './client-types.js';
