import { afterAll, beforeAll, describe, expect } from 'vitest';
import { selfHostedDeps } from '../../examples/shared/self-hosted/setup.js';
import { createFakeAuthenticator, createFixedClock } from '../../src/testing/index.js';
import { backendFixtures, type OpenBackend } from './example-backends.js';
import { type RunningApp, appsFor, listen } from './example-apps.js';
import { exampleHttp } from './example-http.js';
import { ROOMY_PROTECTION, selfHostedSteps, tokenOf } from './example-self-hosted.js';
import { COOKIE, expectCookieAttributes, trustedCookieOf } from './example-trusted-browser.js';
import { START, STEP_MS, TEST_KEY } from './totp.js';

export const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
export const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

/** A trusted browser as GET /mfa_trusted_devices lists it. */
export interface ListedDevice {
  id: string;
  label: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
}

type Credentials = { username: string; password: string };

/** What the trusted-browser tests do, one HTTP call each, on one example app with a fixed clock. */
export type TrustedBrowserSteps = ReturnType<typeof trustedBrowserSteps>;

function trustedBrowserSteps(app: () => RunningApp) {
  const clock = createFixedClock(START);
  const authenticator = createFakeAuthenticator(clock);
  const { call } = exampleHttp(() => app().url);
  const steps = selfHostedSteps(call);
  const cookieHeader = (token: string | undefined): Record<string, string> =>
    token === undefined ? {} : { Cookie: `${COOKIE}=${token}` };
  const login = (credentials: Credentials, token?: string) =>
    call('/login', { json: credentials, headers: cookieHeader(token) });
  return {
    clock,
    authenticator,
    call,
    steps,
    cookieHeader,
    login,
    /** The authenticator's code one step later than any used so far (replay protection refuses earlier ones). */
    nextCode(secret: string) {
      clock.advance(STEP_MS);
      return authenticator.code(secret);
    },
    async devices(session: string): Promise<ListedDevice[]> {
      const listed = await call('/mfa_trusted_devices', { idToken: session });
      expect(listed.status, listed.text).toBe(200);
      return (listed.body as { devices: ListedDevice[] }).devices;
    },
    /** Password, then the code with the box ticked: the session and the cookie the browser got. */
    async trustThisBrowser(credentials: Credentials, code: string, userAgent = FIREFOX_LINUX) {
      const challenge = await steps.challengeFor(credentials);
      const answer = await call('/mfa/challenge', {
        json: { challenge, code, trustDevice: true },
        headers: { 'User-Agent': userAgent },
      });
      expect(answer.status, answer.text).toBe(200);
      const cookie = trustedCookieOf(answer);
      return { answer, session: tokenOf(answer), cookie, token: cookie.value };
    },
    /** /login with a dead cookie: the challenge, and the cookie cleared (Max-Age=0, same attributes). */
    async expectChallengeAndCleared(credentials: Credentials, token: string) {
      const answer = await login(credentials, token);
      expect(answer, answer.text).toMatchObject({ status: 200, body: { mfaRequired: true } });
      expect((answer.body as { token?: unknown }).token).toBeUndefined();
      const cleared = trustedCookieOf(answer);
      expect(cleared.value).toBe('');
      expectCookieAttributes(cleared, { secure: false, maxAge: 0 });
    },
  };
}

/**
 * Registers `tests` against every app the support runs per backend (`appsFor`: every app on memory, Express on Redis
 * and PostgreSQL, Hono on SQLite), each app on its own server with a fixed clock shared by its tests.
 */
export async function onEveryTrustedBrowserApp(tests: (t: TrustedBrowserSteps) => void): Promise<void> {
  for (const fixture of await backendFixtures()) {
    describe.skipIf(!fixture.available)(`trusted browsers on ${fixture.name}`, () => {
      let opened: OpenBackend;
      beforeAll(async () => {
        opened = await fixture.open();
      });
      afterAll(() => opened?.close());

      describe.each(appsFor(fixture.name))('$name example app', ({ create }) => {
        let app: RunningApp;
        const t = trustedBrowserSteps(() => app);
        beforeAll(async () => {
          const deps = selfHostedDeps(opened.backend, {
            provider: { encryptionKey: TEST_KEY, now: t.clock.now },
            protection: ROOMY_PROTECTION,
          });
          app = await listen(create(deps));
        });
        afterAll(() => app?.close());
        tests(t);
      });
    });
  }
}
