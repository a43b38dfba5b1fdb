/** Bodies as SaaSus defines them (snake_case on the wire). */
export interface SaasusMfaPreference {
  /** Whether MFA is on for the user. */
  enabled: boolean;
  /** The MFA method; SaaSus may leave it out when MFA is off. */
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
  /** The caller's signal combined with the provider's time limit. */
  signal?: AbortSignal;
  /** The provider's `timeoutMs`, in ms. */
  timeout?: number;
  /** `Referer` and `X-SaaSus-Referer`, set only when the call context has a `referer`. */
  headers?: Record<string, string>;
  /** Always 0: a redirect would re-send the access token and code to another host. */
  maxRedirects?: number;
  /** Largest answer accepted, in bytes (1 MiB, as in the built-in transport). */
  maxContentLength?: number;
}

/** The response shape of the official SDK (an `AxiosResponse`); only `data` is read. */
export interface SaasusSdkResponse<T> {
  /** The parsed JSON body. */
  data: T;
}

/**
 * Structural match for `new AuthClient().saasUserApi` from the official `saasus-sdk`, so an app that already has one
 * can pass it in. The package never imports `saasus-sdk`.
 */
export interface SaasUserApiLike {
  /** `GET /v1/auth/users/{userId}/mfa/preference`: the user's MFA preference. */
  getUserMfaPreference(userId: string, options?: SaasusSdkRequestOptions): Promise<SaasusSdkResponse<unknown>>;
  /** `PATCH /v1/auth/users/{userId}/mfa/preference`: turns MFA on or off. */
  updateUserMfaPreference(
    userId: string,
    body: SaasusMfaPreference,
    options?: SaasusSdkRequestOptions,
  ): Promise<unknown>;
  /** `POST /v1/auth/users/{userId}/mfa/software-token/secret-code`: a new authenticator secret (`secret_code`). */
  createSecretCode(
    userId: string,
    body: { access_token: string },
    options?: SaasusSdkRequestOptions,
  ): Promise<SaasusSdkResponse<unknown>>;
  /** `PUT /v1/auth/users/{userId}/mfa/software-token`: registers the authenticator once a code from it checks out. */
  updateSoftwareToken(
    userId: string,
    body: { access_token: string; verification_code: string },
    options?: SaasusSdkRequestOptions,
  ): Promise<unknown>;
}

/** Structural match for `new AuthClient().userInfoApi` from the official `saasus-sdk`. */
export interface UserInfoApiLike {
  /** `GET /v1/auth/userinfo?token=...`: the signed-in user behind an ID token. */
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
  /** `GET /v1/auth/credentials`: tokens for a temporary code (`tempCodeAuth`) or refresh token (`refreshTokenAuth`). */
  getAuthCredentials(
    code?: string,
    authFlow?: 'tempCodeAuth' | 'refreshTokenAuth',
    refreshToken?: string,
    options?: SaasusSdkRequestOptions,
  ): Promise<SaasusSdkResponse<unknown>>;
}
