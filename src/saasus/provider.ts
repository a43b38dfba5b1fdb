import { MfaUnauthorizedError, MfaValidationError } from '../errors.js';
import { invalidResponse } from '../internal/provider-failures.js';
import { validateContext } from '../internal/validation.js';
import type {
  MfaCallContext,
  MfaDisableResult,
  MfaEnableResult,
  MfaMethod,
  MfaProvider,
  MfaStatus,
  MfaUser,
  MfaVerifyResult,
} from '../types.js';
import type { SaasusAuthApi, SaasusRequestOptions } from './api.js';
import { SaasusCalls } from './calls.js';
import { type SaasusOperation, mapSaasusFailure } from './error-map.js';
import { resolveSaasusOptions, type SaasusMfaProviderOptions } from './options.js';
import { type SaasusRefreshedTokens, SaasusSignIn, type SaasusSignInTokens } from './sign-in.js';
import { type SaasusUserInfo, userInfoFrom } from './user-info.js';

export { DEFAULT_SAASUS_BASE_URL, DEFAULT_TIMEOUT_MS } from './options.js';
export type { SaasusMfaProviderOptions } from './options.js';
export type { SaasusUserInfo } from './user-info.js';

// An ID token is a JWT: base64url segments and dots, nothing that needs percent-encoding in the /userinfo query. Any
// other printable character would be sent as three, and a long enough token would pass what servers accept in a URL
// (Node's own limit is 16 KiB): refused here instead, as a rejected token, before any request.
const ID_TOKEN_SHAPE = /^[A-Za-z0-9_.-]+$/;
const MAX_ID_TOKEN_LENGTH = 8_192;

/**
 * MFA hosted by the SaaSus Platform Auth API: preference, secret code, authenticator registration.
 * The lifecycle is the one every official sample follows: createSetup → verify (registers the authenticator) → enable.
 */
export class SaasusMfaProvider implements MfaProvider {
  /**
   * Type only: SaaSus runs its own login check and recovery, so `MfaClient` refuses its self-hosted-only methods
   * (`verifySecondFactor`, `verifyRecoveryCode`, `regenerateRecoveryCodes`) at compile time for this provider.
   */
  declare readonly selfHosted: false;
  readonly name = 'saasus';
  private readonly api: SaasusAuthApi;
  private readonly calls: SaasusCalls;
  private readonly signIn: SaasusSignIn;

  constructor(options: SaasusMfaProviderOptions = {}) {
    const resolved = resolveSaasusOptions(options);
    this.api = resolved.api;
    this.calls = new SaasusCalls(resolved.calls);
    this.signIn = new SaasusSignIn(resolved.signInApi, this.calls);
  }

  /**
   * Signs a user in: the temporary code the SaaSus login page put on your callback URL (`?code=…`) for their ID,
   * access and refresh tokens. A used, expired or unknown code is `MfaUnauthorizedError` (`rejected_temporary_code`).
   * Never retried once the request may have reached SaaSus: the code is single-use.
   */
  exchangeTemporaryCode(code: string, ctx?: MfaCallContext): Promise<SaasusSignInTokens> {
    return this.signIn.exchangeTemporaryCode(code, ctx);
  }

  /**
   * New ID and access tokens for a refresh token (the same refresh token stays valid). A missing, expired or revoked
   * one is `MfaUnauthorizedError` (`missing_refresh_token` / `rejected_refresh_token`). Retried like every GET.
   */
  refreshSession(refreshToken: string, ctx?: MfaCallContext): Promise<SaasusRefreshedTokens> {
    return this.signIn.refreshSession(refreshToken, ctx);
  }

  async getStatus(user: MfaUser, ctx: MfaCallContext): Promise<MfaStatus> {
    const body = await this.idempotent('getPreference', ctx, (o) =>
      this.api.getUserMfaPreference(pathSegment(user.id), o),
    );
    if (typeof body !== 'object' || body === null || typeof (body as { enabled?: unknown }).enabled !== 'boolean') {
      throw unexpectedBody();
    }
    const { enabled, method } = body as { enabled: boolean; method?: unknown };
    if (!enabled) return { enabled: false, method: null };
    // Older API versions knew only the authenticator app and left `method` out.
    return { enabled: true, method: method === 'email' ? 'email' : 'softwareToken' };
  }

