import { randomBytes, randomUUID } from 'node:crypto';
import { type HttpHandler, HttpResponse, delay, http } from 'msw';
import { generateSecret, verifySync } from 'otplib';
import { parseSaasusAuthorization, saasusSignature, saasusTimestamp, signaturesEqual } from '../saasus/signer.js';
import type { FixedClock } from './clock.js';
import { systemClock } from './clock.js';

export type FakeSaasusOperation =
  'getPreference' | 'updatePreference' | 'createSecretCode' | 'registerSoftwareToken' | 'getUserInfo';

/** How an injected failure answers. */
export type FakeSaasusFailure =
  /** An HTTP answer: `body` as JSON, or `text` as-is (an HTML error page, a truncated body). */
  | { status: number; body?: unknown; text?: string; contentType?: string; headers?: Record<string, string> }
  /** The connection drops before any answer. */
  | { network: 'reset' }
  /** The normal answer, after a delay (past the client's timeout, say). */
  | { delayMs: number };

export interface FakeSaasusOptions {
  /** Origin the fake answers on. Default `https://api.saasus.io`. */
  baseUrl?: string;
  saasId?: string;
  apiKey?: string;
  secretKey?: string;
  /** Clock for signatures and TOTP checks. Default: the system clock. */
  clock?: Pick<FixedClock, 'now' | 'nowMs'>;
  /** Status for a wrong verification code. Default 400; the public reference suggests SaaSus may answer 500. */
  codeMismatchStatus?: number;
}

export interface FakeSaasusUser {
  id: string;
  email: string;
  signInId: string;
  /** Send as `Authorization: Bearer <idToken>` to an app; resolved by `/userinfo`. */
  idToken: string;
  /** Send as `X-Access-Token`; needed by create secret code and register. */
  accessToken: string;
}

/** What the fake knows about a user's MFA; `pendingSecret` and `registeredSecret` are test-only peeks. */
export interface FakeSaasusMfaState {
  enabled: boolean;
  method: 'softwareToken' | 'email' | null;
  pendingSecret: string | null;
  registeredSecret: string | null;
}

export interface FakeSaasusRequest {
  operation: FakeSaasusOperation | 'unknown';
  method: string;
  /** Path and query as received. */
  url: string;
  signatureValid: boolean;
  headers: Record<string, string>;
  body: string;
}

interface UserRecord extends FakeSaasusUser {
  mfa: FakeSaasusMfaState;
}

const TRACE_HEADER = 'X-SaaSus-Trace-Id';

/**
 * A stateful stand-in for the SaaSus Auth API's MFA and userinfo calls, as msw handlers. It checks the SAASUSSIGV1
 * signature exactly (host, port, path, query, body; the current minute or the one before), access tokens, and TOTP
 * codes (±1 step), and can be told to fail. Register `fake.handlers` with msw's `setupServer`.
 */
export class FakeSaasus {
  readonly baseUrl: string;
  readonly credentials: { saasId: string; apiKey: string; secretKey: string };
  /** Every request received, oldest first. */
  readonly requests: FakeSaasusRequest[] = [];
  readonly handlers: HttpHandler[];
  private readonly clock: Pick<FixedClock, 'now' | 'nowMs'>;
  private readonly codeMismatchStatus: number;
  private readonly users = new Map<string, UserRecord>();
  private readonly failures: Array<{
    operation: FakeSaasusOperation | '*';
    failure: FakeSaasusFailure;
    remaining: number;
  }> = [];

  constructor(options: FakeSaasusOptions = {}) {
    this.baseUrl = (options.baseUrl ?? 'https://api.saasus.io').replace(/\/+$/, '');
    this.credentials = {
      saasId: options.saasId ?? 'fake-saas-id',
      apiKey: options.apiKey ?? 'fake-api-key',
      secretKey: options.secretKey ?? 'fake-secret-key',
    };
    this.clock = options.clock ?? systemClock;
    this.codeMismatchStatus = options.codeMismatchStatus ?? 400;
    const auth = `${this.baseUrl}/v1/auth`;
    this.handlers = [
      http.get(`${auth}/users/:userId/mfa/preference`, ({ request, params }) =>
        this.handle('getPreference', request, () => this.getPreference(String(params.userId))),
      ),
      http.patch(`${auth}/users/:userId/mfa/preference`, ({ request, params }) =>
        this.handle('updatePreference', request, (body) => this.updatePreference(String(params.userId), body)),
      ),
      http.post(`${auth}/users/:userId/mfa/software-token/secret-code`, ({ request, params }) =>
        this.handle('createSecretCode', request, (body) => this.createSecretCode(String(params.userId), body)),
      ),
      http.put(`${auth}/users/:userId/mfa/software-token`, ({ request, params }) =>
        this.handle('registerSoftwareToken', request, (body) =>
          this.registerSoftwareToken(String(params.userId), body),
        ),
      ),
      http.get(`${auth}/userinfo`, ({ request }) =>
        this.handle('getUserInfo', request, () => this.getUserInfo(new URL(request.url).searchParams.get('token'))),
      ),
    ];
  }

