import { expect, it } from 'vitest';
import { SAFARI_IPHONE, onEveryTrustedBrowserApp } from './support/example-trusted-apps.js';
import { tokenOf } from './support/example-self-hosted.js';
import {
  COOKIE,
  DEVICE_TOKEN,
  THIRTY_DAYS_S,
  expectCookieAttributes,
  expectNoTokenInBody,
  setCookiesOf,
  trustedCookieOf,
} from './support/example-trusted-browser.js';

/**
 * Issue 17 in the example apps, over real HTTP on every app the support runs per backend: "Trust this browser for 30
 * days" at the login challenge, the HttpOnly cookie it sets, and the password-only sign-in it allows; a cookie of
 * another user or with a wrong password spares nothing. Plain HTTP here; how the trust ends (revoke, revoke all, MFA
 * off, expiry): examples.trusted-devices-revoke.test.ts; Secure and `__Host-` over HTTPS:
 * examples.trusted-devices-https.test.ts; hostile cookies: examples.trusted-devices-hostile.test.ts.
 */
await onEveryTrustedBrowserApp(
  ({ clock, authenticator, call, steps, login, nextCode, devices, trustThisBrowser, expectChallengeAndCleared }) => {
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
  },
);
