import type {
  CredentialApiLike,
  SaasUserApiLike,
  SaasusCredentialsRequest,
  SaasusAuthApi,
  SaasusMfaPreference,
  SaasusRequestOptions,
  SaasusSdkRequestOptions,
  UserInfoApiLike,
} from './api.js';
import { MfaConfigurationError } from '../errors.js';
import { SaasusFailure } from './failure.js';
import { MAX_RESPONSE_BYTES, failureFromAnswer, failureFromThrown } from './failure-from.js';
import type { SaasusCredentialsTransport } from './sign-in.js';

/**
 * Runs the provider over the official SDK's objects (`saasUserApi`, and `userInfoApi` when given), which sign requests
 * themselves. Their rejections are axios errors carrying the signed request; only safe facts are kept from them.
 */
export class SaasusSdkAdapter implements SaasusAuthApi {
  constructor(
    private readonly users: SaasUserApiLike,
    private readonly userInfo: UserInfoApiLike | undefined,
    private readonly fallback: (SaasusAuthApi & SaasusCredentialsTransport) | undefined,
    private readonly credentials?: CredentialApiLike | undefined,
  ) {}

  async getUserMfaPreference(userId: string, options: SaasusRequestOptions): Promise<unknown> {
    const path = `/v1/auth/users/${encodeURIComponent(userId)}/mfa/preference`;
    return (await this.run('GET', path, options, (o) => this.users.getUserMfaPreference(userId, o)))?.data;
  }

  async updateUserMfaPreference(
    userId: string,
    body: SaasusMfaPreference,
    options: SaasusRequestOptions,
  ): Promise<void> {
    await this.run('PATCH', `/v1/auth/users/${encodeURIComponent(userId)}/mfa/preference`, options, (o) =>
      this.users.updateUserMfaPreference(userId, body, o),
    );
  }

  async createSecretCode(
    userId: string,
    body: { access_token: string },
    options: SaasusRequestOptions,
  ): Promise<unknown> {
    const path = `/v1/auth/users/${encodeURIComponent(userId)}/mfa/software-token/secret-code`;
    return (await this.run('POST', path, options, (o) => this.users.createSecretCode(userId, body, o)))?.data;
  }

  async updateSoftwareToken(
    userId: string,
    body: { access_token: string; verification_code: string },
    options: SaasusRequestOptions,
  ): Promise<void> {
    await this.run('PUT', `/v1/auth/users/${encodeURIComponent(userId)}/mfa/software-token`, options, (o) =>
      this.users.updateSoftwareToken(userId, body, o),
    );
  }

  async getUserInfo(token: string, options: SaasusRequestOptions): Promise<unknown> {
    if (this.userInfo)
      return (await this.run('GET', '/v1/auth/userinfo', options, (o) => this.userInfo!.getUserInfo(token, o)))?.data;
    if (this.fallback) return this.fallback.getUserInfo(token, options);
    throw new MfaConfigurationError(
      'getUserInfo needs userInfoApi, or the SaaSus credentials for the built-in transport',
    );
  }

  /** Sign-in through `credentialApi` when given, else through the built-in transport, as for `getUserInfo`. */
  async getAuthCredentials(request: SaasusCredentialsRequest, options: SaasusRequestOptions): Promise<unknown> {
    const api = this.credentials;
    if (!api) {
      if (this.fallback) return this.fallback.getAuthCredentials(request, options);
      throw new MfaConfigurationError(
        'Sign-in needs credentialApi, or the SaaSus credentials for the built-in transport',
      );
    }
    const [code, refreshToken] =
      request.authFlow === 'tempCodeAuth' ? [request.code] : [undefined, request.refreshToken];
    const answer = await this.run('GET', '/v1/auth/credentials', options, (o) =>
      api.getAuthCredentials(code, request.authFlow, refreshToken, o),
    );
    return answer?.data;
  }

  private async run<T>(
    method: string,
    path: string,
    options: SaasusRequestOptions,
    call: (options: SaasusSdkRequestOptions) => Promise<T>,
  ): Promise<{ data?: unknown } | undefined> {
    // No redirects: axios would follow one to any host, re-sending a PUT or PATCH body (the access token and the
    // code) there. The built-in transport does not follow them either.
    // And no answer over MAX_RESPONSE_BYTES, as in the built-in transport.
    const sdkOptions: SaasusSdkRequestOptions = {
      signal: options.signal,
      timeout: options.timeoutMs,
      maxRedirects: 0,
      maxContentLength: MAX_RESPONSE_BYTES,
    };
    if (options.referer) sdkOptions.headers = { Referer: options.referer, 'X-SaaSus-Referer': options.referer };
    let result: { data?: unknown; status?: unknown } | undefined;
    try {
      result = (await call(sdkOptions)) as { data?: unknown; status?: unknown } | undefined;
    } catch (error) {
      const response = (
        error as { response?: { status?: unknown; data?: unknown; headers?: Record<string, unknown> } } | null
      )?.response;
      // A 2xx on an axios error means the body broke off midway (a reset): no answer was read, as for a network error.
      if (!response || typeof response.status !== 'number' || (response.status >= 200 && response.status < 300)) {
        throw failureFromThrown(error, method, path, options);
      }
      throw failureFromAnswer(method, path, response.status, response.data, response.headers);
    }
    // axios hands over a body it could not parse as JSON as a string: an HTML page or a truncated answer, never what
    // SaaSus sends. Unread, it would let a verify or an enable "succeed" on a proxy's error page.
    if (typeof result?.data === 'string' && result.data.trim() !== '') {
      const status = typeof result.status === 'number' ? result.status : undefined;
      throw new SaasusFailure({ kind: 'invalid_response', method, path, status });
    }
    return result;
  }
}