  async createSecret(
    user: MfaUser,
    ctx: MfaCallContext,
  ): Promise<{
    /** SaaSus's `secret_code`, upper-cased with any `=` padding removed. */
    secret: string;
  }> {
    const accessToken = requireAccessToken(ctx);
    const body = await this.once('createSecretCode', ctx, (o) =>
      this.api.createSecretCode(pathSegment(user.id), { access_token: accessToken }, o),
    );
    const secret = (body as { secret_code?: unknown } | null | undefined)?.secret_code;
    if (typeof secret !== 'string') throw unexpectedBody();
    return { secret: secret.replace(/=+$/, '').toUpperCase() };
  }

  async verify(user: MfaUser, code: string, ctx: MfaCallContext): Promise<MfaVerifyResult> {
    const accessToken = requireAccessToken(ctx);
    await this.once('registerSoftwareToken', ctx, (o) =>
      this.api.updateSoftwareToken(pathSegment(user.id), { access_token: accessToken, verification_code: code }, o),
    );
    return { verified: true };
  }

  async enable(user: MfaUser, options: { method: MfaMethod }, ctx: MfaCallContext): Promise<MfaEnableResult> {
    const operation = options.method === 'email' ? 'enableEmail' : 'enableSoftwareToken';
    await this.once(operation, ctx, (o) =>
      this.api.updateUserMfaPreference(pathSegment(user.id), { enabled: true, method: options.method }, o),
    );
    return { enabled: true, method: options.method };
  }

  async disable(user: MfaUser, ctx: MfaCallContext): Promise<MfaDisableResult> {
    // Every official sample names the method when disabling; the API has no call to delete the authenticator.
    await this.once('updatePreference', ctx, (o) =>
      this.api.updateUserMfaPreference(pathSegment(user.id), { enabled: false, method: 'softwareToken' }, o),
    );
    return { enabled: false };
  }

  /**
   * Resolves an ID token (`Authorization: Bearer …` from the front end) to the SaaSus user, for auth middleware.
   * A missing or rejected token is `MfaUnauthorizedError`.
   */
  async getUserInfo(idToken: string, ctx?: MfaCallContext): Promise<SaasusUserInfo> {
    if (typeof idToken !== 'string' || idToken.trim() === '') {
      throw new MfaUnauthorizedError('An ID token is required', { reason: 'missing_id_token' });
    }
    if (idToken.length > MAX_ID_TOKEN_LENGTH || !ID_TOKEN_SHAPE.test(idToken)) {
      throw new MfaUnauthorizedError('The ID token is malformed', { reason: 'rejected_id_token' });
    }
    const body = await this.idempotent('getUserInfo', validateContext(ctx), (o) => this.api.getUserInfo(idToken, o));
    const info = userInfoFrom(body);
    if (!info) throw unexpectedBody();
    return info;
  }

  /** GET: retried on retryable failures, within the caller's signal. */
  private idempotent<T>(
    operation: SaasusOperation,
    ctx: MfaCallContext,
    send: (o: SaasusRequestOptions) => Promise<T>,
  ) {
    return this.calls.retried({ operation, ctx, send, mapFailure: (failure) => mapSaasusFailure(failure, operation) });
  }

  /** POST, PUT, PATCH: never retried. A verify or enable that reached SaaSus but lost its answer must not run twice. */
  private once<T>(operation: SaasusOperation, ctx: MfaCallContext, send: (o: SaasusRequestOptions) => Promise<T>) {
    return this.calls.once({ operation, ctx, send, mapFailure: (failure) => mapSaasusFailure(failure, operation) });
  }
}

/** A user id is one path segment. `.` and `..` would become path steps after URL normalisation, even encoded. */
function pathSegment(userId: string): string {
  if (userId === '.' || userId === '..') {
    throw new MfaValidationError('userId is not a valid SaaSus user id', { field: 'userId' });
  }
  return userId;
}

function requireAccessToken(ctx: MfaCallContext): string {
  if (!ctx.accessToken)
    throw new MfaUnauthorizedError("The user's access token is required for this step", {
      reason: 'missing_access_token',
    });
  return ctx.accessToken;
}

/** Retryable, unlike a store's: SaaSus behind a flaky proxy can answer a well-formed body to the same call next time. */
const unexpectedBody = () => invalidResponse('SaaSus answered with an unexpected body', true);
