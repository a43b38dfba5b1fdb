import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryBackend } from '../examples/shared/self-hosted/backends.js';
import { selfHostedDeps } from '../examples/shared/self-hosted/setup.js';
import { createFakeAuthenticator, createFixedClock } from '../src/testing/index.js';
import { EXAMPLE_APPS, listen, type RunningApp } from './support/example-apps.js';
import { exampleHttp } from './support/example-http.js';
import { ROOMY_PROTECTION, selfHostedSteps } from './support/example-self-hosted.js';
import { START, TEST_KEY } from './support/totp.js';

// Review of issue 12's new routes: hostile values in the fields they read (the step-up code, the challenge and its
// code, the credentials) are the client's mistake: a 4xx with a fixed body, never a 500 or a stack trace.

const HOSTILE: unknown[] = [
  123456,
  0,
  true,
  null,
  {},
  [],
  ['123456'],
  { toString: '123456' },
  '',
  ' ',
  '\u0000\u0000\u0000\u0000\u0000\u0000',
  '１２３４５６',
  '12345\u0666',
  '\uD800abcdefgh',
  'x'.repeat(20_000),
  '1'.repeat(65),
  '__proto__',
  's1.a.b.c',
];

describe.each(EXAMPLE_APPS)('hostile step-up and login input ($name, memory)', ({ create }) => {
  const clock = createFixedClock(START);
  const authenticator = createFakeAuthenticator(clock);
  let app: RunningApp;
  const { call } = exampleHttp(() => app.url);
  const steps = selfHostedSteps(call);
  beforeAll(async () => {
    const deps = selfHostedDeps(memoryBackend(), {
      provider: { encryptionKey: TEST_KEY, now: clock.now },
      protection: ROOMY_PROTECTION,
    });
    app = await listen(create(deps));
  });
  afterAll(() => app?.close());

  it('bad input: every hostile value in every new field answers a 4xx, never a 500', async () => {
    const { credentials, token } = await steps.enrolledUser(authenticator);
    const challenge = await steps.challengeFor(credentials);
    const failures: string[] = [];
    for (const value of HOSTILE) {
      const attempts: Array<[string, { idToken?: string; json: unknown }]> = [
        ['/mfa_disable', { idToken: token, json: { verification_code: value } }],
        ['/mfa_recovery_codes', { idToken: token, json: { verification_code: value } }],
        ['/mfa_verify', { idToken: token, json: { verification_code: value } }],
        ['/mfa/challenge', { json: { challenge, code: value } }],
        ['/mfa/challenge', { json: { challenge: value, code: '123456' } }],
        ['/login', { json: { username: value, password: value } }],
      ];
      for (const [path, options] of attempts) {
        const answer = await call(path, options);
        if (answer.status >= 500 || answer.status < 400)
          failures.push(
            `${path} ${JSON.stringify(value)?.slice(0, 40)} → ${answer.status} ${answer.text.slice(0, 120)}`,
          );
      }
    }
    // Sign-up: a hostile name is refused with a 4xx; a name that happens to be valid (`__proto__`) is an account.
    for (const value of HOSTILE) {
      const answer = await call('/signup', { json: { username: value, password: 'long-enough-password' } });
      if (answer.status >= 500) failures.push(`/signup ${JSON.stringify(value)?.slice(0, 40)} → ${answer.status}`);
    }
    expect(failures).toEqual([]);
    // Nothing changed: MFA is still on.
    expect(await call('/mfa_status', { idToken: token })).toMatchObject({ body: { enabled: true } });
  }, 60_000);
});