  /** Adds a user (a random UUID id and tokens unless given) and returns it with its tokens. */
  addUser(user: Partial<Pick<FakeSaasusUser, 'id' | 'email' | 'signInId'>> = {}): FakeSaasusUser {
    const id = user.id ?? randomUUID();
    const record: UserRecord = {
      id,
      email: user.email ?? `${id.slice(0, 8)}@example.com`,
      signInId: user.signInId ?? '',
      idToken: `id.${randomBytes(18).toString('base64url')}`,
      accessToken: `access.${randomBytes(18).toString('base64url')}`,
      mfa: { enabled: false, method: null, pendingSecret: null, registeredSecret: null },
    };
    this.users.set(id, record);
    const { mfa: _mfa, ...publicUser } = record;
    return publicUser;
  }

  /** The user's MFA state as the fake holds it (a copy). */
  mfaState(userId: string): FakeSaasusMfaState | undefined {
    const record = this.users.get(userId);
    return record ? { ...record.mfa } : undefined;
  }

  /** Makes the next `times` calls of `operation` (or of any, with `'*'`) answer with `failure`. */
  failNext(operation: FakeSaasusOperation | '*', failure: FakeSaasusFailure, times = 1): void {
    this.failures.push({ operation, failure, remaining: times });
  }

  /** Forgets users, queued failures and the request log. */
  reset(): void {
    this.users.clear();
    this.failures.length = 0;
    this.requests.length = 0;
  }

  private async handle(
    operation: FakeSaasusOperation,
    request: Request,
    answer: (body: unknown) => Response | Promise<Response>,
  ): Promise<Response> {
    const bodyText = await request.text();
    const signatureValid = this.signatureValid(request, bodyText);
    this.requests.push({
      operation,
      method: request.method,
      url: new URL(request.url).pathname + new URL(request.url).search,
      signatureValid,
      headers: Object.fromEntries(request.headers.entries()),
      body: bodyText,
    });
    if (!signatureValid) return errorResponse(401, 'InvalidSignature', 'signature mismatch');
    const injected = this.takeFailure(operation);
    if (injected) {
      if ('network' in injected) return HttpResponse.error();
      if ('delayMs' in injected) {
        await delay(injected.delayMs);
      } else {
        const headers = { [TRACE_HEADER]: randomUUID(), ...injected.headers };
        if (injected.text !== undefined) {
          return new HttpResponse(injected.text, {
            status: injected.status,
            headers: { 'Content-Type': injected.contentType ?? 'text/html', ...headers },
          });
        }
        if (injected.body === undefined) return new HttpResponse(null, { status: injected.status, headers });
        return HttpResponse.json(injected.body as Record<string, unknown>, { status: injected.status, headers });
      }
    }
    let body: unknown;
    if (bodyText !== '') {
      try {
        body = JSON.parse(bodyText);
      } catch {
        return errorResponse(400, 'InvalidParameterException', 'request body is not JSON');
      }
    }
    return answer(body);
  }

  private signatureValid(request: Request, bodyText: string): boolean {
    const parsed = parseSaasusAuthorization(request.headers.get('authorization'));
    if (!parsed || parsed.saasId !== this.credentials.saasId || parsed.apiKey !== this.credentials.apiKey) return false;
    const nowMs = this.clock.nowMs();
    // The signature names a minute; accept this minute and the one before, for a request signed at hh:mm:59.
    return [nowMs, nowMs - 60_000].some((ms) =>
      signaturesEqual(
        parsed.sig,
        saasusSignature({
          secretKey: this.credentials.secretKey,
          apiKey: this.credentials.apiKey,
          timestamp: saasusTimestamp(new Date(ms)),
          method: request.method,
          url: request.url,
          body: bodyText,
        }),
      ),
    );
  }

