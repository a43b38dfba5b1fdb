export { SaasusMfaProvider, DEFAULT_SAASUS_BASE_URL, DEFAULT_TIMEOUT_MS } from './provider.js';
export type { SaasusMfaProviderOptions, SaasusUserInfo } from './provider.js';
export type { SaasusSignInTokens, SaasusRefreshedTokens } from './sign-in.js';
export type { SaasusTenant, SaasusEnv, SaasusRole } from './user-info.js';
export type {
  CredentialApiLike,
  SaasUserApiLike,
  UserInfoApiLike,
  SaasusSdkRequestOptions,
  SaasusSdkResponse,
  SaasusMfaPreference,
} from './api.js';
export type { SaasusLogger } from './logger.js';
export type { SaasusFailure, SaasusFailureKind } from './failure.js';
export type { SaasusCredentials } from './signer.js';
