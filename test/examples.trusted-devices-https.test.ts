import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryBackend } from '../examples/shared/self-hosted/backends.js';
import { selfHostedDeps } from '../examples/shared/self-hosted/setup.js';
import { createFakeAuthenticator, createFixedClock } from '../src/testing/index.js';
import { EXAMPLE_APPS } from './support/example-apps.js';
import { type RunningHttpsApp, listenHttps } from './support/example-https.js';
import { ROOMY_PROTECTION, newCredentials } from './support/example-self-hosted.js';
import {
  COOKIE,
  DEVICE_TOKEN,
  HOST_COOKIE,
  THIRTY_DAYS_S,
  expectCookieAttributes,
  expectNoTokenInBody,
  setCookiesOf,
  trustedCookieOf,
} from './support/example-trusted-browser.js';
import { START, STEP_MS, TEST_KEY } from './support/totp.js';

/**
 * The trusted-browser cookie over HTTPS, on every app behind Node's own TLS server: Secure, and named with the
 * `__Host-` prefix (the browser then refuses it unless Secure, on `/` and host-only, so a sibling subdomain or a
 * plain-HTTP answer cannot plant or shadow it). The example knows HTTPS from the TLS socket (or the Fetch runtime's
 * `https:` URL), never from a header: `X-Forwarded-Proto: https` over plain HTTP changes nothing
 * (examples.trusted-devices.test.ts runs plain HTTP).
 */
describe.each(EXAMPLE_APPS)('the trusted-browser cookie over HTTPS ($name, memory)', ({ create }) => {
  const clock = createFixedClock(START);
  const authenticator = createFakeAuthenticator(clock);
  let app: RunningHttpsApp;

  beforeAll(async () => {
    const deps = selfHostedDeps(memoryBackend(), {
      provider: { encryptionKey: TEST_KEY, now: clock.now },
      protection: ROOMY_PROTECTION,
    });
    app = await listenHttps(create(deps));
  });
  afterAll(() => app?.close());

  const nextCode = (secret: string) => {
    clock.advance(STEP_MS);
    return authenticator.code(secret);
  };

  /** Sign-up, setup, verify, enable over HTTPS: the credentials, the session and the secret. */
  async function enrolled() {
    const credentials = newCredentials();
    const { token } = (await app.call('/signup', { json: credentials })).body as { token: string };
    const auth = { Authorization: `Bearer ${token}` };
    const { secretKey } = (await app.call('/mfa_setup', { headers: auth })).body as { secretKey: string };
    expect(
      (await app.call('/mfa_verify', { headers: auth, json: { verification_code: nextCode(secretKey) } })).status,
    ).toBe(200);
    expect((await app.call('/mfa_enable', { headers: auth, json: {} })).status).toBe(200);
    return { credentials, session: token, secret: secretKey };
  }

  async function trustThisBrowser(credentials: { username: string; password: string }, code: string) {
    const login = await app.call('/login', { json: credentials });
    const { challenge } = login.body as { challenge: string };
    const answer = await app.call('/mfa/challenge', { json: { challenge, code, trustDevice: true } });
    expect(answer.status, answer.text).toBe(200);
    return { answer, cookie: trustedCookieOf(answer, HOST_COOKIE) };
  }

  it('over HTTPS the cookie is Secure and __Host- named, HttpOnly, SameSite=Lax, Path=/, 30 days, and signs in with the password alone', async () => {
    const { credentials, secret } = await enrolled();
    const { answer, cookie } = await trustThisBrowser(credentials, nextCode(secret));
    expect(cookie.value).toMatch(DEVICE_TOKEN);
    expectCookieAttributes(cookie, { secure: true, maxAge: THIRTY_DAYS_S });
    expectNoTokenInBody(answer, cookie.value);
    expect(setCookiesOf(answer.headers).map(({ name }) => name)).toEqual([HOST_COOKIE]);
    const again = await app.call('/login', {
      json: credentials,
      headers: { Cookie: `${HOST_COOKIE}=${cookie.value}` },
    });
    expect(again.body, again.text).toEqual({ token: expect.any(String) });
  });

  it('planted cookie: over HTTPS a cookie without the __Host- prefix (settable over HTTP or by a sibling subdomain) is not read', async () => {
    const { credentials, secret } = await enrolled();
    const { cookie } = await trustThisBrowser(credentials, nextCode(secret));
    const planted = await app.call('/login', { json: credentials, headers: { Cookie: `${COOKIE}=${cookie.value}` } });
    expect(planted.body, planted.text).toMatchObject({ mfaRequired: true });
    expect(setCookiesOf(planted.headers)).toEqual([]); // not ours to clear
  });

  it('a dead cookie over HTTPS is cleared with the same Secure __Host- attributes, and so is it by revoke all', async () => {
    const { credentials, secret, session } = await enrolled();
    const first = await trustThisBrowser(credentials, nextCode(secret));
    const all = await app.call('/mfa_trusted_devices/revoke_all', {
      json: {},
      headers: { Authorization: `Bearer ${session}`, Cookie: `${HOST_COOKIE}=${first.cookie.value}` },
    });
    expect(all.body, all.text).toMatchObject({ revoked: 1 });
    const cleared = trustedCookieOf(all, HOST_COOKIE);
    expect(cleared.value).toBe('');
    expectCookieAttributes(cleared, { secure: true, maxAge: 0 });
    const dead = await app.call('/login', {
      json: credentials,
      headers: { Cookie: `${HOST_COOKIE}=${first.cookie.value}` },
    });
    expect(dead.body).toMatchObject({ mfaRequired: true });
    expectCookieAttributes(trustedCookieOf(dead, HOST_COOKIE), { secure: true, maxAge: 0 });
  });
});
