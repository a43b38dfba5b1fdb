import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { honoNodeListener } from '../examples/hono/node-listener.js';
import type { SelfHostedAppDeps } from '../examples/shared/deps.js';
import { memoryBackend } from '../examples/shared/self-hosted/backends.js';
import { selfHostedDeps } from '../examples/shared/self-hosted/setup.js';
import { createFakeAuthenticator, createFixedClock } from '../src/testing/index.js';
import { listen, type RunningApp } from './support/example-apps.js';
import { requestFrom } from './support/example-from-address.js';
import { newCredentials } from './support/example-self-hosted.js';
import { START, TEST_KEY, wrongCode } from './support/totp.js';

/**
 * Review of issue 12 on the Hono (Fetch API) example, started as examples/hono/server.ts starts it on Node (honoNodeListener).
 * The throttle and the SDK's `clientKey` are keyed by the client's address; when the adapter does not pass one,
 * every client shares one budget, so one attacker's requests lock every other client out. Clients are played by
 * distinct loopback source addresses over real HTTP.
 */
describe('Hono example: every client keyed by its own address', () => {
  const clock = createFixedClock(START);
  const authenticator = createFakeAuthenticator(clock);
  let app: RunningApp;
  let deps: SelfHostedAppDeps;
  // A fresh app per test: the throttle lives in the process, so one test's requests must not spend another's budget.
  beforeEach(async () => {
    deps = selfHostedDeps(memoryBackend(), { provider: { encryptionKey: TEST_KEY, now: clock.now } });
    app = await listen(honoNodeListener(deps));
  });
  afterEach(() => app?.close());

  it("login-throttle lockout of everyone: one address's 11 password guesses do not throttle another address's login", async () => {
    const owner = newCredentials();
    expect((await requestFrom('127.0.1.1', app.url, '/signup', { json: owner })).status).toBe(201);
    const guess = { username: owner.username, password: 'guess-guess' };
    for (let attempt = 1; attempt <= 10; attempt++)
      expect((await requestFrom('127.0.1.2', app.url, '/login', { json: guess })).status).toBe(401);
    expect((await requestFrom('127.0.1.2', app.url, '/login', { json: guess })).status).toBe(429);
    // The owner, from their own address, is not behind the attacker's throttle.
    expect(await requestFrom('127.0.1.1', app.url, '/login', { json: owner })).toMatchObject({
      status: 200,
      body: { token: expect.any(String) },
    });
  });

  it("attacker with the password locks the owner's second factor: wrong codes from one address leave the owner's address able to sign in", async () => {
    const owner = newCredentials();
    const signup = await requestFrom('127.0.2.1', app.url, '/signup', { json: owner });
    const session = (signup.body as { token: string }).token;
    const setup = await requestFrom('127.0.2.1', app.url, '/mfa_setup', { bearer: session });
    const { secretKey } = setup.body as { secretKey: string };
    const verified = await requestFrom('127.0.2.1', app.url, '/mfa_verify', {
      bearer: session,
      json: { verification_code: authenticator.code(secretKey) },
    });
    expect(verified.status).toBe(200);
    expect((await requestFrom('127.0.2.1', app.url, '/mfa_enable', { bearer: session, json: {} })).status).toBe(200);
    clock.advance(30_000);

    const challengeFrom = async (address: string) => {
      const login = await requestFrom(address, app.url, '/login', { json: owner });
      return (login.body as { challenge: string }).challenge;
    };
    // The attacker knows the password, not the code: wrong codes until their address is locked.
    const attackerChallenge = await challengeFrom('127.0.2.2');
    const wrong = wrongCode(authenticator.code(secretKey));
    let locked = false;
    for (let attempt = 1; attempt <= 6 && !locked; attempt++) {
      const answer = await requestFrom('127.0.2.2', app.url, '/mfa/challenge', {
        json: { challenge: attackerChallenge, code: wrong },
      });
      locked = answer.status === 429;
    }
    expect(locked).toBe(true);
    // The owner's own device, another address, is below the per-user ceiling: the right code signs them in.
    const ownerChallenge = await challengeFrom('127.0.2.1');
    expect(
      await requestFrom('127.0.2.1', app.url, '/mfa/challenge', {
        json: { challenge: ownerChallenge, code: authenticator.code(secretKey) },
      }),
    ).toMatchObject({ status: 200, body: { token: expect.any(String) } });
  });
});
