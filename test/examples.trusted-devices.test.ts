import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfHostedDeps } from '../examples/shared/self-hosted/setup.js';
import { createFakeAuthenticator, createFixedClock } from '../src/testing/index.js';
import { backendFixtures, type OpenBackend } from './support/example-backends.js';
import { type RunningApp, appsFor, listen } from './support/example-apps.js';
import { exampleHttp } from './support/example-http.js';
import { ROOMY_PROTECTION, newCredentials, selfHostedSteps, tokenOf } from './support/example-self-hosted.js';
import {
  COOKIE,
  DEVICE_TOKEN,
  THIRTY_DAYS_S,
  expectCookieAttributes,
  expectNoTokenInBody,
  setCookiesOf,
  trustedCookieOf,
} from './support/example-trusted-browser.js';
import { START, STEP_MS, TEST_KEY } from './support/totp.js';

/**
 * Issue 17 in the example apps, over real HTTP on every app the support runs per backend: "Trust this browser for 30
 * days" at the login challenge, the HttpOnly cookie it sets, the password-only sign-in it allows, and every way the
 * trust ends (revoke, revoke all, MFA off, expiry, another user) leading back to the code. Plain HTTP here (Secure
 * and the `__Host-` name over HTTPS: examples.trusted-devices-https.test.ts; hostile cookies:
 * examples.trusted-devices-hostile.test.ts).
 */
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

interface Device {
  id: string;
  label: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
}

