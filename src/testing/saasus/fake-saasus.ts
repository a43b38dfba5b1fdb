import { randomUUID } from 'node:crypto';
import { type HttpHandler, delay } from 'msw';
import { isValidSaasusSignature } from '../../saasus/signature-check.js';
import type { SaasusTenant } from '../../saasus/user-info.js';
import type { FixedClock } from '../clock.js';
import { systemClock } from '../clock.js';
import { type FakeAnswer, failure, ok, userNotFound } from './answers.js';
import { answerCredentials } from './credentials.js';
import { type FakeSaasusFailure, type FakeSaasusOperation, FaultQueue } from './faults.js';
import { FakeMfaStateMachine, type FakeSaasusMfaState } from './mfa-state.js';
import { answerResponse, injectedResponse, networkError, saasusRoutes } from './routes.js';
import { DEFAULT_TOKEN_LIFETIMES, FakeTokenAuthority, type FakeTokenLifetimes } from './tokens.js';

/** Options of `FakeSaasus`; all optional. */
export interface FakeSaasusOptions {
  /** Origin the fake answers on. Default `https://api.saasus.io`. */
  baseUrl?: string;
  /** The SaaS ID the fake expects in signatures. Default `fake-saas-id`. */
  saasId?: string;
  /** The API key the fake expects in signatures. Default `fake-api-key`. */
  apiKey?: string;
  /** The secret key the fake checks signatures with. Default `fake-secret-key`. */
  secretKey?: string;
  /** Clock for signatures, TOTP checks and token expiry. Default: the system clock. */
  clock?: Pick<FixedClock, 'now' | 'nowMs'>;
  /** Status for a wrong verification code. Default 400; the public reference suggests SaaSus may answer 500. */
  codeMismatchStatus?: number;
  /** Status for a rejected temporary code or refresh token (type `NotAuthorizedException`). Default 401. */
  credentialsRejectedStatus?: number;
  /** Token lifetimes in ms. Defaults: ID token 1 h, temporary code 10 s (as SaaSus documents), refresh token 30 days. */
  lifetimes?: Partial<FakeTokenLifetimes>;
}

/** A user added with `addUser`, signed in. Its tokens are fakes, valid only against this `FakeSaasus`. */
export interface FakeSaasusUser {
  /** The user's SaaSus id: a random UUID unless `addUser` was given one. */
  id: string;
  /** The user's e-mail. Default `<first 8 characters of id>@example.com`. */
  email: string;
  /** The user's sign-in id. Default `''`. */
  signInId: string;
  /** A JWT-shaped ID token (expires on the fake's clock). Send as `Authorization: Bearer <idToken>` to an app. */
  idToken: string;
  /** Send as `X-Access-Token`; needed by create secret code and register. */
  accessToken: string;
}

/** One request the fake received, as logged in `requests`: for asserting on what the provider sent. */
export interface FakeSaasusRequest {
  /** Which SaaSus operation the request's route maps to. */
  operation: FakeSaasusOperation | 'unknown';
  /** HTTP method as received. */
  method: string;
  /** Path and query as received. */
  url: string;
  /** Whether its `SAASUSSIGV1` signature checked out (a request that fails is answered 401). */
  signatureValid: boolean;
  /** Every request header as received (lower-case names), `Authorization` included: test data, not for logs. */
  headers: Record<string, string>;
  /** The request body as received; `''` when there was none. It may hold an access token or a code. */
  body: string;
}

interface UserRecord {
  id: string;
  email: string;
  signInId: string;
  tenants: SaasusTenant[];
  mfa: FakeMfaStateMachine;
}

/**
 * A stateful stand-in for the SaaSus Auth API's MFA, userinfo and credentials calls, as msw handlers. It checks the
 * SAASUSSIGV1 signature exactly (host, port, path, query, body; the current minute or the one before), access
 * tokens, TOTP codes (±1 step), temporary codes and refresh tokens, issues JWT-shaped ID tokens, and can be told to
 * fail. Register `fake.handlers` with msw's `setupServer`. Needs `msw` installed.
 */
export class FakeSaasus {
  /** The origin the fake answers on, without a trailing slash: pass it as the provider's `baseUrl`. */
  readonly baseUrl: string;
  /** The credentials the fake checks signatures against: pass them to the provider. */
  readonly credentials: {
    /** The options' `saasId`, or `fake-saas-id`. */
    saasId: string;
    /** The options' `apiKey`, or `fake-api-key`. */
    apiKey: string;
    /** The options' `secretKey`, or `fake-secret-key`. */
    secretKey: string;
  };
  /** Every request received, oldest first. */
  readonly requests: FakeSaasusRequest[] = [];
  /** msw handlers for the SaaSus Auth API paths under `baseUrl`: pass them to `setupServer` (or `server.use`). */
  readonly handlers: HttpHandler[];
  private readonly clock: Pick<FixedClock, 'now' | 'nowMs'>;
  private readonly codeMismatchStatus: number;
  private readonly credentialsRejectedStatus: number;
  private readonly users = new Map<string, UserRecord>();
  private readonly faults = new FaultQueue();
  private readonly tokens: FakeTokenAuthority;

