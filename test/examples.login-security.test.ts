import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfHostedDeps } from '../examples/shared/self-hosted/setup.js';
import type { SelfHostedAppDeps } from '../examples/shared/deps.js';
import { memoryBackend } from '../examples/shared/self-hosted/backends.js';
import { createFakeAuthenticator, createFixedClock } from '../src/testing/index.js';
import { appsOn, backendFixtures, type OpenBackend } from './support/example-backends.js';
import { EXAMPLE_APPS, type RunningApp, listen } from './support/example-apps.js';
import { loopbackAddress, requestFrom } from './support/example-from-address.js';
import { exampleHttp } from './support/example-http.js';
import { ROOMY_PROTECTION, newCredentials, selfHostedSteps, tokenOf } from './support/example-self-hosted.js';
import { START, STEP_MS, TEST_KEY, wrongCode } from './support/totp.js';

/**
 * Issue 12's example threats, over real HTTP, on both apps: a stolen session that tries to take over MFA (step-up),
 * a session that outlives a credential change, password guessing from one address (throttle), and a login flood from
 * many addresses that would starve the thread pool (the bounded hash queue). Step-up and sessions run on every
 * backend; the throttle and the queue live in the process, so they run on memory.
 */

for (const fixture of await backendFixtures()) {
  describe.skipIf(!fixture.available)(`account changes on ${fixture.name}`, () => {
    let opened: OpenBackend;
    beforeAll(async () => {
      opened = await fixture.open();
    });
    afterAll(() => opened?.close());

    describe.each(appsOn(fixture, EXAMPLE_APPS))('$name example app', ({ create }) => {
      const clock = createFixedClock(START);
      const authenticator = createFakeAuthenticator(clock);
      let app: RunningApp;
      const { call } = exampleHttp(() => app.url);
      const steps = selfHostedSteps(call);
      const me = (token: string) => call('/me', { idToken: token });
      const disable = (token: string, body: unknown) => call('/mfa_disable', { idToken: token, json: body });
      const newRecoveryCodes = (token: string, body: unknown) =>
        call('/mfa_recovery_codes', { idToken: token, json: body });

      beforeAll(async () => {
        const deps = selfHostedDeps(opened.backend, {
          provider: { encryptionKey: TEST_KEY, now: clock.now },
          protection: ROOMY_PROTECTION,
        });
        app = await listen(create(deps));
      });
      afterAll(() => app?.close());

      it('stolen session: turning MFA off or new recovery codes without a code is refused (403) and changes nothing', async () => {
        const { credentials, token, recoveryCodes } = await steps.enrolledUser(authenticator);
        // A second session of the owner's, to see that a refused change ends none.
        const other = tokenOf(await steps.answer(await steps.challengeFor(credentials), recoveryCodes[0]!));
        for (const body of [{}, { verification_code: undefined }, { step_up_token: 'anything' }]) {
          expect(await disable(token, body), JSON.stringify(body)).toMatchObject({
            status: 403,
            body: { code: 'step_up_required' },
          });
          expect(await newRecoveryCodes(token, body), JSON.stringify(body)).toMatchObject({
            status: 403,
            body: { code: 'step_up_required' },
          });
        }
        // No body at all (no JSON content type): the same refusal.
        expect(await call('/mfa_disable', { idToken: token, method: 'POST' })).toMatchObject({ status: 403 });
        expect(await call('/mfa_status', { idToken: token })).toMatchObject({ body: { enabled: true } });
        expect((await me(token)).status).toBe(200);
        expect((await me(other)).status).toBe(200);
        // The old recovery codes still work: none were replaced.
        expect(await steps.answer(await steps.challengeFor(credentials), recoveryCodes[1]!)).toMatchObject({
          status: 200,
          body: { recoveryCodesRemaining: 8 },
        });
      });

      it('step-up with a current code: new recovery codes replace the old ones, and the code cannot be used twice', async () => {
        const { credentials, token, secret, recoveryCodes } = await steps.enrolledUser(authenticator);
        clock.advance(STEP_MS);
        const code = authenticator.code(secret);
        const renewed = await newRecoveryCodes(token, { verification_code: code });
        expect(renewed).toMatchObject({ status: 200, body: { recoveryCodes: expect.any(Array) } });
        const fresh = (renewed.body as { recoveryCodes: string[] }).recoveryCodes;
        expect(fresh).toHaveLength(10);
        expect(fresh.some((each) => recoveryCodes.includes(each))).toBe(false);
        // The same code again: a replay, refused, and MFA stays on.
        expect(await disable(token, { verification_code: code })).toMatchObject({
          status: 400,
          body: { code: 'invalid_code', reason: 'replayed' },
        });
        expect(await call('/mfa_status', { idToken: token })).toMatchObject({ body: { enabled: true } });
        // The old codes are gone, the new ones sign in.
        expect((await steps.answer(await steps.challengeFor(credentials), recoveryCodes[0]!)).status).toBe(400);
        expect((await steps.answer(await steps.challengeFor(credentials), fresh[0]!)).status).toBe(200);
      });

      it('step-up with a recovery code: turning MFA off works, and a recovery code already used is refused', async () => {
        const { credentials, token, recoveryCodes } = await steps.enrolledUser(authenticator);
        expect((await steps.answer(await steps.challengeFor(credentials), recoveryCodes[0]!)).status).toBe(200);
        expect(await disable(token, { verification_code: recoveryCodes[0] })).toMatchObject({
          status: 400,
          body: { code: 'invalid_code' },
        });
        expect(await disable(token, { verification_code: recoveryCodes[1] })).toMatchObject({ status: 200 });
        expect(await call('/mfa_status', { idToken: token })).toMatchObject({ body: { enabled: false } });
      });

      it('a wrong step-up code is counted like a login code, says how many attempts are left, and changes nothing', async () => {
        const { token, secret } = await steps.enrolledUser(authenticator);
        clock.advance(STEP_MS);
        const first = await disable(token, { verification_code: wrongCode(authenticator.code(secret)) });
        expect(first).toMatchObject({
          status: 400,
          body: { code: 'invalid_code', attemptsRemaining: expect.any(Number) },
        });
        const second = await disable(token, { verification_code: wrongCode(authenticator.code(secret)) });
        const left = (body: unknown) => (body as { attemptsRemaining: number }).attemptsRemaining;
        expect(left(second.body)).toBe(left(first.body) - 1);
        expect(await call('/mfa_status', { idToken: token })).toMatchObject({ body: { enabled: true } });
      });

      it('a stolen session does not outlive turning MFA on or off: every other session ends, the current one stays', async () => {
        const credentials = newCredentials();
        const current = tokenOf(await steps.signup(credentials));
        const stolen = tokenOf(await steps.login(credentials));
        expect((await me(stolen)).status).toBe(200);

        // Turn MFA on in the current session.
        const { secretKey } = (await call('/mfa_setup', { idToken: current })).body as { secretKey: string };
        await call('/mfa_verify', { idToken: current, json: { verification_code: authenticator.code(secretKey) } });
        const enabled = await call('/mfa_enable', { idToken: current, json: {} });
        expect(enabled.status).toBe(200);
        expect(await me(stolen)).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
        expect((await me(current)).status).toBe(200);

        // Two sessions through the challenge; turning MFA off in one ends the other (and the first one).
        const { recoveryCodes } = enabled.body as { recoveryCodes: string[] };
        const kept = tokenOf(await steps.answer(await steps.challengeFor(credentials), recoveryCodes[0]!));
        const ended = tokenOf(await steps.answer(await steps.challengeFor(credentials), recoveryCodes[1]!));
        clock.advance(STEP_MS);
        expect(await disable(kept, { verification_code: authenticator.code(secretKey) })).toMatchObject({
          status: 200,
        });
        expect((await me(kept)).status).toBe(200);
        for (const token of [ended, current]) expect((await me(token)).status).toBe(401);
      });
    });
  });
}

