import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { redisBackend } from '../examples/shared/self-hosted/backends.js';
import { selfHostedDeps } from '../examples/shared/self-hosted/setup.js';
import { createFakeAuthenticator, createFixedClock } from '../src/testing/index.js';
import { appsOn, backendFixtures, type OpenBackend, redisTestPrefix } from './support/example-backends.js';
import { EXAMPLE_APPS, type RunningApp, listen } from './support/example-apps.js';
import { type Exchange, exampleHttp } from './support/example-http.js';
import { expectSafeResponses } from './support/example-leaks.js';
import {
  ROOMY_PROTECTION,
  decodeQrDataUrl,
  newCredentials,
  selfHostedSteps,
  tokenOf,
} from './support/example-self-hosted.js';
import { newRedisClient, redisAvailable } from './support/services.js';
import { START, STEP_MS, TEST_KEY, wrongCode } from './support/totp.js';

/**
 * The self-hosted mode's HTTP contract (examples/README.md: signup, login, the MFA challenge, sessions, the five /mfa_*
 * endpoints, the demo page) over real HTTP, for both apps, on each backend: memory, Redis, PostgreSQL (skipped
 * visibly when the service is down, unless MFA_REQUIRE_SERVICES=1). Only the clock is fixed (the TOTP provider's
 * `now`), so no test waits for a 30 s step; accounts, sessions and challenges use real time.
 */
const PAGE_DIR = new URL('../examples/shared/page/', import.meta.url);
const RECOVERY_CODE = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