  constructor(options: FakeSaasusOptions = {}) {
    this.baseUrl = (options.baseUrl ?? 'https://api.saasus.io').replace(/\/+$/, '');
    this.credentials = {
      saasId: options.saasId ?? 'fake-saas-id',
      apiKey: options.apiKey ?? 'fake-api-key',
      secretKey: options.secretKey ?? 'fake-secret-key',
    };
    this.clock = options.clock ?? systemClock;
    this.codeMismatchStatus = options.codeMismatchStatus ?? 400;
    this.credentialsRejectedStatus = options.credentialsRejectedStatus ?? 401;
    this.tokens = new FakeTokenAuthority(() => this.clock.nowMs(), {
      ...DEFAULT_TOKEN_LIFETIMES,
      ...options.lifetimes,
    });
    const mfa = (userId: string, run: (machine: FakeMfaStateMachine) => FakeAnswer): FakeAnswer => {
      const user = this.users.get(userId);
      return user ? run(user.mfa) : userNotFound();
    };
    this.handlers = saasusRoutes(`${this.baseUrl}/v1/auth`, (...args) => this.serve(...args), {
      getPreference: (userId) => mfa(userId, (machine) => machine.getPreference()),
      updatePreference: (userId, body) => mfa(userId, (machine) => machine.updatePreference(body)),
      createSecretCode: (userId, body) => mfa(userId, (machine) => machine.createSecretCode(body)),
      registerSoftwareToken: (userId, body) => mfa(userId, (machine) => machine.registerSoftwareToken(body)),
      getUserInfo: (query) => this.userInfo(query.get('token')),
      getCredentials: (query) =>
        answerCredentials(query, this.tokens, (id) => this.users.get(id), this.credentialsRejectedStatus),
    });
  }

  /** Adds a user (a random UUID id unless given), signed in: returns it with a fresh ID token and access token. */
  addUser(
    user: Partial<Pick<FakeSaasusUser, 'id' | 'email' | 'signInId'>> & { tenants?: SaasusTenant[] } = {},
  ): FakeSaasusUser {
    const id = user.id ?? randomUUID();
    const record: UserRecord = {
      id,
      email: user.email ?? `${id.slice(0, 8)}@example.com`,
      signInId: user.signInId ?? '',
      tenants: user.tenants ?? [],
      mfa: new FakeMfaStateMachine(id, this.tokens, () => this.clock.nowMs(), this.codeMismatchStatus),
    };
    this.users.set(id, record);
    const { id: _id, email, signInId } = record;
    return { id, email, signInId, idToken: this.tokens.idToken(record), accessToken: this.tokens.accessToken(id) };
  }

  /**
   * A temporary code for the user, as the SaaSus hosted login page puts on the callback URL (`?code=…`): exchanged
   * once through `GET /credentials?auth-flow=tempCodeAuth`, within the temporary code lifetime.
   */
  issueTemporaryCode(userId: string): string {
    if (!this.users.has(userId)) throw new Error(`FakeSaasus: no user ${userId}; add it with addUser() first`);
    return this.tokens.temporaryCode(userId);
  }

  /** A fresh ID token for the user, issued now on the fake's clock. */
  issueIdToken(userId: string): string {
    const user = this.users.get(userId);
    if (!user) throw new Error(`FakeSaasus: no user ${userId}; add it with addUser() first`);
    return this.tokens.idToken(user);
  }

  /** Makes every refresh token of the user invalid, as a sign-out everywhere does. */
  revokeRefreshTokens(userId: string): void {
    this.tokens.revokeRefreshTokens(userId);
  }

  /** The user's MFA state as the fake holds it (a copy). */
  mfaState(userId: string): FakeSaasusMfaState | undefined {
    const record = this.users.get(userId);
    return record ? { ...record.mfa.state } : undefined;
  }

  /** Makes the next `times` calls of `operation` (or of any, with `'*'`) answer with `failure`. */
  failNext(operation: FakeSaasusOperation | '*', failure: FakeSaasusFailure, times = 1): void {
    this.faults.push(operation, failure, times);
  }

  /** Forgets users, tokens, queued failures and the request log. */
  reset(): void {
    this.users.clear();
    this.tokens.clear();
    this.faults.clear();
    this.requests.length = 0;
  }

  private async serve(
    operation: FakeSaasusOperation,
    request: Request,
    answer: (body: unknown, query: URLSearchParams) => FakeAnswer,
  ): Promise<Response> {
    const bodyText = await request.text();
    const url = new URL(request.url);
    const signatureValid = isValidSaasusSignature({
      authorization: request.headers.get('authorization'),
      credentials: this.credentials,
      method: request.method,
      url,
      body: bodyText,
      nowMs: this.clock.nowMs(),
    });
    this.requests.push({
      operation,
      method: request.method,
      url: url.pathname + url.search,
      signatureValid,
      headers: Object.fromEntries(request.headers.entries()),
      body: bodyText,
    });
    if (!signatureValid) return answerResponse(failure(401, 'InvalidSignature', 'signature mismatch'));
    const injected = this.faults.take(operation);
    if (injected) {
      if ('network' in injected) return networkError();
      if (!('delayMs' in injected)) return injectedResponse(injected);
      await delay(injected.delayMs);
    }
    let body: unknown;
    if (bodyText !== '') {
      try {
        body = JSON.parse(bodyText);
      } catch {
        return answerResponse(failure(400, 'InvalidParameterException', 'request body is not JSON'));
      }
    }
    return answerResponse(answer(body, url.searchParams));
  }

  private userInfo(token: string | null): FakeAnswer {
    const user = this.users.get(this.tokens.userOfIdToken(token) ?? '');
    if (!user) return failure(401, 'Unauthorized', 'invalid token');
    return ok({
      id: user.id,
      email: user.email,
      sign_in_id: user.signInId,
      user_attribute: {},
      tenants: user.tenants,
    });
  }
}

/** Shorthand for `new FakeSaasus(options)`. */
export function createFakeSaasus(options?: FakeSaasusOptions): FakeSaasus {
  return new FakeSaasus(options);
}
