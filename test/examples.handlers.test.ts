import { randomBytes } from 'node:crypto';
import { createFakeAuthenticator } from 'saasus-mfa/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { answerFor } from '../examples/shared/handlers/answer.js';
import { type ExampleRequest, type ExampleRoute, respond } from '../examples/shared/handlers/route.js';
import { exampleRoutes } from '../examples/shared/handlers/routes.js';
import { memoryBackend } from '../examples/shared/self-hosted/backends.js';
import { selfHostedDeps } from '../examples/shared/self-hosted/setup.js';
import { ROOMY_PROTECTION, newCredentials } from './support/example-self-hosted.js';

/**
 * The shared handlers called directly, as a Fetch API adapter would call them: plain objects in, plain
 * `{ status, body, headers }` out, no HTTP server, no Node request, no framework.
 */
const authenticator = createFakeAuthenticator();

function routesOf(provider: { maxAttempts?: number } = {}) {
  const deps = selfHostedDeps(memoryBackend(), {
    provider: { ...provider, encryptionKey: randomBytes(32), env: {} },
    protection: ROOMY_PROTECTION,
  });
  const routes = exampleRoutes(deps);
  const route = (method: string, path: string): ExampleRoute => {
    const found = routes.find((r) => r.method === method && r.path === path);
    if (!found) throw new Error(`no route ${method} ${path}`);
    return found;
  };
  return { routes, route };
}

/** A request as an adapter builds it; `body` is what readBody resolves to, and every read is counted. */
function request(options: { bearerToken?: string; body?: unknown } = {}) {
  const reads = { count: 0 };
  const built: ExampleRequest = {
    bearerToken: options.bearerToken ?? '',
    ctx: {},
    query: new URLSearchParams(),
    cookie: () => undefined,
    readBody: async () => {
      reads.count++;
      return options.body;
    },
  };
  return { request: built, reads };
}

afterEach(() => vi.restoreAllMocks());

/** Every answer `respond` gives says this: they carry secrets, recovery codes and session tokens. */
const NO_STORE = { 'Cache-Control': 'no-store' };

