/** Bodies as SaaSus defines them (snake_case on the wire). */
export interface SaasusMfaPreference {
  enabled: boolean;
  method?: 'softwareToken' | 'email';
}

export interface SaasusUserInfoBody {
  id: string;
  email: string;
  sign_in_id?: string;
  user_attribute?: Record<string, unknown>;
  tenants?: unknown[];
}

/** Per-request settings the provider passes down. */
export interface SaasusRequestOptions {
  /** Aborts the request (the caller's signal combined with the timeout). */
  signal: AbortSignal;
  timeoutMs: number;
  referer?: string | undefined;
}

/**
 * The five SaaSus Auth API calls the provider needs. Two implementations: the built-in signed axios transport, and
 * an adapter over the official SDK's `SaasUserApi`. Both reject with a `SaasusFailure`.
 */
export interface SaasusAuthApi {
  getUserMfaPreference(userId: string, options: SaasusRequestOptions): Promise<unknown>;
  updateUserMfaPreference(userId: string, body: SaasusMfaPreference, options: SaasusRequestOptions): Promise<void>;
  createSecretCode(userId: string, body: { access_token: string }, options: SaasusRequestOptions): Promise<unknown>;
  updateSoftwareToken(
    userId: string,
    body: { access_token: string; verification_code: string },
    options: SaasusRequestOptions,
  ): Promise<void>;
  getUserInfo(token: string, options: SaasusRequestOptions): Promise<unknown>;
}

/** Options the official SDK's methods accept (a subset of axios's request config). */
export interface SaasusSdkRequestOptions {
  signal?: AbortSignal;
  timeout?: number;
  headers?: Record<string, string>;
  maxRedirects?: number;
  maxContentLength?: number;
}

/** The response shape of the official SDK (an `AxiosResponse`); only `data` is read. */
export interface SaasusSdkResponse<T> {
  data: T;
}

/**
 * Structural match for `new AuthClient().saasUserApi` from the official `saasus-sdk`, so an app that already has one
 * can pass it in. The package never imports `saasus-sdk`.
 */
export interface SaasUserApiLike {
  getUserMfaPreference(userId: string, options?: SaasusSdkRequestOptions): Promise<SaasusSdkResponse<unknown>>;
  updateUserMfaPreference(
    userId: string,
    body: SaasusMfaPreference,
    options?: SaasusSdkRequestOptions,
  ): Promise<unknown>;
  createSecretCode(
    userId: string,
    body: { access_token: string },
    options?: SaasusSdkRequestOptions,
  ): Promise<SaasusSdkResponse<unknown>>;
  updateSoftwareToken(
    userId: string,
    body: { access_token: string; verification_code: string },
    options?: SaasusSdkRequestOptions,
  ): Promise<unknown>;
}

/** Structural match for `new AuthClient().userInfoApi` from the official `saasus-sdk`. */
export interface UserInfoApiLike {
  getUserInfo(token: string, options?: SaasusSdkRequestOptions): Promise<SaasusSdkResponse<unknown>>;
}

/** A `GET /credentials` call: a temporary code, or a refresh token. */
export type SaasusCredentialsRequest =
  { authFlow: 'tempCodeAuth'; code: string } | { authFlow: 'refreshTokenAuth'; refreshToken: string };

/**
 * Structural match for `new AuthClient().credentialApi` from the official `saasus-sdk`:
 * `getAuthCredentials(code?, authFlow?, refreshToken?, options?)`, resolving to `{ id_token, access_token, refresh_token? }`.
 */
export interface CredentialApiLike {
  getAuthCredentials(
    code?: string,
    authFlow?: 'tempCodeAuth' | 'refreshTokenAuth',
    refreshToken?: string,
    options?: SaasusSdkRequestOptions,
  ): Promise<SaasusSdkResponse<unknown>>;
}