  private takeFailure(operation: FakeSaasusOperation): FakeSaasusFailure | undefined {
    const index = this.failures.findIndex((entry) => entry.operation === operation || entry.operation === '*');
    if (index === -1) return undefined;
    const entry = this.failures[index]!;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.failures.splice(index, 1);
    return entry.failure;
  }

  private getPreference(userId: string): Response {
    const user = this.users.get(userId);
    if (!user) return userNotFound();
    const { enabled, method } = user.mfa;
    return traced(HttpResponse.json(enabled && method ? { enabled, method } : { enabled }));
  }

  private updatePreference(userId: string, body: unknown): Response {
    const user = this.users.get(userId);
    if (!user) return userNotFound();
    const { enabled, method } = (body ?? {}) as { enabled?: unknown; method?: unknown };
    if (typeof enabled !== 'boolean') return errorResponse(400, 'InvalidParameterException', 'enabled is required');
    if (method !== undefined && method !== 'softwareToken' && method !== 'email') {
      return errorResponse(400, 'InvalidParameterException', 'unknown method');
    }
    if (!enabled) {
      user.mfa.enabled = false;
      user.mfa.method = null;
      return traced(new HttpResponse(null, { status: 200 }));
    }
    if (method === undefined)
      return errorResponse(400, 'InvalidParameterException', 'method is required when enabling');
    if (method === 'softwareToken' && !user.mfa.registeredSecret) {
      return errorResponse(400, 'InvalidParameterException', 'User has not verified software token mfa');
    }
    user.mfa.enabled = true;
    user.mfa.method = method;
    return traced(new HttpResponse(null, { status: 200 }));
  }

  private createSecretCode(userId: string, body: unknown): Response {
    const user = this.users.get(userId);
    if (!user) return userNotFound();
    if ((body as { access_token?: unknown } | undefined)?.access_token !== user.accessToken) return tokenRejected();
    user.mfa.pendingSecret = generateSecret();
    return traced(HttpResponse.json({ secret_code: user.mfa.pendingSecret }, { status: 201 }));
  }

  private registerSoftwareToken(userId: string, body: unknown): Response {
    const user = this.users.get(userId);
    if (!user) return userNotFound();
    const { access_token, verification_code } = (body ?? {}) as { access_token?: unknown; verification_code?: unknown };
    if (access_token !== user.accessToken) return tokenRejected();
    const secret = user.mfa.pendingSecret;
    if (!secret) return errorResponse(400, 'InvalidParameterException', 'no secret code was created for this user');
    const valid =
      typeof verification_code === 'string' &&
      /^[0-9]{6}$/.test(verification_code) &&
      verifySync({ secret, token: verification_code, epoch: Math.floor(this.clock.nowMs() / 1000), epochTolerance: 30 })
        .valid;
    if (!valid)
      return errorResponse(this.codeMismatchStatus, 'CodeMismatchException', 'Invalid code received for user');
    user.mfa.registeredSecret = secret;
    user.mfa.pendingSecret = null;
    return traced(new HttpResponse(null, { status: 200 }));
  }

  private getUserInfo(token: string | null): Response {
    const user = [...this.users.values()].find((candidate) => token !== null && candidate.idToken === token);
    if (!user) return errorResponse(401, 'Unauthorized', 'invalid token');
    return traced(
      HttpResponse.json({ id: user.id, email: user.email, sign_in_id: user.signInId, user_attribute: {}, tenants: [] }),
    );
  }
}

function traced(response: Response): Response {
  response.headers.set(TRACE_HEADER, randomUUID());
  return response;
}

function errorResponse(status: number, type: string, message: string): Response {
  return traced(HttpResponse.json({ type, message }, { status }));
}

function userNotFound(): Response {
  return errorResponse(404, 'UserNotFoundException', 'user not found');
}

function tokenRejected(): Response {
  return errorResponse(401, 'NotAuthorizedException', 'Invalid Access Token');
}

/** Shorthand for `new FakeSaasus(options)`. */
export function createFakeSaasus(options?: FakeSaasusOptions): FakeSaasus {
  return new FakeSaasus(options);
}