for (const fixture of await backendFixtures()) {
  describe.skipIf(!fixture.available)(`trusted browsers on ${fixture.name}`, () => {
    let opened: OpenBackend;
    beforeAll(async () => {
      opened = await fixture.open();
    });
    afterAll(() => opened?.close());

    describe.each(appsFor(fixture.name))('$name example app', ({ create }) => {
      const clock = createFixedClock(START);
      const authenticator = createFakeAuthenticator(clock);
      let app: RunningApp;
      const { call } = exampleHttp(() => app.url);
      const steps = selfHostedSteps(call);
      type Credentials = { username: string; password: string };

      beforeAll(async () => {
        const deps = selfHostedDeps(opened.backend, {
          provider: { encryptionKey: TEST_KEY, now: clock.now },
          protection: ROOMY_PROTECTION,
        });
        app = await listen(create(deps));
      });
      afterAll(() => app?.close());

      /** The authenticator's code one step later than any used so far (replay protection refuses earlier ones). */
      const nextCode = (secret: string) => {
        clock.advance(STEP_MS);
        return authenticator.code(secret);
      };
      const cookieHeader = (token: string | undefined): Record<string, string> =>
        token === undefined ? {} : { Cookie: `${COOKIE}=${token}` };
      const login = (credentials: Credentials, token?: string) =>
        call('/login', { json: credentials, headers: cookieHeader(token) });
      const devices = async (session: string) => {
        const listed = await call('/mfa_trusted_devices', { idToken: session });
        expect(listed.status, listed.text).toBe(200);
        return (listed.body as { devices: Device[] }).devices;
      };

      /** Password, then the code with the box ticked: the session and the cookie the browser got. */
      async function trustThisBrowser(credentials: Credentials, code: string, userAgent = FIREFOX_LINUX) {
        const challenge = await steps.challengeFor(credentials);
        const answer = await call('/mfa/challenge', {
          json: { challenge, code, trustDevice: true },
          headers: { 'User-Agent': userAgent },
        });
        expect(answer.status, answer.text).toBe(200);
        const cookie = trustedCookieOf(answer);
        return { answer, session: tokenOf(answer), cookie, token: cookie.value };
      }

      /** /login with a dead cookie: the challenge, and the cookie cleared (Max-Age=0, same attributes). */
      async function expectChallengeAndCleared(credentials: Credentials, token: string) {
        const answer = await login(credentials, token);
        expect(answer, answer.text).toMatchObject({ status: 200, body: { mfaRequired: true } });
        expect((answer.body as { token?: unknown }).token).toBeUndefined();
        const cleared = trustedCookieOf(answer);
        expect(cleared.value).toBe('');
        expectCookieAttributes(cleared, { secure: false, maxAge: 0 });
      }

      it('trusted browser: the box sets an HttpOnly, SameSite=Lax cookie on / for 30 days (not Secure over plain HTTP), the token never in a body', async () => {
        const { credentials, secret } = await steps.enrolledUser(authenticator);
        const { answer, cookie, token } = await trustThisBrowser(credentials, nextCode(secret));
        expect(token).toMatch(DEVICE_TOKEN);
        expectCookieAttributes(cookie, { secure: false, maxAge: THIRTY_DAYS_S });
        expect(answer.body).toMatchObject({ token: expect.any(String), trustedBrowser: true });
        expectNoTokenInBody(answer, token);
        expect(answer.headers.get('cache-control')).toBe('no-store');
      });

      it('spoofed scheme: X-Forwarded-Proto: https over plain HTTP does not make the cookie Secure or __Host- named', async () => {
        const { credentials, secret } = await steps.enrolledUser(authenticator);
        const challenge = await steps.challengeFor(credentials);
        const answer = await call('/mfa/challenge', {
          json: { challenge, code: nextCode(secret), trustDevice: true },
          headers: { 'X-Forwarded-Proto': 'https', Forwarded: 'proto=https' },
        });
        expect(setCookiesOf(answer.headers).map(({ name }) => name)).toEqual([COOKIE]);
        expectCookieAttributes(trustedCookieOf(answer), { secure: false, maxAge: THIRTY_DAYS_S });
      });

      it('trusted browser: the next sign-in takes the password alone, and the settings list it by its User-Agent', async () => {
        const { credentials, secret } = await steps.enrolledUser(authenticator);
        const { session, token } = await trustThisBrowser(credentials, nextCode(secret));
        const [device] = await devices(session);
        expect(device).toEqual({
          id: expect.any(String),
          label: 'Firefox on Linux',
          createdAt: clock.now().toISOString(),
          lastUsedAt: clock.now().toISOString(),
          expiresAt: new Date(clock.nowMs() + THIRTY_DAYS_S * 1000).toISOString(),
        });
        clock.advance(60_000);
        const again = await login(credentials, token);
        expect(again.body, again.text).toEqual({ token: expect.any(String) });
        expect(setCookiesOf(again.headers)).toEqual([]); // a cookie that counts is left as it is
        expect((await call('/me', { idToken: tokenOf(again) })).body).toEqual({ username: credentials.username });
        const [used] = await devices(tokenOf(again));
        expect(used).toMatchObject({ id: device!.id, lastUsedAt: clock.now().toISOString() });
        expect(used!.expiresAt).toBe(device!.expiresAt); // use does not extend the trust
        // Without the cookie the same account still asks for the code.
        expect((await login(credentials)).body).toMatchObject({ mfaRequired: true });
      });

      it('trusted browser: a recovery code with the box ticked trusts the browser too; without the box, no cookie', async () => {
        const { credentials, secret, recoveryCodes } = await steps.enrolledUser(authenticator);
        const plain = await steps.answer(await steps.challengeFor(credentials), nextCode(secret));
        expect(plain.status).toBe(200);
        expect(setCookiesOf(plain.headers)).toEqual([]);
        expect((plain.body as { trustedBrowser?: unknown }).trustedBrowser).toBeUndefined();
        const { answer, token } = await trustThisBrowser(credentials, recoveryCodes[0]!, SAFARI_IPHONE);
        expect(answer.body).toMatchObject({ recoveryCodesRemaining: 9, trustedBrowser: true });
        expect((await login(credentials, token)).body).toEqual({ token: expect.any(String) });
        expect((await devices(tokenOf(answer))).map(({ label }) => label)).toEqual(['Safari on iOS']);
      });

      it('trusted browser: a missing User-Agent gets a fixed label, a huge one a short label, never the header', async () => {
        const { credentials, secret } = await steps.enrolledUser(authenticator);
        const huge = `${'x'.repeat(6000)} <script>alert(1)</script> Firefox/1 Linux`;
        const first = await trustThisBrowser(credentials, nextCode(secret), '');
        await trustThisBrowser(credentials, nextCode(secret), huge);
        const labels = (await devices(first.session)).map(({ label }) => label);
        expect(labels).toEqual(['Unknown browser', 'Unknown browser']);
      });

      it('bad trustDevice: anything but a boolean is refused (400) before the code is checked, and the code still works', async () => {
        const { credentials, secret } = await steps.enrolledUser(authenticator);
        const code = nextCode(secret);
        const challenge = await steps.challengeFor(credentials);
        for (const trustDevice of ['yes', 1, null, {}, []]) {
          const refused = await call('/mfa/challenge', { json: { challenge, code, trustDevice } });
          expect(refused, JSON.stringify(trustDevice)).toMatchObject({
            status: 400,
            body: { code: 'invalid_request' },
          });
          expect(setCookiesOf(refused.headers)).toEqual([]);
        }
        const accepted = await call('/mfa/challenge', { json: { challenge, code, trustDevice: false } });
        expect(accepted.status, accepted.text).toBe(200);
        expect(setCookiesOf(accepted.headers)).toEqual([]);
      });

      it('stolen device token for another user: the cookie of one account does not spare another its code', async () => {
        const ada = await steps.enrolledUser(authenticator);
        const grace = await steps.enrolledUser(authenticator);
        const { token } = await trustThisBrowser(ada.credentials, nextCode(ada.secret));
        await expectChallengeAndCleared(grace.credentials, token);
        // The owner's trust is untouched by the other user's attempt.
        expect((await login(ada.credentials, token)).body).toEqual({ token: expect.any(String) });
      });

      it('wrong password on a trusted browser: 401, the cookie neither used nor cleared', async () => {
        const { credentials, secret } = await steps.enrolledUser(authenticator);
        const { token } = await trustThisBrowser(credentials, nextCode(secret));
        const refused = await login({ ...credentials, password: 'not the password' }, token);
        expect(refused).toMatchObject({ status: 401, body: { code: 'invalid_credentials' } });
        expect(setCookiesOf(refused.headers)).toEqual([]);
        expect((await login(credentials, token)).body).toEqual({ token: expect.any(String) });
      });

      it('revoked device: that browser gets the code again, another trusted browser of the user does not', async () => {
        const { credentials, secret } = await steps.enrolledUser(authenticator);
        const laptop = await trustThisBrowser(credentials, nextCode(secret));
        const phone = await trustThisBrowser(credentials, nextCode(secret), SAFARI_IPHONE);
        const listed = await devices(phone.session);
        expect(listed.map(({ label }) => label)).toEqual(['Firefox on Linux', 'Safari on iOS']); // oldest first
        const revoked = await call('/mfa_trusted_devices/revoke', {
          idToken: phone.session,
          json: { id: listed[0]!.id },
        });
        expect(revoked, revoked.text).toMatchObject({ status: 200, body: { message: expect.any(String) } });
        await expectChallengeAndCleared(credentials, laptop.token);
        expect((await login(credentials, phone.token)).body).toEqual({ token: expect.any(String) });
        expect((await devices(phone.session)).map(({ id }) => id)).toEqual([listed[1]!.id]);
        // Revoked already: 404, nothing else changes.
        expect(
          await call('/mfa_trusted_devices/revoke', { idToken: phone.session, json: { id: listed[0]!.id } }),
        ).toMatchObject({ status: 404, body: { code: 'not_found' } });
      });

      it("another user's device id: not found (404) for this session, and that device still counts", async () => {
        const ada = await steps.enrolledUser(authenticator);
        const mallory = await steps.enrolledUser(authenticator);
        const { session, token } = await trustThisBrowser(ada.credentials, nextCode(ada.secret));
        const [device] = await devices(session);
        expect(await devices(mallory.token)).toEqual([]);
        const refused = await call('/mfa_trusted_devices/revoke', { idToken: mallory.token, json: { id: device!.id } });
        expect(refused).toMatchObject({ status: 404, body: { code: 'not_found' } });
        expect(
          (await call('/mfa_trusted_devices/revoke_all', { idToken: mallory.token, json: {} })).body,
        ).toMatchObject({ revoked: 0 });
        expect((await login(ada.credentials, token)).body).toEqual({ token: expect.any(String) });
      });

      it('revoke all: every browser gets the code again, and the answer clears this browser cookie', async () => {
        const { credentials, secret } = await steps.enrolledUser(authenticator);
        const laptop = await trustThisBrowser(credentials, nextCode(secret));
        const phone = await trustThisBrowser(credentials, nextCode(secret), SAFARI_IPHONE);
        const all = await call('/mfa_trusted_devices/revoke_all', {
          idToken: laptop.session,
          json: {},
          headers: cookieHeader(laptop.token),
        });
        expect(all, all.text).toMatchObject({ status: 200, body: { revoked: 2 } });
        const cleared = trustedCookieOf(all);
        expect(cleared.value).toBe('');
        expectCookieAttributes(cleared, { secure: false, maxAge: 0 });
        expect(await devices(laptop.session)).toEqual([]);
        await expectChallengeAndCleared(credentials, laptop.token);
        await expectChallengeAndCleared(credentials, phone.token);
      });

      it('device after disable: turning MFA off forgets every trusted browser, and enabling again does not bring one back', async () => {
        const { credentials, secret, token: session } = await steps.enrolledUser(authenticator);
        const { token } = await trustThisBrowser(credentials, nextCode(secret));
        const off = await call('/mfa_disable', {
          idToken: session,
          json: { verification_code: nextCode(secret) },
          headers: cookieHeader(token),
        });
        expect(off, off.text).toMatchObject({ status: 200, body: { message: expect.stringContaining('trusted') } });
        expect(trustedCookieOf(off).value).toBe('');
        expect(await devices(session)).toEqual([]);
        // MFA is off: the password alone signs in, with or without the old cookie.
        expect((await login(credentials, token)).body).toEqual({ token: expect.any(String) });
        // On again (a new factor): the old cookie is not trusted for it.
        const setup = await call('/mfa_setup', { idToken: session });
        const { secretKey } = setup.body as { secretKey: string };
        await call('/mfa_verify', { idToken: session, json: { verification_code: nextCode(secretKey) } });
        expect((await call('/mfa_enable', { idToken: session, json: {} })).status).toBe(200);
        await expectChallengeAndCleared(credentials, token);
      });

      it('expired device: past the 30 days the browser gets the code again (use never extended it)', async () => {
        const { credentials, secret } = await steps.enrolledUser(authenticator);
        const { token } = await trustThisBrowser(credentials, nextCode(secret));
        clock.advance(THIRTY_DAYS_S * 1000 - 60_000);
        expect((await login(credentials, token)).body).toEqual({ token: expect.any(String) });
        clock.advance(60_000 + 1);
        await expectChallengeAndCleared(credentials, token);
      });

      it('bad revoke input: every malformed id or body is a JSON 4xx, never a 500', async () => {
        const { token: session } = await steps.enrolledUser(authenticator);
        const bodies: unknown[] = [
          {},
          { id: '' },
          { id: 42 },
          { id: null },
          { id: ['x'] },
          { id: 'x'.repeat(101) },
          [],
        ];
        for (const json of bodies) {
          const refused = await call('/mfa_trusted_devices/revoke', { idToken: session, json });
          expect(refused, JSON.stringify(json)).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
        }
        for (const rawBody of ['{"id":', 'id=1', '']) {
          const refused = await call('/mfa_trusted_devices/revoke', {
            idToken: session,
            rawBody,
            headers: { 'Content-Type': rawBody === 'id=1' ? 'application/x-www-form-urlencoded' : 'application/json' },
          });
          expect(refused.status, rawBody).toBe(400);
          expect(refused.body, rawBody).toMatchObject({ code: 'invalid_request' });
        }
        expect(
          await call('/mfa_trusted_devices/revoke', { idToken: session, json: { id: 'no-such-device' } }),
        ).toMatchObject({ status: 404, body: { code: 'not_found' } });
      });

      it('no session: every trusted-device route is 401 (a guessed device id revokes nothing), and a user without MFA lists none', async () => {
        for (const [path, json] of [
          ['/mfa_trusted_devices', undefined],
          ['/mfa_trusted_devices/revoke', { id: 'x' }],
          ['/mfa_trusted_devices/revoke_all', {}],
        ] as const) {
          const refused = await call(path, { idToken: 'not-a-session', ...(json ? { json } : {}) });
          expect(refused, path).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
        }
        const fresh = newCredentials();
        const session = tokenOf(await steps.signup(fresh));
        // MFA off: nothing to list, nothing to revoke.
        expect(await devices(session)).toEqual([]);
      });
    });
  });
}
