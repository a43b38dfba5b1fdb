import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXAMPLE_APPS, type RunningApp, listen } from './support/example-apps.js';
import { type Exchange, exampleHttp } from './support/example-http.js';
import { expectSafeResponses } from './support/example-leaks.js';
import { useFakeSaasus } from './support/fake-saasus.js';

/**
 * The HTTP contract of the official SaaSus sample front end (saasus-api.md, last section), over real HTTP, for both
 * example apps. Only SaaSus is faked (msw); the apps, the SDK and the HTTP stack are the real ones.
 */
const { fake, authenticator, client, provider, clock } = useFakeSaasus();
const FRONT_END = 'http://localhost:5173';
const REFERER = '/settings/mfa';

describe.each(EXAMPLE_APPS)('$name example app', ({ create }) => {
  let app: RunningApp;
  const { call, exchanges } = exampleHttp(() => app.url);
  const tokens: string[] = [];

  beforeAll(async () => {
    app = await listen(create({ mfa: client(), provider: provider(), corsOrigin: FRONT_END }));
  });
  afterAll(() => app.close());
  // After every test, whatever it checked: no answer leaked a token, a secret or a stack trace.
  afterEach(() => {
    const seen = exchanges.splice(0);
    const watched = { tokens: tokens.splice(0), secrets: setupSecrets(seen) };
    vi.restoreAllMocks();
    // A failing hook skips the outer ones: reset the fake here too, so one leak does not fail every later test.
    fake.reset();
    expectSafeResponses(seen, watched);
  });

  function newUser() {
    const user = fake.addUser({ email: 'alice+mfa@example.com' });
    tokens.push(user.idToken, user.accessToken);
    return user;
  }

  /** A well-formed code that the fake refuses: not the code of this, the previous or the next 30 s step. */
  function wrongCode(secret: string): string {
    const valid = [-30_000, 0, 30_000].map((offset) => authenticator.codeAt(secret, clock.nowMs() + offset));
    return ['000000', '111111', '222222', '333333'].find((code) => !valid.includes(code))!;
  }

  it('runs status → setup → verify → enable → status → disable as the front end does', async () => {
    const alice = newUser();
    const as = { idToken: alice.idToken, headers: { 'X-SaaSus-Referer': REFERER } };
    const withAccess = { ...as, accessToken: alice.accessToken };

    expect(await call('/mfa_status', as)).toMatchObject({ status: 200, body: { enabled: false, method: null } });

    const setup = await call('/mfa_setup', withAccess);
    expect(setup.status).toBe(200);
    const { qrCodeUrl, secretKey } = setup.body as { qrCodeUrl: string; secretKey: string };
    expect(Object.keys(setup.body as object).sort()).toEqual(['qrCodeUrl', 'secretKey']);
    expect(qrCodeUrl.startsWith('otpauth://totp/Acme:')).toBe(true);
    expect(qrCodeUrl).toContain('alice%2Bmfa%40example.com');
    expect(secretKey).toBe(fake.mfaState(alice.id)?.pendingSecret);

    const early = await call('/mfa_enable', { ...as, json: {} });
    expect(early).toMatchObject({ status: 409, body: { code: 'not_verified' } });

    const wrong = await call('/mfa_verify', { ...withAccess, json: { verification_code: wrongCode(secretKey) } });
    expect(wrong).toMatchObject({ status: 400, body: { code: 'invalid_code', reason: 'mismatch' } });

    const right = await call('/mfa_verify', {
      ...withAccess,
      json: { verification_code: authenticator.code(secretKey) },
    });
    expect(right.status).toBe(200);
    expect(typeof (right.body as { message: unknown }).message).toBe('string');

    expect(await call('/mfa_enable', { ...as, json: {} })).toMatchObject({
      status: 200,
      body: { message: expect.any(String) },
    });
    expect(await call('/mfa_status', as)).toMatchObject({
      status: 200,
      body: { enabled: true, method: 'softwareToken' },
    });
    const disabled = await call('/mfa_disable', { ...as, json: {} });
    expect(disabled).toMatchObject({ status: 200, body: { message: 'MFA is disabled' } });
    // The official front end's answer, byte for byte: no trusted-browser cookie cleared in this mode.
    expect(disabled.headers.get('set-cookie')).toBeNull();
    expect(await call('/mfa_status', as)).toMatchObject({ status: 200, body: { enabled: false, method: null } });

    expect(fake.requests.every((request) => request.signatureValid)).toBe(true);
    const mfaCalls = fake.requests.filter((request) => request.operation !== 'getUserInfo');
    expect(mfaCalls.every((request) => request.headers['x-saasus-referer'] === REFERER)).toBe(true);
  });

  it('answers 401 without a bearer ID token, with a rejected one, and with another scheme', async () => {
    const alice = newUser();
    const attempts: Array<Record<string, string>> = [
      {},
      { Authorization: 'Bearer id.not-a-known-token' },
      { Authorization: `Basic ${alice.idToken}` },
    ];
    for (const headers of attempts) {
      const response = await call('/mfa_status', { headers });
      expect(response).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
    }
    expect(fake.requests.some((request) => request.operation === 'getPreference')).toBe(false);
  });

  it('answers 401 for setup and verify without X-Access-Token, before calling SaaSus', async () => {
    const alice = newUser();
    const setup = await call('/mfa_setup', { idToken: alice.idToken });
    expect(setup).toMatchObject({ status: 401, body: { code: 'unauthorized', reason: 'missing_access_token' } });
    const verify = await call('/mfa_verify', { idToken: alice.idToken, json: { verification_code: '123456' } });
    expect(verify).toMatchObject({ status: 401, body: { code: 'unauthorized', reason: 'missing_access_token' } });
    expect(fake.requests.map((request) => request.operation)).toEqual(['getUserInfo', 'getUserInfo']);
  });

  it.each([
    ['a number', 123456],
    ['an object', { code: '123456' }],
    ['five digits', '12345'],
    ['full-width digits', '１２３４５６'],
    ['null', null],
  ])('answers 400 invalid_request for verification_code as %s', async (_label, code) => {
    const alice = newUser();
    const response = await call('/mfa_verify', {
      idToken: alice.idToken,
      accessToken: alice.accessToken,
      json: { verification_code: code },
    });
    expect(response).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
    expect(fake.requests.some((request) => request.operation === 'registerSoftwareToken')).toBe(false);
  });

  it('answers 400 for a missing code, malformed JSON and a body that is not JSON', async () => {
    const alice = newUser();
    const as = { idToken: alice.idToken, accessToken: alice.accessToken };
    const cases = [
      { json: {} },
      { rawBody: '{"verification_code": "12', headers: { 'Content-Type': 'application/json' } },
      { rawBody: '"123456"', headers: { 'Content-Type': 'application/json' } },
      { rawBody: 'verification_code=123456', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
      { rawBody: '{"verification_code":"123456"}', headers: { 'Content-Type': 'text/plain' } },
    ];
    for (const request of cases) {
      const response = await call('/mfa_verify', { ...as, ...request, method: 'POST' });
      expect(response, JSON.stringify(request)).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
    }
  });

  it('answers 413 for a body over 16 kB', async () => {
    const alice = newUser();
    const huge = { verification_code: '1'.repeat(100_000) };
    const response = await call('/mfa_verify', { idToken: alice.idToken, accessToken: alice.accessToken, json: huge });
    expect(response).toMatchObject({ status: 413, body: { code: 'invalid_request' } });
  });

  it('answers 404 not_found for an unknown route or method', async () => {
    expect(await call('/mfa_nope')).toMatchObject({ status: 404, body: { code: 'not_found' } });
    expect(await call('/mfa_verify')).toMatchObject({ status: 404, body: { code: 'not_found' } });
    // Accounts and the demo page belong to self-hosted mode; SaaSus signs the users in.
    // Trusted browsers too: SaaSus signs the users in, so no example cookie spares its second factor.
    for (const path of [
      '/signup',
      '/login',
      '/mfa/challenge',
      '/logout',
      '/mfa_trusted_devices/revoke',
      '/mfa_trusted_devices/revoke_all',
    ]) {
      expect(await call(path, { json: {} }), path).toMatchObject({ status: 404, body: { code: 'not_found' } });
    }
    expect(await call('/')).toMatchObject({ status: 404, body: { code: 'not_found' } });
    expect(await call('/mfa_trusted_devices')).toMatchObject({ status: 404, body: { code: 'not_found' } });
  });

  it('answers a CORS preflight for the configured origin, with credentials and the sample front end headers', async () => {
    const requested = 'authorization,content-type,x-access-token,x-requested-with,x-saasus-referer';
    const preflight = await fetch(`${app.url}/mfa_verify`, {
      method: 'OPTIONS',
      headers: {
        Origin: FRONT_END,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': requested,
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(FRONT_END);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect(preflight.headers.get('access-control-allow-methods')?.split(',')).toEqual(['GET', 'POST', 'OPTIONS']);
    const allowed = preflight.headers.get('access-control-allow-headers')?.toLowerCase().split(',');
    expect(allowed?.sort()).toEqual(requested.split(','));

    const actual = await call('/mfa_status', { headers: { Origin: FRONT_END } });
    expect(actual.status).toBe(401);
    expect(actual.headers.get('access-control-allow-origin')).toBe(FRONT_END);
  });

  it('answers 502 provider_error when SaaSus keeps failing, and logs no token', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const alice = newUser();
    fake.failNext('getPreference', { status: 500, body: { type: 'InternalServerError', message: 'x' } }, 3);
    const response = await call('/mfa_status', { idToken: alice.idToken });
    expect(response).toMatchObject({ status: 502, body: { code: 'provider_error' } });
    expect(fake.requests.filter((request) => request.operation === 'getPreference')).toHaveLength(3);
    expectSafeLog(log.mock.calls, tokens);
  });
});

describe.each(EXAMPLE_APPS)('$name example app, when our own code throws', ({ create }) => {
  let app: RunningApp;
  const { call, exchanges } = exampleHttp(() => app.url);
  const SECRET_IN_MESSAGE = 'id.secret-token-in-a-message';

  beforeAll(async () => {
    // A user lookup that fails with a plain Error (a bug, a database down): not an MfaError, so the app's last resort.
    const bug = () => Promise.reject(new TypeError(`lookup failed for ${SECRET_IN_MESSAGE}`));
    const failing = { getUserInfo: bug, exchangeTemporaryCode: bug, refreshSession: bug };
    app = await listen(create({ mfa: client(), provider: failing }));
  });
  afterAll(() => app.close());

  it('answers 500 internal_error with a fixed body and logs the error name only', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const response = await call('/mfa_status', { idToken: 'id.anything' });
    expect(response.status).toBe(500);
    expect(response.body).toEqual({ error: 'Internal error', code: 'internal_error' });
    expectSafeResponses(exchanges, { tokens: [SECRET_IN_MESSAGE, 'id.anything'], secrets: [] });
    expect(log).toHaveBeenCalled();
    expectSafeLog(log.mock.calls, [SECRET_IN_MESSAGE, 'id.anything']);
    log.mockRestore();
  });
});

/** The secrets the app handed out, each allowed only in its own /mfa_setup answer. */
function setupSecrets(exchanges: readonly Exchange[]): string[] {
  return exchanges
    .filter((e) => e.path === '/mfa_setup' && e.status === 200)
    .map((e) => (e.body as { secretKey: string }).secretKey);
}

/** Logged arguments are plain strings (never a raw error object, which may carry tokens) and name no token. */
function expectSafeLog(calls: unknown[][], tokens: string[]): void {
  for (const args of calls) {
    for (const arg of args) {
      expect(typeof arg).toBe('string');
      for (const token of tokens) expect(arg).not.toContain(token);
    }
  }
}
