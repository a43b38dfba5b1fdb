import { MfaConfigurationError, MfaProviderError, MfaValidationError, isMfaError } from './errors.js';
import { accountNameFor, buildOtpauthUri, checkIssuer, renderQrCodes } from './otpauth.js';
import type {
  MfaCallContext,
  MfaDisableResult,
  MfaEnableOptions,
  MfaEnableResult,
  MfaMethod,
  MfaProvider,
  MfaSetup,
  MfaStatus,
  MfaUser,
  MfaVerifyResult,
} from './types.js';
import { normalizeCode, validateContext, validateUser } from './validation.js';

export interface MfaClientOptions {
  /** Where MFA state lives: `SaasusMfaProvider` (hosted by SaaSus). */
  provider: MfaProvider;
  /** Name shown in the authenticator app, e.g. your product name. No colon. */
  issuer: string;
}

const METHODS: readonly MfaMethod[] = ['softwareToken', 'email'];
// RFC 4648 base32 without padding, as authenticator apps expect it.
const BASE32_SECRET = /^[A-Z2-7]{16,128}$/;

/**
 * The MFA lifecycle for one app: status, setup, verify, enable, disable.
 * Every input is validated and normalised here, before any provider call, and every failure is an `MfaError`.
 */
export class MfaClient {
  readonly provider: MfaProvider;
  readonly issuer: string;

  constructor(options: MfaClientOptions) {
    if (typeof options !== 'object' || options === null) throw new MfaConfigurationError('MfaClient needs { provider, issuer }');
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
    const { secret } = await this.call(() => this.provider.createSecret(cleanUser, validateContext(ctx)));
    if (typeof secret !== 'string' || !BASE32_SECRET.test(secret)) {
      throw new MfaProviderError('The provider returned a secret that is not base32', { type: 'invalid_response', retryable: false });
    }
    const accountName = accountNameFor(cleanUser);
    const otpauthUri = buildOtpauthUri(this.issuer, accountName, secret);
    const qr = await renderQrCodes(otpauthUri);
    return { secret, otpauthUri, ...qr, issuer: this.issuer, accountName };
  }

  /** Checks a code ("123456", "123 456" or "123-456"). Resolves on success; a wrong code rejects with `MfaInvalidCodeError`. */
  async verify(user: MfaUser, code: string, ctx?: MfaCallContext): Promise<MfaVerifyResult> {
    const cleanUser = validateUser(user);
    const digits = normalizeCode(code);
    const cleanCtx = validateContext(ctx);
    await this.call(() => this.provider.verify(cleanUser, digits, cleanCtx));
    return { verified: true };
  }

  /**
   * Turns MFA on. `softwareToken` (default) only after a verified setup; `email` needs no setup.
   * The second argument takes the method and the call context together: `{ method: 'email', signal }`.
   */
  async enable(user: MfaUser, options?: MfaEnableOptions & MfaCallContext): Promise<MfaEnableResult> {
    const cleanUser = validateUser(user);
    const method = options?.method ?? 'softwareToken';
    if (!METHODS.includes(method)) throw new MfaValidationError(`method must be one of ${METHODS.join(', ')}`, 'method');
    const cleanCtx = validateContext(options);
    return this.call(() => this.provider.enable(cleanUser, { method }, cleanCtx));
  }

  /** Turns MFA off. */
  async disable(user: MfaUser, ctx?: MfaCallContext): Promise<MfaDisableResult> {
    const cleanUser = validateUser(user);
    await this.call(() => this.provider.disable(cleanUser, validateContext(ctx)));
    return { enabled: false };
  }

  /** Runs a provider call; anything that is not an `MfaError` becomes one, without its (possibly secret) message. */
  private async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (isMfaError(error)) throw error;
      const name = error instanceof Error ? error.name : typeof error;
      throw new MfaProviderError(`The MFA provider failed unexpectedly (${name})`, { type: 'unexpected', retryable: false });
    }
  }
}
