import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { expect } from 'vitest';
import type { FakeAuthenticator } from '../../src/testing/index.js';
import type { Exchange, exampleHttp } from './example-http.js';

type Call = ReturnType<typeof exampleHttp>['call'];

/** A username no other test uses, with a password that is easy to search for in responses and logs. */
export function newCredentials(prefix = 'ada') {
  const tag = randomBytes(4).toString('hex');
  return { username: `${prefix}.${tag}@example.com`, password: `pw-${randomBytes(9).toString('base64url')}` };
}

/** The token of a 200/201 answer, failing with the answer when there is none. */
export function tokenOf(exchange: Exchange): string {
  const token = (exchange.body as { token?: unknown } | undefined)?.token;
  expect(typeof token, `${exchange.method} ${exchange.path} → ${exchange.status} ${exchange.text}`).toBe('string');
  return token as string;
}

/** What the self-hosted page does, one HTTP call each, on one example server. */
export function selfHostedSteps(call: Call) {
  return {
    signup: (credentials: { username: string; password: string }) => call('/signup', { json: credentials }),
    login: (credentials: { username: string; password: string }) => call('/login', { json: credentials }),
    answer: (challenge: string, code: string) => call('/mfa/challenge', { json: { challenge, code } }),

    /** Sign-up, then setup → verify → enable with the authenticator: the account, its secret and recovery codes. */
    async enrolledUser(authenticator: FakeAuthenticator) {
      const credentials = newCredentials();
      const token = tokenOf(await call('/signup', { json: credentials }));
      const setup = await call('/mfa_setup', { idToken: token });
      expect(setup.status).toBe(200);
      const { secretKey } = setup.body as { secretKey: string };
      expect(
        await call('/mfa_verify', { idToken: token, json: { verification_code: authenticator.code(secretKey) } }),
      ).toMatchObject({ status: 200 });
      const enabled = await call('/mfa_enable', { idToken: token, json: {} });
      expect(enabled.status).toBe(200);
      return {
        credentials,
        token,
        secret: secretKey,
        recoveryCodes: (enabled.body as { recoveryCodes: string[] }).recoveryCodes,
      };
    },

    /** POST /login for a user with MFA on: the challenge. */
    async challengeFor(credentials: { username: string; password: string }): Promise<string> {
      const login = await call('/login', { json: credentials });
      expect(login, login.text).toMatchObject({
        status: 200,
        body: { mfaRequired: true, challenge: expect.any(String) },
      });
      expect((login.body as { token?: unknown }).token).toBeUndefined();
      return (login.body as { challenge: string }).challenge;
    },
  };
}

/** Decodes a `data:image/png;base64,` QR code with an independent decoder (jsqr). */
export async function decodeQrDataUrl(dataUrl: string): Promise<string | undefined> {
  const { PNG } = await import('pngjs');
  // jsqr is CommonJS whose types declare a default export: load it the way Node does.
  const jsQR = createRequire(import.meta.url)('jsqr') as typeof import('jsqr').default;
  const png = PNG.sync.read(Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64'));
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
}

/**
 * Login throttles no suite about something else reaches: those suites sign up and log in dozens of times a minute
 * from 127.0.0.1. The throttle itself is tested with its defaults (examples.login-security.test.ts).
 */
export const ROOMY_PROTECTION = {
  login: { limit: 100_000, windowMs: 60_000 },
  signup: { limit: 100_000, windowMs: 60_000 },
  hashing: { maxQueued: 1000 },
};