for (const fixture of await backendFixtures()) {
  describe.skipIf(!fixture.available)(`self-hosted mode on ${fixture.name}`, () => {
    let opened: OpenBackend;
    beforeAll(async () => {
      opened = await fixture.open();
    });
    afterAll(() => opened?.close());

    describe.each(appsOn(fixture, EXAMPLE_APPS))('$name example app', ({ create }) => {
      const clock = createFixedClock(START);
      const authenticator = createFakeAuthenticator(clock);
      let app: RunningApp;
      const { call, exchanges } = exampleHttp(() => app.url);
      const steps = selfHostedSteps(call);
      let logs: MockInstance[] = [];

      beforeAll(async () => {
        const deps = selfHostedDeps(opened.backend, {
          provider: { encryptionKey: TEST_KEY, now: clock.now },
          protection: ROOMY_PROTECTION,
        });
        app = await listen(create(deps));
      });
      afterAll(() => app?.close());
      beforeEach(() => {
        // Spied, not silenced: the app's log lines are checked below, and still shown.
        logs = [vi.spyOn(console, 'log'), vi.spyOn(console, 'warn'), vi.spyOn(console, 'error')];
      });
      // After every test, whatever it checked: nothing leaked into an answer or a log line.
      afterEach(() => {
        const logged = logs.flatMap((spy) => spy.mock.calls.flat().map(String));
        vi.restoreAllMocks();
        expectNoLeaks(exchanges.splice(0), logged);
      });

      it('runs sign-up → setup → verify → enable → login through the challenge → logout → disable', async () => {
        const credentials = newCredentials();
        const signup = await steps.signup(credentials);
        expect(signup.status).toBe(201);
        const first = tokenOf(signup);
        expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url

        const login = await steps.login(credentials);
        expect(login.status).toBe(200);
        const token = tokenOf(login);
        expect(Object.keys(login.body as object)).toEqual(['token']);
        expect(token).not.toBe(first);
        expect(await call('/me', { idToken: token })).toMatchObject({
          status: 200,
          body: { username: credentials.username },
        });
        expect(await call('/mfa_status', { idToken: token })).toMatchObject({
          status: 200,
          body: { enabled: false, method: null },
        });

        // Setup: the otpauth URI, the same secret for manual entry, and the URI as a PNG QR code.
        const setup = await call('/mfa_setup', { idToken: token });
        expect(setup.status).toBe(200);
        const { qrCodeUrl, secretKey, qrCodeDataUrl } = setup.body as Record<string, string>;
        expect(Object.keys(setup.body as object).sort()).toEqual(['qrCodeDataUrl', 'qrCodeUrl', 'secretKey']);
        const uri = new URL(qrCodeUrl!);
        expect(uri.protocol).toBe('otpauth:');
        expect(uri.host).toBe('totp');
        expect(decodeURIComponent(uri.pathname)).toBe(`/Acme:${credentials.username}`);
        expect(uri.searchParams.get('secret')).toBe(secretKey);
        expect(uri.searchParams.get('issuer')).toBe('Acme');
        expect(qrCodeDataUrl).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
        expect(Buffer.from(qrCodeDataUrl!.slice(22), 'base64').subarray(0, 8)).toEqual(
          Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        );
        expect(await decodeQrDataUrl(qrCodeDataUrl!)).toBe(qrCodeUrl);

        expect(await call('/mfa_enable', { idToken: token, json: {} })).toMatchObject({
          status: 409,
          body: { code: 'not_verified' },
        });
        const right = authenticator.code(secretKey!);
        const wrong = await call('/mfa_verify', { idToken: token, json: { verification_code: wrongCode(right) } });
        expect(wrong).toMatchObject({ status: 400, body: { code: 'invalid_code', reason: 'mismatch' } });
        expect(await call('/mfa_verify', { idToken: token, json: { verification_code: right } })).toMatchObject({
          status: 200,
          body: { message: expect.any(String) },
        });

        const enabled = await call('/mfa_enable', { idToken: token, json: {} });
        expect(enabled).toMatchObject({ status: 200, body: { message: expect.any(String) } });
        const { recoveryCodes } = enabled.body as { recoveryCodes: string[] };
        expect(recoveryCodes).toHaveLength(10);
        for (const code of recoveryCodes) expect(code).toMatch(RECOVERY_CODE);
        expect(new Set(recoveryCodes).size).toBe(10);
        expect(await call('/mfa_status', { idToken: token })).toMatchObject({
          status: 200,
          body: { enabled: true, method: 'softwareToken' },
        });
        // A second authenticator cannot be swapped in while one is enabled.
        expect(await call('/mfa_setup', { idToken: token })).toMatchObject({
          status: 409,
          body: { code: 'already_enabled' },
        });

        // Login now stops at the challenge; a wrong code leaves it usable, the right one answers a session.
        clock.advance(STEP_MS);
        const challenge = await steps.challengeFor(credentials);
        expect(challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
        const code = authenticator.code(secretKey!);
        expect(await steps.answer(challenge, wrongCode(code))).toMatchObject({
          status: 400,
          body: { code: 'invalid_code', reason: 'mismatch' },
        });
        const answered = await steps.answer(challenge, code);
        expect(answered.status).toBe(200);
        expect(Object.keys(answered.body as object)).toEqual(['token']);
        const mfaToken = tokenOf(answered);
        expect(await call('/me', { idToken: mfaToken })).toMatchObject({
          status: 200,
          body: { username: credentials.username },
        });

        // Logout ends that session only.
        const logout = await call('/logout', { idToken: mfaToken, method: 'POST' });
        expect(logout.status).toBe(204);
        expect(logout.text).toBe('');
        expect(await call('/me', { idToken: mfaToken })).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
        expect(await call('/logout', { idToken: mfaToken, method: 'POST' })).toMatchObject({
          status: 401,
          body: { code: 'unauthorized' },
        });
        expect(await call('/me', { idToken: token })).toMatchObject({ status: 200 });

        // Turning MFA off needs a fresh code (the step-up): the session alone gets 403 and changes nothing.
        expect(await call('/mfa_disable', { idToken: token, json: {} })).toMatchObject({
          status: 403,
          body: { code: 'step_up_required' },
        });
        expect(await call('/mfa_status', { idToken: token })).toMatchObject({ body: { enabled: true } });
        clock.advance(STEP_MS);
        expect(
          await call('/mfa_disable', { idToken: token, json: { verification_code: authenticator.code(secretKey!) } }),
        ).toMatchObject({
          status: 200,
          body: { message: expect.any(String) },
        });
        expect(await call('/mfa_status', { idToken: token })).toMatchObject({
          status: 200,
          body: { enabled: false, method: null },
        });
        expect(Object.keys((await steps.login(credentials)).body as object)).toEqual(['token']);
      });

      it('logs in with a recovery code, once: the code is used up and the count goes down', async () => {
        const { credentials, recoveryCodes } = await steps.enrolledUser(authenticator);
        const [first, second] = recoveryCodes as [string, string];
        const answered = await steps.answer(await steps.challengeFor(credentials), first.toLowerCase());
        expect(answered).toMatchObject({ status: 200, body: { recoveryCodesRemaining: 9 } });
        expect(await call('/me', { idToken: tokenOf(answered) })).toMatchObject({ status: 200 });

        const reused = await steps.answer(await steps.challengeFor(credentials), first);
        expect(reused).toMatchObject({ status: 400, body: { code: 'invalid_code', reason: 'mismatch' } });
        // Typed as read off paper: spaces instead of dashes.
        const next = await steps.answer(await steps.challengeFor(credentials), second.replaceAll('-', ' '));
        expect(next).toMatchObject({ status: 200, body: { recoveryCodesRemaining: 8 } });
      });

      it('replay: a challenge yields one session, and a code accepted once is refused on the next challenge', async () => {
        const { credentials, secret } = await steps.enrolledUser(authenticator);
        clock.advance(STEP_MS);
        const challenge = await steps.challengeFor(credentials);
        const code = authenticator.code(secret);
        expect((await steps.answer(challenge, code)).status).toBe(200);

        // The same challenge again, even with a fresh right code: refused, and the code stays unused.
        clock.advance(STEP_MS);
        const fresh = authenticator.code(secret);
        expect(await steps.answer(challenge, fresh)).toMatchObject({
          status: 401,
          body: { code: 'invalid_challenge' },
        });
        // The used code on a new challenge: refused as a replay (an attacker who watched it go by gets nothing).
        clock.set(clock.nowMs() - STEP_MS);
        const next = await steps.challengeFor(credentials);
        expect(await steps.answer(next, code)).toMatchObject({
          status: 400,
          body: { code: 'invalid_code', reason: 'replayed' },
        });
        clock.advance(STEP_MS);
        expect((await steps.answer(next, fresh)).status).toBe(200);
        // Unknown and made-up challenges.
        expect(await steps.answer('x'.repeat(43), fresh)).toMatchObject({
          status: 401,
          body: { code: 'invalid_challenge' },
        });
      });

      it('brute force: five wrong codes lock this client out (429, retryAfterMs, Retry-After), even for the right code', async () => {
        const { credentials, secret } = await steps.enrolledUser(authenticator);
        clock.advance(STEP_MS);
        const challenge = await steps.challengeFor(credentials);
        const code = authenticator.code(secret);
        for (let attempt = 1; attempt <= 5; attempt++) {
          expect(await steps.answer(challenge, wrongCode(code)), `attempt ${attempt}`).toMatchObject({
            status: 400,
            body: { code: 'invalid_code' },
          });
        }
        // Only the app's codes: recovery codes keep a budget of their own (the SDK's tests cover it).
        for (const guess of [code]) {
          const locked = await steps.answer(challenge, guess);
          expect(locked).toMatchObject({
            status: 429,
            body: { code: 'rate_limited', retryAfterMs: expect.any(Number) },
          });
          const { retryAfterMs } = locked.body as { retryAfterMs: number };
          expect(retryAfterMs).toBeGreaterThan(0);
          expect(retryAfterMs).toBeLessThanOrEqual(15 * 60_000);
          expect(locked.headers.get('retry-after')).toBe(String(Math.ceil(retryAfterMs / 1000)));
        }
        // A new challenge does not reset the count: the limit is per user.
        expect(await steps.answer(await steps.challengeFor(credentials), code)).toMatchObject({ status: 429 });
        // When the window has passed, the same challenge works again (it is still within its 5 minutes).
        clock.advance(15 * 60_000);
        expect((await steps.answer(challenge, authenticator.code(secret))).status).toBe(200);
      });

      it('race: several right answers to one challenge at once yield exactly one session', async () => {
        const { credentials, recoveryCodes } = await steps.enrolledUser(authenticator);
        const challenge = await steps.challengeFor(credentials);
        const answers = await Promise.all(recoveryCodes.slice(0, 4).map((code) => steps.answer(challenge, code)));
        expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
        for (const answer of answers.filter((each) => each.status !== 200)) {
          expect(answer).toMatchObject({ status: 401, body: { code: 'invalid_challenge' } });
        }
      });

      it('race: concurrent sign-ups for one name (in any case) create one account', async () => {
        const { username, password } = newCredentials('race');
        const names = [username, username.toUpperCase(), username, username.replace(/^r/, 'R')];
        const answers = await Promise.all(names.map((name) => steps.signup({ username: name, password })));
        expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409, 409, 409]);
        for (const answer of answers.filter((each) => each.status === 409))
          expect(answer.body).toMatchObject({ code: 'username_taken' });
        expect(tokenOf(await steps.login({ username: username.toUpperCase(), password }))).toBeTruthy();
      });

      // Input checks, sessions and the page do not depend on the backend: run once, on memory.
      if (fixture.name !== 'memory') return;

      it('user enumeration: an unknown user and a wrong password get the same 401', async () => {
        const credentials = newCredentials();
        await steps.signup(credentials);
        const wrongPassword = await steps.login({ ...credentials, password: `${credentials.password}x` });
        const unknownUser = await steps.login({ ...newCredentials(), password: credentials.password });
        const malformedName = await steps.login({ username: 'no spaces allowed', password: credentials.password });
        for (const answer of [wrongPassword, unknownUser, malformedName]) {
          expect(answer.status).toBe(401);
          expect(answer.text).toBe(wrongPassword.text);
        }
        expect(wrongPassword.body).toEqual({ error: expect.any(String), code: 'invalid_credentials' });
      });

      it('stolen or ended sessions: no bearer, an unknown one, another scheme or a logged-out one answer 401', async () => {
        const credentials = newCredentials();
        const token = tokenOf(await steps.signup(credentials));
        const attempts: Array<Record<string, string>> = [
          {},
          { Authorization: 'Bearer ' },
          { Authorization: `Bearer ${token}x` },
          { Authorization: `Bearer ${'A'.repeat(43)}` },
          { Authorization: `Basic ${token}` },
          { Authorization: token },
        ];
        for (const path of ['/me', '/mfa_status', '/mfa_setup']) {
          for (const headers of attempts) {
            expect(await call(path, { headers }), `${path} ${JSON.stringify(headers)}`).toMatchObject({
              status: 401,
              body: { code: 'unauthorized' },
            });
          }
        }
        for (const path of ['/mfa_verify', '/mfa_enable', '/mfa_disable', '/logout']) {
          expect(await call(path, { json: {}, headers: { Authorization: `Bearer ${token}x` } }), path).toMatchObject({
            status: 401,
            body: { code: 'unauthorized' },
          });
        }
        expect(await call('/me', { idToken: token })).toMatchObject({ status: 200 });
      });

      it('bad input: every malformed request gets a 4xx {error, code}, never a 500', async () => {
        const credentials = newCredentials();
        const token = tokenOf(await steps.signup(credentials));
        const json = { 'Content-Type': 'application/json' };
        const invalid = [
          { path: '/signup', rawBody: '{"username": "ada', headers: json },
          { path: '/signup', rawBody: '"ada"', headers: json },
          { path: '/signup', rawBody: '[]', headers: json },
          {
            path: '/signup',
            rawBody: 'username=ada&password=correct-horse',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          },
          { path: '/signup', rawBody: JSON.stringify(credentials), headers: { 'Content-Type': 'text/plain' } },
          { path: '/signup', json: {} },
          { path: '/signup', json: { username: 'ada' } },
          { path: '/signup', json: { username: 12345, password: 'correct horse' } },
          { path: '/signup', json: { username: 'ab', password: 'correct horse' } },
          { path: '/signup', json: { username: 'a'.repeat(65), password: 'correct horse' } },
          { path: '/signup', json: { username: 'ada lovelace', password: 'correct horse' } },
          { path: '/signup', json: { username: '<script>', password: 'correct horse' } },
          { path: '/signup', json: { username: 'ａｄａ', password: 'correct horse' } },
          { path: '/signup', json: { username: 'ada.short', password: 'seven77' } },
          { path: '/signup', json: { username: 'ada.long', password: 'p'.repeat(257) } },
          { path: '/signup', json: { username: 'ada.obj', password: { toString: 'x' } } },
          { path: '/login', json: { username: ['ada'], password: 'correct horse' } },
          { path: '/login', rawBody: '{', headers: json },
          { path: '/mfa/challenge', json: {} },
          { path: '/mfa/challenge', json: { challenge: 42, code: '123456' } },
          { path: '/mfa/challenge', json: { challenge: 'c'.repeat(257), code: '123456' } },
          { path: '/mfa/challenge', rawBody: 'null', headers: json },
          { path: '/mfa_verify', idToken: token, json: { verification_code: 123456 } },
          { path: '/mfa_verify', idToken: token, json: { verification_code: '１２３４５６' } },
          {
            path: '/mfa_verify',
            idToken: token,
            rawBody: '{"verification_code":"123456"}',
            headers: { 'Content-Type': 'text/plain' },
          },
        ];
        for (const { path, ...request } of invalid) {
          const answer = await call(path, { method: 'POST', ...request });
          expect(answer, `${path} ${JSON.stringify(request)}`).toMatchObject({
            status: 400,
            body: { code: 'invalid_request' },
          });
        }
        const huge = { username: 'ada.huge', password: 'p'.repeat(100_000) };
        for (const path of ['/signup', '/login', '/mfa/challenge']) {
          expect(await call(path, { json: huge }), path).toMatchObject({
            status: 413,
            body: { code: 'invalid_request' },
          });
        }
        // A challenge answered with junk instead of a code: the SDK refuses it before counting an attempt.
        const { credentials: enrolled } = await steps.enrolledUser(authenticator);
        const challenge = await steps.challengeFor(enrolled);
        for (const code of [123456, null, { code: '123456' }, '12345', 'not a code!', '1'.repeat(65)]) {
          const answer = await call('/mfa/challenge', { json: { challenge, code } });
          expect(answer, JSON.stringify(code)).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
        }
        expect(await call('/signup', { method: 'GET' })).toMatchObject({ status: 404, body: { code: 'not_found' } });
        expect(await call('/nope')).toMatchObject({ status: 404, body: { code: 'not_found' } });
      });

      it('serves the demo page files (404 while one is missing) and nothing else from the disk', async () => {
        const files = {
          '/': ['index.html', 'text/html'],
          '/app.js': ['app.js', 'text/javascript'],
          '/app.css': ['app.css', 'text/css'],
          // The modules app.js imports: a browser runs a module only when it comes with a JavaScript type.
          ...Object.fromEntries(
            [
              'api.js',
              'messages.js',
              'views.js',
              'session.js',
              'flows/account.js',
              'flows/challenge.js',
              'flows/recovery-codes.js',
              'flows/setup.js',
              'flows/sign-in.js',
            ].map((file) => [`/${file}`, [file, 'text/javascript']]),
          ),
        };
        for (const [path, [file, type]] of Object.entries(files)) {
          const onDisk = await readFile(new URL(file!, PAGE_DIR), 'utf8').catch(() => undefined);
          const answer = await call(path);
          if (onDisk === undefined) {
            expect(answer, path).toMatchObject({ status: 404, body: { code: 'not_found' } });
            continue;
          }
          expect(answer.status, path).toBe(200);
          expect(answer.headers.get('content-type'), path).toBe(`${type}; charset=utf-8`);
          expect(answer.text, path).toBe(onDisk);
          expect(answer.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
          expect(answer.headers.get('x-content-type-options'), path).toBe('nosniff');
        }
        for (const path of [
          '/index.html',
          '/page/app.js',
          '/flows/',
          '/flows%2Fsetup.js',
          '/flows/setup.js/',
          '/%2e%2e/package.json',
          '/..%2Fpackage.json',
          '/app.js/..%2F..%2F..%2Fpackage.json',
          '/APP.JS',
        ]) {
          expect(await call(path), path).toMatchObject({ status: 404, body: { code: 'not_found' } });
        }
      });
    });
  });
}