describe('the shared example handlers, without any HTTP', () => {
  it('run sign-up, setup, verify, enable and /me from plain objects to plain answers', async () => {
    const { route } = routesOf();
    const credentials = newCredentials();
    const signup = await respond(route('POST', '/signup'), request({ body: credentials }).request);
    expect(signup).toMatchObject({ status: 201, body: { token: expect.any(String) } });
    const bearerToken = (signup.body as { token: string }).token;

    const setup = await respond(route('GET', '/mfa_setup'), request({ bearerToken }).request);
    expect(setup.status).toBe(200);
    const { secretKey } = setup.body as { secretKey: string };
    const verify = await respond(
      route('POST', '/mfa_verify'),
      request({ bearerToken, body: { verification_code: authenticator.code(secretKey) } }).request,
    );
    expect(verify).toEqual({ status: 200, body: { message: 'The verification code is correct' }, headers: NO_STORE });
    const enable = await respond(route('POST', '/mfa_enable'), request({ bearerToken }).request);
    expect(enable).toMatchObject({
      status: 200,
      body: { message: 'MFA is enabled', recoveryCodes: expect.any(Array) },
    });
    expect(await respond(route('GET', '/me'), request({ bearerToken }).request)).toEqual({
      status: 200,
      body: { username: credentials.username },
      headers: NO_STORE,
    });
    expect(await respond(route('POST', '/logout'), request({ bearerToken }).request)).toEqual({
      status: 204,
      headers: NO_STORE,
    });
  });

  it("resource exhaustion: a stranger's body is never read, and routes without a body never read one", async () => {
    const { routes, route } = routesOf();
    for (const path of [
      '/mfa_verify',
      '/mfa_enable',
      '/mfa_disable',
      '/mfa_recovery_codes',
      '/mfa_trusted_devices/revoke',
      '/mfa_trusted_devices/revoke_all',
    ]) {
      const { request: stranger, reads } = request({ bearerToken: 'not-a-session', body: { verification_code: '1' } });
      expect(await respond(route('POST', path), stranger), path).toMatchObject({
        status: 401,
        body: { code: 'unauthorized' },
      });
      expect(reads.count, path).toBe(0);
    }
    const signup = await respond(route('POST', '/signup'), request({ body: newCredentials() }).request);
    const bearerToken = (signup.body as { token: string }).token;
    // Self-hosted /mfa_disable reads its body (the step-up code), once, and only for a signed-in caller.
    const { request: disabling, reads } = request({ bearerToken: (signup.body as { token: string }).token, body: {} });
    await respond(route('POST', '/mfa_disable'), disabling);
    expect(reads.count).toBe(1);
    for (const path of ['/mfa_enable', '/logout', '/mfa_trusted_devices/revoke_all']) {
      const { request: signedIn, reads } = request({ bearerToken, body: {} });
      await respond(route('POST', path), signedIn);
      expect(reads.count, path).toBe(0);
    }
    expect(routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(
      [
        'GET /mfa_status',
        'GET /mfa_setup',
        'POST /mfa_verify',
        'POST /mfa_enable',
        'POST /mfa_disable',
        'POST /signup',
        'POST /login',
        'POST /mfa/challenge',
        'POST /logout',
        'GET /me',
        'POST /mfa_recovery_codes',
        'GET /mfa_trusted_devices',
        'POST /mfa_trusted_devices/revoke',
        'POST /mfa_trusted_devices/revoke_all',
      ].sort(),
    );
  });

  it('answer every failure once: MfaError by its status and toJSON(), HttpError by its message, a bug by a fixed 500', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { route } = routesOf({ maxAttempts: 2 });
    const credentials = newCredentials();
    const signup = await respond(route('POST', '/signup'), request({ body: credentials }).request);
    const bearerToken = (signup.body as { token: string }).token;
    await respond(route('GET', '/mfa_setup'), request({ bearerToken }).request);
    const wrong = () =>
      respond(route('POST', '/mfa_verify'), request({ bearerToken, body: { verification_code: '000000' } }).request);

    // The SDK's errors, as thrown: the status and the safe body they carry, nothing added, nothing lost.
    const refused = await wrong();
    expect(refused).toMatchObject({ status: 400, body: { code: 'invalid_code', error: expect.any(String) } });
    expect(refused.headers).toEqual(NO_STORE);
    await wrong();
    const limited = await wrong();
    expect(limited).toMatchObject({ status: 429, body: { code: 'rate_limited', retryAfterMs: expect.any(Number) } });
    const { retryAfterMs } = limited.body as { retryAfterMs: number };
    expect(limited.headers).toEqual({ 'Retry-After': String(Math.ceil(retryAfterMs / 1000)), ...NO_STORE });

    // The example's own refusal: its fixed message.
    expect(await respond(route('POST', '/signup'), request({ body: credentials }).request)).toEqual({
      status: 409,
      body: { error: 'This username is taken', code: 'username_taken' },
      headers: NO_STORE,
    });

    // Anything else is a bug: one fixed 500, whatever it carries, and the log names no part of it.
    const secret = 'secret-session-token';
    const failing = (error: unknown): ExampleRoute => ({
      method: 'GET',
      path: '/x',
      handle: () => Promise.reject(error),
    });
    for (const bug of [new TypeError(`cannot read ${secret}`), secret, { message: secret, status: 418 }, undefined]) {
      const answer = await respond(failing(bug), request().request);
      expect(answer).toEqual({
        status: 500,
        body: { error: 'Internal error', code: 'internal_error' },
        headers: NO_STORE,
      });
      expect({ ...answerFor(bug), headers: NO_STORE }).toEqual(answer);
    }
    expect(log).toHaveBeenCalled();
    for (const line of log.mock.calls.flat()) expect(String(line)).not.toContain(secret);
  });
});
