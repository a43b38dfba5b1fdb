import { randomUUID } from '../internal/crypto/index.js';
import type { AxiosInstance, AxiosResponse } from 'axios';
import { createDefaultAxios } from './default-axios.js';
import type { SaasusAuthApi, SaasusCredentialsRequest, SaasusMfaPreference, SaasusRequestOptions } from './api.js';
import { SaasusFailure } from './failure.js';
import { MAX_RESPONSE_BYTES, failureFromAnswer, failureFromThrown, headerValue } from './failure-from.js';
import type { SaasusLogger } from './logger.js';
import { type SaasusCredentials, saasusAuthorization } from './signer.js';

export interface SaasusHttpTransportOptions {
  credentials: SaasusCredentials;
  /** Origin such as `https://api.saasus.io`; `/v1/auth` is appended. */
  baseUrl: string;
  /** Your own axios instance; by default a private `axios.create()`, never the global axios. */
  axios?: AxiosInstance | undefined;
  /** Clock for the signature's minute; tests pass a fixed clock. */
  now?: (() => Date) | undefined;
  logger?: SaasusLogger | undefined;
}

/** Segment-encodes a user id; `.` and `..` would be read as path steps even when encoded, so they never get here. */
function segment(value: string): string {
  return encodeURIComponent(value);
}

/**
 * The SaaSus Auth API over axios, every request signed with SAASUSSIGV1.
 * The body is serialised here and sent as that exact string, the query is part of the signed URL, and the response
 * is read as text and parsed here, so an HTML error page or a malformed body is recognised, not half-parsed.
 */
export class SaasusHttpTransport implements SaasusAuthApi {
  /** The app's axios instance, else the default one, created on the first request (default-axios.ts). */
  private http: AxiosInstance | Promise<AxiosInstance>;
  private readonly authBase: string;
  private readonly credentials: SaasusCredentials;
  private readonly now: () => Date;
  private readonly logger: SaasusLogger | undefined;

  constructor(options: SaasusHttpTransportOptions) {
    this.http = options.axios ?? createDefaultAxios();
    // Until the first request awaits it; a failure to load shows there, as a provider error.
    if (this.http instanceof Promise) this.http.catch(() => undefined);
    this.authBase = `${options.baseUrl.replace(/\/+$/, '')}/v1/auth`;
    this.credentials = options.credentials;
    this.now = options.now ?? (() => new Date());
    this.logger = options.logger;
  }

  async getUserMfaPreference(userId: string, options: SaasusRequestOptions): Promise<unknown> {
    return this.send('GET', `/users/${segment(userId)}/mfa/preference`, undefined, options);
  }

  async updateUserMfaPreference(
    userId: string,
    body: SaasusMfaPreference,
    options: SaasusRequestOptions,
  ): Promise<void> {
    await this.send('PATCH', `/users/${segment(userId)}/mfa/preference`, body, options);
  }

  async createSecretCode(
    userId: string,
    body: { access_token: string },
    options: SaasusRequestOptions,
  ): Promise<unknown> {
    return this.send('POST', `/users/${segment(userId)}/mfa/software-token/secret-code`, body, options);
  }

  async updateSoftwareToken(
    userId: string,
    body: { access_token: string; verification_code: string },
    options: SaasusRequestOptions,
  ): Promise<void> {
    await this.send('PUT', `/users/${segment(userId)}/mfa/software-token`, body, options);
  }

  async getUserInfo(token: string, options: SaasusRequestOptions): Promise<unknown> {
    return this.send('GET', `/userinfo?token=${encodeURIComponent(token)}`, undefined, options);
  }

  /** `GET /credentials`: the sign-in tokens. The query (a code or a refresh token) never reaches a log. */
  async getAuthCredentials(request: SaasusCredentialsRequest, options: SaasusRequestOptions): Promise<unknown> {
    const query =
      request.authFlow === 'tempCodeAuth'
        ? `code=${encodeURIComponent(request.code)}&auth-flow=tempCodeAuth`
        : `auth-flow=refreshTokenAuth&refresh-token=${encodeURIComponent(request.refreshToken)}`;
    return this.send('GET', `/credentials?${query}`, undefined, options);
  }

  private async send(
    method: string,
    pathAndQuery: string,
    body: unknown,
    options: SaasusRequestOptions,
  ): Promise<unknown> {
    const url = this.authBase + pathAndQuery;
    // The path without its query: the ID token travels in the query and never reaches a log or an error.
    const path = new URL(url).pathname;
    const bodyText = body === undefined ? '' : JSON.stringify(body);
    const headers: Record<string, string> = {
      Authorization: saasusAuthorization(this.credentials, { method, url, body: bodyText, now: this.now() }),
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'X-SaaSus-Trace-Id': randomUUID(),
    };
    if (options.referer) {
      headers.Referer = options.referer;
      headers['X-SaaSus-Referer'] = options.referer;
    }
    const started = Date.now();
    let response: AxiosResponse<string>;
    try {
      const http = await this.http;
      response = await http.request<string>({
        method,
        url,
        headers,
        data: bodyText === '' ? undefined : bodyText,
        signal: options.signal,
        responseType: 'text',
        // The signed bytes must be the sent bytes, and the raw text is parsed below: no axios transforms.
        transformRequest: [(data: unknown) => data],
        transformResponse: [(data: unknown) => data],
        validateStatus: () => true,
        maxRedirects: 0,
        maxContentLength: MAX_RESPONSE_BYTES,
      });
    } catch (error) {
      const failure = failureFromThrown(error, method, path, options);
      this.logger?.warn?.('saasus request failed', { method, path, kind: failure.kind, ms: Date.now() - started });
      throw failure;
    }
    const traceId = headerValue(response.headers, 'x-saasus-trace-id');
    this.logger?.debug?.('saasus request', {
      method,
      path,
      status: response.status,
      ms: Date.now() - started,
      traceId,
    });
    const parsed = parseJson(response.data);
    if (response.status >= 200 && response.status < 300) {
      if (parsed === INVALID)
        throw new SaasusFailure({ kind: 'invalid_response', method, path, status: response.status, traceId });
      return parsed;
    }
    throw failureFromAnswer(method, path, response.status, parsed === INVALID ? undefined : parsed, response.headers);
  }
}

const INVALID = Symbol('invalid');

/** Empty text is "no body" (SaaSus answers 200 with none to PATCH and PUT); anything else must be JSON. */
function parseJson(text: unknown): unknown {
  if (text === undefined || text === null || text === '') return undefined;
  if (typeof text !== 'string') return INVALID;
  try {
    return JSON.parse(text);
  } catch {
    return INVALID;
  }
}