/**
 * Passwords appear in no answer; a TOTP secret only in its /mfa_setup answer; recovery codes only in their
 * /mfa_enable answer; each session token and challenge only in the answer that issued it. No log line names any.
 */
function expectNoLeaks(exchanges: Exchange[], logged: string[]): void {
  const bodies = exchanges.map((exchange) => exchange.body as Record<string, unknown> | undefined);
  const secrets = exchanges
    .filter((e) => e.path === '/mfa_setup' && e.status === 200)
    .map((e) => (e.body as { secretKey: string }).secretKey);
  expectSafeResponses(exchanges, { tokens: [], secrets });
  const issued = bodies
    .flatMap((body) => [body?.token, body?.challenge, ...((body?.recoveryCodes as unknown[]) ?? [])])
    .filter((v): v is string => typeof v === 'string');
  for (const value of issued) {
    expect(
      exchanges.filter((exchange) => exchange.text.includes(value)),
      'an issued token or code shows up in a second answer',
    ).toHaveLength(1);
  }
  for (const line of logged) {
    for (const value of [...issued, ...secrets]) expect(line).not.toContain(value);
    expect(line).not.toMatch(/pw-[A-Za-z0-9_-]{12}/); // the test passwords
  }
}

describe.skipIf(!(await redisAvailable()))('self-hosted mode when its Redis goes away', () => {
  it.each(EXAMPLE_APPS)(
    '$name: answers 502 provider_error (no stack trace, nothing secret logged), never a 500',
    async ({ create }) => {
      const { keyPrefix, removeKeys } = redisTestPrefix();
      const client = newRedisClient();
      await client.connect();
      const app = await listen(
        create(selfHostedDeps(redisBackend(client, keyPrefix), { provider: { encryptionKey: TEST_KEY } })),
      );
      const { call, exchanges } = exampleHttp(() => app.url);
      const log = vi.spyOn(console, 'error').mockImplementation(() => {});
      try {
        const credentials = newCredentials();
        const token = tokenOf(await call('/signup', { json: credentials }));
        client.disconnect(); // as if Redis had stopped: every command now fails
        const attempts = [
          await call('/signup', { json: newCredentials() }),
          await call('/login', { json: credentials }),
          await call('/mfa/challenge', { json: { challenge: 'c'.repeat(43), code: '123456' } }),
          await call('/me', { idToken: token }),
          await call('/mfa_status', { idToken: token }),
          await call('/logout', { idToken: token, method: 'POST' }),
        ];
        for (const answer of attempts)
          expect(answer, `${answer.path} ${answer.text}`).toMatchObject({
            status: 502,
            body: { code: 'provider_error' },
          });
        expectSafeResponses(exchanges, { tokens: [credentials.password], secrets: [] });
        const logged = log.mock.calls.flat().map(String);
        expect(logged.length).toBeGreaterThan(0);
        for (const line of logged) {
          expect(line).not.toContain(token);
          expect(line).not.toContain(credentials.password);
          expect(line).not.toContain(keyPrefix);
        }
      } finally {
        log.mockRestore();
        await app.close();
        await removeKeys();
      }
    },
  );
});
