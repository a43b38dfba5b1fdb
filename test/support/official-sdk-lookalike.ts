import axios, { type AxiosInstance, type RawAxiosRequestConfig } from 'axios';
import { saasusAuthorization } from '../../src/saasus/signer.js';

/**
 * A stand-in for `new AuthClient().saasUserApi` / `.userInfoApi` from the official `saasus-sdk` (not on the registry
 * here), built the way that SDK is: openapi-generator's typescript-axios methods returning `AxiosResponse`, signing in
 * an axios request interceptor, rejecting with `AxiosError` on non-2xx. It is third-party behaviour, not project code.
 */
export function createOfficialSdkLookalike(options: {
  baseUrl: string;
  saasId: string;
  apiKey: string;
  secretKey: string;
  now: () => Date;
}) {
  const instance: AxiosInstance = axios.create();
  instance.interceptors.request.use((config) => {
    const body =
      typeof config.data === 'string' ? config.data : config.data === undefined ? '' : JSON.stringify(config.data);
    config.data = body === '' ? undefined : body;
    config.headers.set('Content-Type', 'application/json');
    config.headers.set(
      'Authorization',
      saasusAuthorization(options, {
        method: config.method!.toUpperCase(),
        url: config.url!,
        body,
        now: options.now(),
      }),
    );
    return config;
  });
  const base = `${options.baseUrl}/v1/auth`;
  const user = (id: string) => `${base}/users/${encodeURIComponent(id)}`;
  const saasUserApi = {
    getUserMfaPreference: (userId: string, config?: RawAxiosRequestConfig) =>
      instance.request({ ...config, method: 'GET', url: `${user(userId)}/mfa/preference` }),
    updateUserMfaPreference: (
      userId: string,
      body: { enabled: boolean; method?: string },
      config?: RawAxiosRequestConfig,
    ) =>
      instance.request({
        ...config,
        method: 'PATCH',
        url: `${user(userId)}/mfa/preference`,
        data: JSON.stringify(body),
      }),
    createSecretCode: (userId: string, body: { access_token: string }, config?: RawAxiosRequestConfig) =>
      instance.request({
        ...config,
        method: 'POST',
        url: `${user(userId)}/mfa/software-token/secret-code`,
        data: JSON.stringify(body),
      }),
    updateSoftwareToken: (
      userId: string,
      body: { access_token: string; verification_code: string },
      config?: RawAxiosRequestConfig,
    ) =>
      instance.request({
        ...config,
        method: 'PUT',
        url: `${user(userId)}/mfa/software-token`,
        data: JSON.stringify(body),
      }),
  };
  const userInfoApi = {
    getUserInfo: (token: string, config?: RawAxiosRequestConfig) =>
      instance.request({ ...config, method: 'GET', url: `${base}/userinfo?token=${encodeURIComponent(token)}` }),
  };
  // openapi-generator adds the query parameters in the order they are declared: code, auth-flow, refresh-token.
  const credentialApi = {
    getAuthCredentials: (
      code?: string,
      authFlow?: 'tempCodeAuth' | 'refreshTokenAuth',
      refreshToken?: string,
      config?: RawAxiosRequestConfig,
    ) => {
      const query = new URLSearchParams();
      if (code !== undefined) query.set('code', code);
      if (authFlow !== undefined) query.set('auth-flow', authFlow);
      if (refreshToken !== undefined) query.set('refresh-token', refreshToken);
      return instance.request({ ...config, method: 'GET', url: `${base}/credentials?${query}` });
    },
  };
  return { saasUserApi, userInfoApi, credentialApi };
}
