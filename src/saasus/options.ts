import type { AxiosInstance } from 'axios';
import { MfaConfigurationError } from '../errors.js';
import { guardedEnvironment } from '../internal/environment.js';
import type { CredentialApiLike, SaasUserApiLike, SaasusAuthApi, UserInfoApiLike } from './api.js';
import type { SaasusCallSettings } from './calls.js';
import type { SaasusLogger } from './logger.js';
import { DEFAULT_RETRY_POLICY } from './retry.js';
import { SaasusSdkAdapter } from './sdk-adapter.js';
import type { SaasusCredentialsTransport } from './sign-in.js';
import { SaasusHttpTransport } from './transport.js';

/** Origin of the SaaSus API when neither `baseUrl` nor `SAASUS_API_URL_BASE` is set. */
export const DEFAULT_SAASUS_BASE_URL = 'https://api.saasus.io';
/** Per-attempt time limit. An MFA check sits on a login path: ten seconds is already long for a person waiting. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Options of `SaasusMfaProvider`, each checked at construction. Credentials come from the options, else from `env`;
 * they are used only to sign requests and never appear in an error or a log line.
 */
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
  /** Retries of GET calls (status, userinfo) on timeouts, network errors, 408, 429, 500, 502, 503, 504. Default 2. */
  maxRetries?: number;
  /** Back-off base and cap, in ms (full jitter). Defaults 250 and 5 000; a longer `Retry-After` is not waited for. */
  retryBaseDelayMs?: number;
  /** Cap on one back-off wait, in ms, `Retry-After` included (a longer one ends the retries). Default 5 000. */
  maxRetryDelayMs?: number;
  /** Receives one line per request: method, path without query, status, duration, trace id. Default: none. */
  logger?: SaasusLogger;
  /** Clock for request signatures. Default: the system clock. */
  now?: () => Date;
  /**
   * Where credentials are read from when not passed. Default: `process.env`, read at construction only; a runtime that
   * refuses it (Deno without `--allow-env`) fails with `MfaConfigurationError` naming the variable and the option.
   */
  env?: Record<string, string | undefined>;
}

/** What the provider runs on, every option checked once at construction. */
export interface ResolvedSaasusOptions {
  api: SaasusAuthApi;
  /** The credentials API for sign-in: the official SDK adapter when injected, else the built-in transport, if any. */
  signInApi: SaasusCredentialsTransport | undefined;
  calls: SaasusCallSettings;
}

/** Checks every option once, so a misconfiguration fails at startup rather than at a user's login. */
export function resolveSaasusOptions(options: SaasusMfaProviderOptions): ResolvedSaasusOptions {
  const env =
    options.env ??
    guardedEnvironment('SaasusMfaProvider', {
      SAASUS_API_URL_BASE: 'baseUrl',
      SAASUS_SAAS_ID: 'saasId',
      SAASUS_API_KEY: 'apiKey',
      SAASUS_SECRET_KEY: 'secretKey',
    });
  const timeoutMs = positive(options.timeoutMs, DEFAULT_TIMEOUT_MS, 'timeoutMs');
  const retryPolicy = {
    maxRetries: nonNegativeInteger(options.maxRetries, DEFAULT_RETRY_POLICY.maxRetries, 'maxRetries'),
    baseDelayMs: positive(options.retryBaseDelayMs, DEFAULT_RETRY_POLICY.baseDelayMs, 'retryBaseDelayMs'),
    maxDelayMs: positive(options.maxRetryDelayMs, DEFAULT_RETRY_POLICY.maxDelayMs, 'maxRetryDelayMs'),
  };
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
  const calls = { timeoutMs, retryPolicy, logger: options.logger };
  if (!options.saasUserApi) return { api: http!, signInApi: http, calls };
  checkSaasUserApi(options.saasUserApi);
  const adapter = new SaasusSdkAdapter(options.saasUserApi, options.userInfoApi, http, options.credentialApi);
  return { api: adapter, signInApi: adapter, calls };
}

function requireSetting(value: string | undefined, variable: string, option: string): string {
  if (typeof value === 'string' && value.trim() !== '') return value;
  throw new MfaConfigurationError(
    `SaaSus credential missing: set ${variable} or pass { ${option} } to SaasusMfaProvider`,
  );
}

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
  const methods = ['getUserMfaPreference', 'updateUserMfaPreference', 'createSecretCode', 'updateSoftwareToken'];
  for (const method of methods as (keyof SaasUserApiLike)[]) {
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