describe.each(EXAMPLE_APPS)('the password step under attack ($name, memory, default limits)', ({ create }) => {
  let app: RunningApp;
  let deps: SelfHostedAppDeps;
  beforeAll(async () => {
    deps = selfHostedDeps(memoryBackend(), { provider: { encryptionKey: TEST_KEY } });
    app = await listen(create(deps));
  });
  afterAll(() => app?.close());

  const login = (address: string, credentials: { username: string; password: string }) =>
    requestFrom(address, app.url, '/login', { json: credentials });

  it('password guessing from one address: the 11th login in a minute gets 429 with Retry-After; another address is still served', async () => {
    const guess = { username: newCredentials().username, password: 'guess-guess' };
    for (let attempt = 1; attempt <= 10; attempt++) expect((await login('127.0.0.5', guess)).status).toBe(401);
    const throttled = await login('127.0.0.5', guess);
    expect(throttled).toMatchObject({ status: 429, body: { code: 'rate_limited', retryAfterMs: expect.any(Number) } });
    const seconds = Number(throttled.headers['retry-after']);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(60);
    expect((await login('127.0.0.6', guess)).status).toBe(401);
  });

  it('sign-up spam from one address: the 11th sign-up in a minute gets 429 with Retry-After', async () => {
    const signup = () => requestFrom('127.0.0.7', app.url, '/signup', { json: newCredentials('spam') });
    for (let attempt = 1; attempt <= 10; attempt++) expect((await signup()).status).toBe(201);
    const throttled = await signup();
    expect(throttled).toMatchObject({ status: 429, body: { code: 'rate_limited' } });
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('login flood from many addresses: refused with 503 and Retry-After before any hash, while GET / and a real login complete', async () => {
    const owner = newCredentials();
    expect((await requestFrom('127.0.0.1', app.url, '/signup', { json: owner })).status).toBe(201);

    // 64 bogus logins at once, each from its own address (the throttle cannot tell them apart), for unknown users.
    const flood = Array.from({ length: 64 }, (_, i) =>
      login(loopbackAddress(i), { username: newCredentials('bogus').username, password: 'not-a-password' }),
    );
    const page = requestFrom('127.0.0.1', app.url, '/');
    // The owner, from their own address, retries as the page tells them: after Retry-After.
    const realLogin = (async () => {
      for (let attempt = 1; attempt <= 20; attempt++) {
        const answer = await login('127.0.0.1', owner);
        if (answer.status !== 503) return { answer, attempt };
        await new Promise((resolve) => setTimeout(resolve, Number(answer.headers['retry-after']) * 1000));
      }
      throw new Error('the real login never got through');
    })();

    const answers = await Promise.all(flood);
    const busy = answers.filter((answer) => answer.status === 503);
    // 2 hashing + 16 waiting are served; the rest are refused at once.
    expect(busy.length).toBeGreaterThanOrEqual(64 - 2 - 16 - 2);
    for (const answer of busy) {
      expect(answer.body).toMatchObject({ code: 'server_busy', retryAfterMs: expect.any(Number) });
      expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    for (const answer of answers.filter((each) => each.status !== 503)) expect(answer.status).toBe(401);
    expect((await page).status).toBe(200);
    const { answer } = await realLogin;
    expect(answer).toMatchObject({ status: 200, body: { token: expect.any(String) } });
    expect(deps.auth.hashing.load).toEqual({ running: 0, queued: 0 });
  }, 60_000);
});
