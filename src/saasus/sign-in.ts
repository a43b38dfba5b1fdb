import { MfaConfigurationError, MfaUnauthorizedError, MfaValidationError } from '../errors.js';
import { invalidResponse as invalidAnswer } from '../internal/provider-failures.js';
import { validateContext } from '../internal/validation.js';
import type { MfaCallContext } from '../types.js';
import type { SaasusCredentialsRequest, SaasusRequestOptions } from './api.js';
import type { SaasusCalls } from './calls.js';
import { mapSignInFailure, neverSent } from './sign-in-errors.js';

/** What a sign-in gives the front end: the official sample stores these three as they come. */
export interface SaasusSignInTokens {
  /** SaaSus's `id_token` (a JWT, non-empty): identifies the user, e.g. to `getUserInfo`. A secret: never log it. */
  idToken: string;
  /** SaaSus's `access_token` (non-empty): the `accessToken` of the MFA call context. A secret: never log it. */
  accessToken: string;
  /** SaaSus's `refresh_token` (non-empty), for `refreshSession`. A secret: never log it. */
  refreshToken: string;
}

/** What a refresh gives: a new ID token and access token; the refresh token stays the same. */
export interface SaasusRefreshedTokens {
  /** The new `id_token` (non-empty). A secret: never log it. */
  idToken: string;
  /** The new `access_token` (non-empty). A secret: never log it. */
  accessToken: string;
}

/** The one call sign-in needs: the built-in signed transport and the official SDK adapter both have it. */
export interface SaasusCredentialsTransport {
  getAuthCredentials(request: SaasusCredentialsRequest, options: SaasusRequestOptions): Promise<unknown>;
}

// A temporary code is a short URL-safe identifier (a UUID at SaaSus); a refresh token is a JWE, base64url segments and
// dots. Either is refused before any request when it could not be one: too long, a control character, a space, or
// anything a URL would have to percent-encode.
const TEMPORARY_CODE_SHAPE = /^[A-Za-z0-9._~-]{1,512}$/;
const REFRESH_TOKEN_SHAPE = /^[A-Za-z0-9._~+/=-]{1,8192}$/;

/**
 * The SaaSus credentials API (`GET /v1/auth/credentials`), signed like every other call: a temporary code from the
 * hosted login page for the user's tokens, and a refresh token for new ones.
 */
export class SaasusSignIn {
  constructor(
    private readonly transport: SaasusCredentialsTransport | undefined,
    private readonly calls: SaasusCalls,
  ) {}

  /**
   * Exchanges a temporary code (single-use) for tokens. Retried only when the request provably never reached SaaSus
   * (connection refused, DNS), since a code redeemed by a request whose answer was lost is gone.
   */
  async exchangeTemporaryCode(code: string, ctx?: MfaCallContext): Promise<SaasusSignInTokens> {
    if (typeof code !== 'string' || code === '')
      throw new MfaValidationError('A temporary code is required', { field: 'code' });
    if (!TEMPORARY_CODE_SHAPE.test(code))
      throw new MfaValidationError('The temporary code is malformed', { field: 'code' });
    const request = { authFlow: 'tempCodeAuth', code } as const;
    const body = await this.call(request, validateContext(ctx), (failure) => neverSent(failure));
    const tokens = tokensOf(body);
    if (!tokens || typeof tokens.refresh_token !== 'string' || tokens.refresh_token === '') throw invalidResponse();
    return { idToken: tokens.id_token, accessToken: tokens.access_token, refreshToken: tokens.refresh_token };
  }

  /** New ID and access tokens for a refresh token. Idempotent, so retried like every GET. */
  async refreshSession(refreshToken: string, ctx?: MfaCallContext): Promise<SaasusRefreshedTokens> {
    if (typeof refreshToken !== 'string' || refreshToken === '') {
      throw new MfaUnauthorizedError('A refresh token is required', { reason: 'missing_refresh_token' });
    }
    if (!REFRESH_TOKEN_SHAPE.test(refreshToken)) {
      throw new MfaUnauthorizedError('The refresh token is malformed', { reason: 'rejected_refresh_token' });
    }
    const request = { authFlow: 'refreshTokenAuth', refreshToken } as const;
    const tokens = tokensOf(await this.call(request, validateContext(ctx), () => true));
    if (!tokens) throw invalidResponse();
    return { idToken: tokens.id_token, accessToken: tokens.access_token };
  }

  private async call(
    request: SaasusCredentialsRequest,
    ctx: MfaCallContext,
    mayRetry: (failure: unknown) => boolean,
  ): Promise<unknown> {
    const transport = this.transport;
    if (!transport) {
      throw new MfaConfigurationError(
        'Sign-in needs the SaaSus credentials (SAASUS_SAAS_ID, SAASUS_API_KEY, SAASUS_SECRET_KEY) for the built-in transport',
      );
    }
    return this.calls.retried(
      {
        operation: request.authFlow,
        ctx,
        send: (options) => transport.getAuthCredentials(request, options),
        mapFailure: (failure) => mapSignInFailure(failure, request.authFlow),
      },
      mayRetry,
    );
  }
}

function tokensOf(body: unknown): { id_token: string; access_token: string; refresh_token?: unknown } | undefined {
  const tokens = body as { id_token?: unknown; access_token?: unknown; refresh_token?: unknown } | null | undefined;
  if (typeof tokens !== 'object' || tokens === null) return undefined;
  const { id_token, access_token } = tokens;
  if (typeof id_token !== 'string' || id_token === '' || typeof access_token !== 'string' || access_token === '')
    return undefined;
  return { id_token, access_token, refresh_token: tokens.refresh_token };
}

/** Not retryable: for an exchange, the code was spent by the request that got this answer. */
function invalidResponse() {
  return invalidAnswer('SaaSus answered the sign-in call with an unexpected body');
}
