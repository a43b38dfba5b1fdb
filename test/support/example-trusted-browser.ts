import { expect } from 'vitest';
import type { Exchange } from './example-http.js';

/** The trusted-browser cookie's name over plain HTTP (examples/shared/handlers/trusted-device-cookie.ts). */
export const COOKIE = 'mfa_trusted_device';
/** Its name over HTTPS, where the browser enforces Secure, Path=/ and no Domain for the prefix. */
export const HOST_COOKIE = `__Host-${COOKIE}`;
/** The SDK's device token: `d1.` and 32 random bytes as base64url. */
export const DEVICE_TOKEN = /^d1\.[A-Za-z0-9_-]{43}$/;
export const THIRTY_DAYS_S = 30 * 24 * 60 * 60;

/** A `Set-Cookie` line read as a browser reads it: name, value, and the attributes by lower-case name. */
export interface SetCookie {
  name: string;
  value: string;
  attributes: Record<string, string | true>;
  line: string;
}

export function parseSetCookie(line: string): SetCookie {
  const [pair = '', ...rest] = line.split(';').map((part) => part.trim());
  const eq = pair.indexOf('=');
  const attributes: Record<string, string | true> = {};
  for (const part of rest) {
    const at = part.indexOf('=');
    if (at === -1) attributes[part.toLowerCase()] = true;
    else attributes[part.slice(0, at).toLowerCase()] = part.slice(at + 1);
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes, line };
}

/** Every `Set-Cookie` of an answer. */
export function setCookiesOf(headers: Headers | string[]): SetCookie[] {
  const lines = Array.isArray(headers)
    ? headers.filter((line) => /^set-cookie:/i.test(line)).map((line) => line.slice(line.indexOf(':') + 1).trim())
    : headers.getSetCookie();
  return lines.map(parseSetCookie);
}

/** The one trusted-browser cookie an answer sets, failing with the answer when there is none or more than one. */
export function trustedCookieOf(exchange: Pick<Exchange, 'headers' | 'status' | 'text'>, name = COOKIE): SetCookie {
  const cookies = setCookiesOf(exchange.headers).filter((cookie) => cookie.name === name);
  expect(cookies, `${exchange.status} ${exchange.text}`).toHaveLength(1);
  return cookies[0]!;
}

/**
 * The attributes every trusted-browser cookie carries: HttpOnly (no script reads the token), SameSite=Lax (no
 * cross-site background POST carries it), Path=/, host-only (no Domain), and Secure exactly when `secure`.
 */
export function expectCookieAttributes(cookie: SetCookie, { secure, maxAge }: { secure: boolean; maxAge: number }) {
  expect(cookie.attributes, cookie.line).toMatchObject({ httponly: true, samesite: 'Lax', path: '/' });
  expect(cookie.attributes['max-age'], cookie.line).toBe(String(maxAge));
  expect(cookie.attributes.domain, cookie.line).toBeUndefined();
  expect(cookie.attributes.expires, cookie.line).toBeUndefined();
  expect(cookie.attributes.secure === true, cookie.line).toBe(secure);
}

/** No device token anywhere in the answer's body: it lives in the HttpOnly cookie only. */
export function expectNoTokenInBody(exchange: Pick<Exchange, 'text'>, token?: string) {
  expect(exchange.text).not.toMatch(/d1\.[A-Za-z0-9_-]{20,}/);
  if (token) expect(exchange.text).not.toContain(token);
}
