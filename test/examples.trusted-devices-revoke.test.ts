import { expect, it } from 'vitest';
import { SAFARI_IPHONE, onEveryTrustedBrowserApp } from './support/example-trusted-apps.js';
import { newCredentials, tokenOf } from './support/example-self-hosted.js';
import { THIRTY_DAYS_S, expectCookieAttributes, trustedCookieOf } from './support/example-trusted-browser.js';

/**
 * Every way a trusted browser's trust ends in the example apps, over real HTTP on every app the support runs per
 * backend: a revoke of it, "revoke all" (which also clears this browser's cookie), MFA turned off (and on again),
 * the 30 days passing; each leads back to the code. And the new routes' refusals: another user's device id, malformed
 * input, no session.
 */
await onEveryTrustedBrowserApp(
  ({
    clock,
    authenticator,
    call,
    steps,
    login,
    cookieHeader,
    nextCode,
    devices,
    trustThisBrowser,
    expectChallengeAndCleared,
  }) => {
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
      expect((await call('/mfa_trusted_devices/revoke_all', { idToken: mallory.token, json: {} })).body).toMatchObject({
        revoked: 0,
      });
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
      const bodies: unknown[] = [{}, { id: '' }, { id: 42 }, { id: null }, { id: ['x'] }, { id: 'x'.repeat(101) }, []];
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
  },
);
