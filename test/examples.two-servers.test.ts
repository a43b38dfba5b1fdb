import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeAuthenticator } from '../src/testing/index.js';
import { redisTestPrefix } from './support/example-backends.js';
import { exampleHttp } from './support/example-http.js';
import { type ExampleProcess, startExample } from './support/example-process.js';
import { selfHostedSteps, tokenOf } from './support/example-self-hosted.js';
import { REDIS_URL, redisAvailable } from './support/services.js';
import { STEP_MS, TEST_KEY, wrongCode } from './support/totp.js';

/**
 * Two example processes (Express and Koa, each `server.ts` as `npm run example:*` starts it) on one Redis, as two
 * servers behind a load balancer: users, sessions, challenges, replay protection and the attempt limit are shared.
 * Real time here (separate processes cannot share a fixed clock): the authenticator reads the system clock, and a
 * second code is taken from the next 30 s step, which the ±1 step window accepts.
 */
const redis = await redisAvailable();
const authenticator = createFakeAuthenticator();

describe.skipIf(!redis)('two example servers sharing one Redis', () => {
  const { keyPrefix, removeKeys } = redisTestPrefix();
  let first: ExampleProcess;
  let second: ExampleProcess;
  const { call: callFirst } = exampleHttp(() => first.url);
  const { call: callSecond } = exampleHttp(() => second.url);
  const [onFirst, onSecond] = [selfHostedSteps(callFirst), selfHostedSteps(callSecond)];

  beforeAll(async () => {
    const env = { REDIS_URL, MFA_REDIS_PREFIX: keyPrefix, MFA_ENCRYPTION_KEY: TEST_KEY };
    [first, second] = await Promise.all([startExample('express', env), startExample('koa', env)]);
    for (const server of [first, second])
      expect(server.stdout()).toMatch(new RegExp(`MFA state in Redis at \\S+ \\(key prefix ${keyPrefix}\\)`));
  }, 60_000);
  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    await removeKeys();
  });

  it('MFA enabled on the first server stops a login on the second at the challenge, which the second completes', async () => {
    const { credentials, secret } = await onFirst.enrolledUser(authenticator);
    const challenge = await onSecond.challengeFor(credentials);
    const answered = await onSecond.answer(challenge, authenticator.codeAt(secret, Date.now() + STEP_MS));
    expect(answered.status, answered.text).toBe(200);
    const token = tokenOf(answered);
    // One session, valid on both servers.
    expect(await callSecond('/me', { idToken: token })).toMatchObject({
      status: 200,
      body: { username: credentials.username },
    });
    expect(await callFirst('/me', { idToken: token })).toMatchObject({
      status: 200,
      body: { username: credentials.username },
    });
    expect(await callFirst('/logout', { idToken: token, method: 'POST' })).toMatchObject({ status: 204 });
    expect(await callSecond('/me', { idToken: token })).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
  });

  it('replay: a code accepted on one server is refused on the other, and a used challenge on both', async () => {
    const { credentials, secret } = await onFirst.enrolledUser(authenticator);
    const code = authenticator.codeAt(secret, Date.now() + STEP_MS);
    const challenge = await onSecond.challengeFor(credentials);
    expect((await onSecond.answer(challenge, code)).status).toBe(200);

    expect(await onFirst.answer(await onFirst.challengeFor(credentials), code)).toMatchObject({
      status: 400,
      body: { code: 'invalid_code', reason: 'replayed' },
    });
    expect(await onFirst.answer(challenge, code)).toMatchObject({ status: 401, body: { code: 'invalid_challenge' } });
    // Duplicate sign-up across servers: the name is taken on both.
    expect(await onSecond.signup(credentials)).toMatchObject({ status: 409, body: { code: 'username_taken' } });
  });

  it('brute force: wrong codes spread over both servers add up to one lockout, on both', async () => {
    const { credentials, secret } = await onSecond.enrolledUser(authenticator);
    const [challengeA, challengeB] = [
      await onFirst.challengeFor(credentials),
      await onSecond.challengeFor(credentials),
    ];
    const right = authenticator.codeAt(secret, Date.now() + STEP_MS);
    // Three on the first, two on the second: neither server alone has seen five.
    const spread = [onFirst, onSecond, onFirst, onSecond, onFirst].map(
      (server, index) => [server, index % 2 === 0 ? challengeA : challengeB] as const,
    );
    for (const [server, challenge] of spread) {
      expect(await server.answer(challenge, wrongCode(right))).toMatchObject({
        status: 400,
        body: { code: 'invalid_code' },
      });
    }
    for (const [server, challenge] of [
      [onSecond, challengeB],
      [onFirst, challengeA],
    ] as const) {
      const locked = await server.answer(challenge, right);
      expect(locked).toMatchObject({ status: 429, body: { code: 'rate_limited', retryAfterMs: expect.any(Number) } });
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });
});
