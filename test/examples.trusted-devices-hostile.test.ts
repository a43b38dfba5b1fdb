import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryBackend } from '../examples/shared/self-hosted/backends.js';
import { selfHostedDeps } from '../examples/shared/self-hosted/setup.js';
import { createFakeAuthenticator, createFixedClock } from '../src/testing/index.js';
import { EXAMPLE_APPS, type RunningApp, listen } from './support/example-apps.js';
import { exampleHttp } from './support/example-http.js';
import { ROOMY_PROTECTION, selfHostedSteps, tokenOf } from './support/example-self-hosted.js';
import { COOKIE, setCookiesOf, trustedCookieOf } from './support/example-trusted-browser.js';
import { type RawAnswer, rawRequest } from './support/raw-http.js';
import { START, STEP_MS, TEST_KEY } from './support/totp.js';

/**
 * Forged and hostile trusted-browser cookies against every app, over raw TCP where fetch cannot send the bytes: very
 * long values, bytes outside ASCII, broken percent-encoding, hundreds of cookies, the name twice, near-miss tokens,
 * and fast-check generated values. Invariants: never a 5xx, every refusal a JSON 4xx, and the right password with any
 * such cookie still asks for the code (only the real token spares it).
 */
describe.each(EXAMPLE_APPS)('hostile trusted-browser cookies ($name, memory)', ({ create }) => {
  const clock = createFixedClock(START);
  const authenticator = createFakeAuthenticator(clock);
  let app: RunningApp;
  const { call } = exampleHttp(() => app.url);
  const steps = selfHostedSteps(call);
  let credentials: { username: string; password: string };
  /** A real device token of this user, for the near misses. */
  let realToken: string;

  beforeAll(async () => {
    const deps = selfHostedDeps(memoryBackend(), {
      provider: { encryptionKey: TEST_KEY, now: clock.now },
      protection: ROOMY_PROTECTION,
    });
    app = await listen(create(deps));
    const enrolled = await steps.enrolledUser(authenticator);
    credentials = enrolled.credentials;
    clock.advance(STEP_MS);
    const challenge = await steps.challengeFor(credentials);
    const trusted = await call('/mfa/challenge', {
      json: { challenge, code: authenticator.code(enrolled.secret), trustDevice: true },
    });
    realToken = trustedCookieOf(trusted).value;
    tokenOf(trusted);
  });
  afterAll(() => app?.close());

  /** POST /login with the right password and this `Cookie` header, byte for byte (latin1). */
  function loginWithCookie(cookie: string | Buffer, extraHeaders = ''): Promise<RawAnswer> {
    const body = Buffer.from(JSON.stringify(credentials));
    const head =
      `POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${body.length}\r\n${extraHeaders}Cookie: `;
    const cookieBytes = typeof cookie === 'string' ? Buffer.from(cookie, 'latin1') : cookie;
    return rawRequest(
      app.url,
      Buffer.concat([Buffer.from(head, 'latin1'), cookieBytes, Buffer.from('\r\n\r\n'), body]),
    );
  }

  /** Never a 5xx; a refusal is JSON; an accepted login with a forged cookie is a challenge, never a session. */
  function expectNoWayAround(answer: RawAnswer, what: string) {
    expect(answer.status, what).toBeLessThan(500);
    expect(answer.body, `${what}: ${answer.text}`).toBeTypeOf('object');
    if (answer.status === 200) {
      expect(answer.body, what).toMatchObject({ mfaRequired: true });
      expect((answer.body as { token?: unknown }).token, what).toBeUndefined();
    } else {
      expect(answer.body, what).toMatchObject({ code: expect.any(String) });
    }
    expect(answer.text, what).not.toMatch(/at .*\.(ts|js):\d+|node_modules/);
  }

  it('forged device cookie: near misses of the real token, odd encodings and odd bytes all get the code challenge', async () => {
    const flipped = realToken.slice(0, -1) + (realToken.endsWith('A') ? 'B' : 'A');
    const values: Array<[string, string | Buffer]> = [
      ['empty', `${COOKIE}=`],
      ['no value', COOKIE],
      ['one character changed', `${COOKIE}=${flipped}`],
      ['truncated', `${COOKIE}=${realToken.slice(0, -1)}`],
      ['one character more', `${COOKIE}=${realToken}A`],
      ['another version', `${COOKIE}=d2.${realToken.slice(3)}`],
      ['lower-cased', `${COOKIE}=${realToken.toLowerCase()}`],
      ['quoted', `${COOKIE}="${realToken}"`],
      ['percent-encoded dot', `${COOKIE}=d1%252E${realToken.slice(3)}`],
      ['broken percent-encoding', `${COOKIE}=%E0%A4%A%ZZ%`],
      ['a NUL, percent-encoded', `${COOKIE}=d1.%00${realToken.slice(4)}`],
      ['markup', `${COOKIE}=<script>alert(1)</script>`],
      ['8 kB', `${COOKIE}=d1.${'A'.repeat(8000)}`],
      ['bytes over 0x7f', Buffer.concat([Buffer.from(`${COOKIE}=d1.`), Buffer.from([0x80, 0xc3, 0x28, 0xff, 0xfe])])],
      ['UTF-8 text', Buffer.from(`${COOKIE}=d1.信頼できるブラウザ`, 'utf8')],
      ['the name twice, one real', `${COOKIE}=${realToken}; ${COOKIE}=${flipped}`],
      ['the real token twice', `${COOKIE}=${realToken}; ${COOKIE}=${realToken}`],
      ['the name in other case', `${COOKIE.toUpperCase()}=${realToken}`],
      ['the __Host- name over plain HTTP', `__Host-${COOKIE}=${realToken}`],
      ['semicolons only', ';;;;=;'],
      ['many cookies, none ours', Array.from({ length: 300 }, (_, i) => `c${i}=${'v'.repeat(20)}`).join('; ')],
    ];
    for (const [what, value] of values) expectNoWayAround(await loginWithCookie(value), what);
  }, 60_000); // one scrypt per login

  it('forged device cookie: a control character or a header too large is refused by the parser with a JSON 4xx', async () => {
    for (const [what, value] of [
      ['a control character', Buffer.from(`${COOKIE}=d1.\x01\x7f`, 'latin1')],
      ['64 kB of cookies', `${COOKIE}=${'A'.repeat(64 * 1024)}`],
    ] as const) {
      const answer = await loginWithCookie(value);
      expect(answer.status, what).toBeGreaterThanOrEqual(400);
      expect(answer.status, what).toBeLessThan(500);
      expect(answer.body, what).toMatchObject({ code: 'invalid_request' });
    }
  });

  it('the real token among hundreds of other cookies still counts, and is not cleared', async () => {
    const others = Array.from({ length: 300 }, (_, i) => `c${i}=${'v'.repeat(20)}`).join('; ');
    const answer = await loginWithCookie(`${others}; ${COOKIE}=${realToken}; z=1`);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toEqual({ token: expect.any(String) });
    expect(setCookiesOf(answer.headers)).toEqual([]);
  });

  it('forged device cookie (generated): no value but the real token signs in without the code, none is a 5xx', async () => {
    const cookieValue = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.stringMatching(/^d1\.[A-Za-z0-9_-]{43}$/),
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.uint8Array({ maxLength: 80 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
    );
    await fc.assert(
      fc.asyncProperty(cookieValue, async (value) => {
        fc.pre(value !== realToken);
        const answer = await loginWithCookie(Buffer.from(`${COOKIE}=${value}`, 'latin1'));
        expect(answer.status, JSON.stringify(value)).toBeLessThan(500);
        expect(answer.body, answer.text).toBeTypeOf('object');
        expect((answer.body as { token?: unknown }).token, JSON.stringify(value)).toBeUndefined();
      }),
      { numRuns: 40 },
    );
  }, 60_000);

  it('a missing User-Agent (raw request without one) labels the device with the fixed label', async () => {
    clock.advance(STEP_MS);
    const enrolled = await steps.enrolledUser(authenticator);
    clock.advance(STEP_MS);
    const challenge = await steps.challengeFor(enrolled.credentials);
    const body = Buffer.from(
      JSON.stringify({ challenge, code: authenticator.code(enrolled.secret), trustDevice: true }),
    );
    const answer = await rawRequest(
      app.url,
      Buffer.concat([
        Buffer.from(
          `POST /mfa/challenge HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
        ),
        body,
      ]),
    );
    expect(answer.status, answer.text).toBe(200);
    const session = (answer.body as { token: string }).token;
    const listed = await call('/mfa_trusted_devices', { idToken: session });
    expect((listed.body as { devices: Array<{ label: string }> }).devices.map(({ label }) => label)).toEqual([
      'Unknown browser',
    ]);
  });
});
