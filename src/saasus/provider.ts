import type { AxiosInstance } from 'axios';
import {
  MfaConfigurationError,
  MfaProviderError,
  MfaUnauthorizedError,
  MfaValidationError,
  isMfaError,
} from '../errors.js';
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
import { invalidResponse, unexpectedFailure } from '../internal/provider-failures.js';
import { validateContext } from '../internal/validation.js';
import type {
  CredentialApiLike,
  SaasUserApiLike,
  SaasusAuthApi,
  SaasusRequestOptions,
  UserInfoApiLike,
} from './api.js';
import { type SaasusOperation, mapSaasusFailure } from './error-map.js';
import { SaasusFailure } from './failure.js';
import type { SaasusLogger } from './logger.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetries } from './retry.js';
import { SaasusSdkAdapter } from './sdk-adapter.js';
import { type SaasusRefreshedTokens, SaasusSignIn, type SaasusSignInTokens } from './sign-in.js';
import { SaasusHttpTransport } from './transport.js';
import { type SaasusTenant, tenantsFrom } from './user-info.js';

export const DEFAULT_SAASUS_BASE_URL = 'https://api.saasus.io';
// An ID token is a JWT: base64url segments and dots, nothing that needs percent-encoding in the /userinfo query. Any
// other printable character would be sent as three, and a long enough token would pass what servers accept in a URL
// (Node's own limit is 16 KiB): refused here instead, as a rejected token, before any request.
const ID_TOKEN_SHAPE = /^[A-Za-z0-9_.-]+$/;
const MAX_ID_TOKEN_LENGTH = 8_192;
/** Per-attempt time limit. An MFA check sits on a login path: ten seconds is already long for a person waiting. */
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface SaasusMfaProviderOptions {
  /** Default: `SAASUS_SAAS_ID`. Not needed when `saasUserApi` is given. */
  saasId?: string;
  /** Default: `SAASUS_API_KEY`. */
  apiKey?: string;
  /** Default: `SAASUS_SECRET_KEY`. */
  secretKey?: string;
  /** Origin of the SaaSus API. Default: `SAASUS_API_URL_BASE`, else `https://api.saasus.io`. */
  baseUrl?: string;
  /** The official SDK's `new AuthClient().saasUserApi`, used instead of the built-in transport. */
  saasUserApi?: SaasUserApiLike;
  /** The official SDK's `new AuthClient().userInfoApi`, for `getUserInfo` when `saasUserApi` is given. */
  userInfoApi?: UserInfoApiLike;
  /** The official SDK's `new AuthClient().credentialApi`, for sign-in when `saasUserApi` is given. */
  credentialApi?: CredentialApiLike;
  /** Your own axios instance for the built-in transport. Default: a private `axios.create()`. */
  axios?: AxiosInstance;
  /** Time limit per attempt, in ms. Default 10 000. A `signal` in the call context can cut any call shorter. */
  timeoutMs?: number;
  /** Retries of GET calls (status and userinfo) on timeouts, network errors, 408, 429 and 5xx. Default 2. */
  maxRetries?: number;
  /** Back-off base and cap, in ms (full jitter). Defaults 250 and 5 000; a longer `Retry-After` is not waited for. */
  retryBaseDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Receives one line per request: method, path without query, status, duration, trace id. Default: none. */
  logger?: SaasusLogger;
  /** Clock for request signatures. Default: the system clock. */
  now?: () => Date;
  /** Where credentials are read from when not passed. Default: `process.env`. */
  env?: Record<string, string | undefined>;
}

/** A SaaSus user as `/userinfo` describes them, in the SDK's naming. Usable directly as an `MfaUser`. */
export interface SaasusUserInfo extends MfaUser {
  id: string;
  email: string;
  signInId: string;
  /** As SaaSus sends them: `tenants[0].id`, `tenants[0].envs[0].roles[0].role_name` are what the front end reads. */
  tenants: SaasusTenant[];
  attributes: Record<string, unknown>;
}

function requireSetting(value: string | undefined, variable: string, option: string): string {
  if (typeof value === 'string' && value.trim() !== '') return value;
  throw new MfaConfigurationError(
    `SaaSus credential missing: set ${variable} or pass { ${option} } to SaasusMfaProvider`,
  );
}

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
  private readonly timeoutMs: number;
  private readonly retryPolicy: RetryPolicy;
  private readonly logger: SaasusLogger | undefined;
  private readonly signIn: SaasusSignIn;

  constructor(options: SaasusMfaProviderOptions = {}) {
    const env = options.env ?? process.env;
    this.timeoutMs = positive(options.timeoutMs, DEFAULT_TIMEOUT_MS, 'timeoutMs');
    this.retryPolicy = {
      maxRetries: nonNegativeInteger(options.maxRetries, DEFAULT_RETRY_POLICY.maxRetries, 'maxRetries'),
      baseDelayMs: positive(options.retryBaseDelayMs, DEFAULT_RETRY_POLICY.baseDelayMs, 'retryBaseDelayMs'),
      maxDelayMs: positive(options.maxRetryDelayMs, DEFAULT_RETRY_POLICY.maxDelayMs, 'maxRetryDelayMs'),
    };
    this.logger = options.logger;
    const baseUrl = options.baseUrl ?? env.SAASUS_API_URL_BASE ?? DEFAULT_SAASUS_BASE_URL;
    checkBaseUrl(baseUrl);
    const credentials = {
      saasId: options.saasId ?? env.SAASUS_SAAS_ID,
      apiKey: options.apiKey ?? env.SAASUS_API_KEY,
      secretKey: options.secretKey ?? env.SAASUS_SECRET_KEY,
    };
    // With the official SDK object injected, credentials are optional: they only enable the built-in /userinfo call.
    const needsTransport =
      !options.saasUserApi || Object.values(credentials).every((value) => value !== undefined && value !== '');
    const http = needsTransport
      ? new SaasusHttpTransport({
          credentials: {
            saasId: requireSetting(credentials.saasId, 'SAASUS_SAAS_ID', 'saasId'),
            apiKey: requireSetting(credentials.apiKey, 'SAASUS_API_KEY', 'apiKey'),
            secretKey: requireSetting(credentials.secretKey, 'SAASUS_SECRET_KEY', 'secretKey'),
          },
          baseUrl,
          axios: options.axios,
          now: options.now,
          logger: options.logger,
        })
      : undefined;
    if (options.saasUserApi) {
      checkSaasUserApi(options.saasUserApi);
      this.api = new SaasusSdkAdapter(options.saasUserApi, options.userInfoApi, http, options.credentialApi);
    } else {
      this.api = http!;
    }
    const signInApi = this.api instanceof SaasusSdkAdapter ? this.api : http;
    this.signIn = new SaasusSignIn(signInApi, {
      timeoutMs: this.timeoutMs,
      retryPolicy: this.retryPolicy,
      logger: this.logger,
    });
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

  async createSecret(user: MfaUser, ctx: MfaCallContext): Promise<{ secret: string }> {
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
    await this.once('enablePreference', ctx, (o) =>
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
    const info = body as Partial<Record<string, unknown>> | null | undefined;
    if (typeof info !== 'object' || info === null || typeof info.id !== 'string' || info.id === '')
      throw unexpectedBody();
    return {
      id: info.id,
      email: typeof info.email === 'string' ? info.email : '',
      signInId: typeof info.sign_in_id === 'string' ? info.sign_in_id : '',
      tenants: tenantsFrom(info.tenants),
      attributes:
        typeof info.user_attribute === 'object' && info.user_attribute !== null
          ? (info.user_attribute as Record<string, unknown>)
          : {},
    };
  }

  /** GET: retried on retryable failures, within the caller's signal. */
  private idempotent<T>(
    operation: SaasusOperation,
    ctx: MfaCallContext,
    call: (o: SaasusRequestOptions) => Promise<T>,
  ): Promise<T> {
    return this.guard(operation, () =>
      withRetries(
        () => this.attempt(ctx, call),
        this.retryPolicy,
        ctx.signal,
        ({ attempt, delayMs, failure }) =>
          this.logger?.warn?.('saasus retry', {
            operation,
            attempt,
            delayMs,
            kind: failure.kind,
            status: failure.status,
          }),
      ),
    );
  }

  /** POST, PUT, PATCH: never retried. A verify or enable that reached SaaSus but lost its answer must not run twice. */
  private once<T>(
    operation: SaasusOperation,
    ctx: MfaCallContext,
    call: (o: SaasusRequestOptions) => Promise<T>,
  ): Promise<T> {
    return this.guard(operation, () => this.attempt(ctx, call));
  }

  /** One attempt with its own time limit, combined with the caller's signal. */
  private attempt<T>(ctx: MfaCallContext, call: (o: SaasusRequestOptions) => Promise<T>): Promise<T> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout;
    return call({ signal, timeoutMs: this.timeoutMs, referer: ctx.referer });
  }

  private async guard<T>(operation: SaasusOperation, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof SaasusFailure) throw mapSaasusFailure(error, operation);
      if (isMfaError(error)) throw error;
      throw unexpectedFailure('The SaaSus call', error);
    }
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
const unexpectedBody = (): MfaProviderError => invalidResponse('SaaSus answered with an unexpected body', true);

function checkBaseUrl(baseUrl: string): void {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new MfaConfigurationError('SAASUS_API_URL_BASE (baseUrl) is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new MfaConfigurationError('SAASUS_API_URL_BASE (baseUrl) must be an http(s) URL');
  }
}

function checkSaasUserApi(api: SaasUserApiLike): void {
  for (const method of [
    'getUserMfaPreference',
    'updateUserMfaPreference',
    'createSecretCode',
    'updateSoftwareToken',
  ] as const) {
    if (typeof api[method] !== 'function') throw new MfaConfigurationError(`saasUserApi has no ${method}() method`);
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new MfaConfigurationError(`${name} must be a positive number`);
  return value;
}

function nonNegativeInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0)
    throw new MfaConfigurationError(`${name} must be a whole number, 0 or more`);
  return value;
}
