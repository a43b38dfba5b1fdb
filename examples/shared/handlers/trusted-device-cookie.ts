import type { ExampleRequest } from './route.js';

/**
 * The trusted-browser cookie ("Trust this browser for 30 days"): it holds the SDK's device token, shown once by
 * `verifySecondFactor` and never in a response body, so the page's script never sees it.
 *
 * - `HttpOnly`: a script on the page (an XSS) cannot read the token and carry it to another browser.
 * - `SameSite=Lax`: another site can link here but cannot make a background POST /login that carries it.
 * - `Path=/`, host-only (no `Domain`): sent to this server only, for every route (only /login reads it).
 * - `Max-Age` = the SDK's `trustedDeviceTtlMs`, whose expiry is the one that counts (the store's); the cookie going
 *   at the same time only saves a dead token being sent.
 * - `Secure` when the request came over HTTPS (`ExampleRequest.secure`: the TLS socket or the runtime's `https:`
 *   URL, never a header a client can write). Then the name also takes the `__Host-` prefix, with which the browser
 *   itself refuses the cookie unless it is Secure, host-only and on `/`: a sibling subdomain cannot plant or shadow
 *   one. Over plain HTTP (the demo on 127.0.0.1) neither is possible, so the plain name is used there.
 */
export const TRUSTED_DEVICE_COOKIE = 'mfa_trusted_device';

/** The cookie's name for this request's scheme (see above). */
export function trustedDeviceCookieName(request: Pick<ExampleRequest, 'secure'>): string {
  return request.secure === true ? `__Host-${TRUSTED_DEVICE_COOKIE}` : TRUSTED_DEVICE_COOKIE;
}

/**
 * The device token this browser sent, or undefined (none, or the name sent twice: ambiguous, so neither is used,
 * as cookie.ts decides). Passed to the SDK as it is: the SDK hashes a string of the wrong shape to no candidate,
 * in the same single store round trip, so a forged value learns nothing and costs the same.
 */
export function trustedDeviceTokenOf(request: Pick<ExampleRequest, 'secure' | 'cookie'>): string | undefined {
  return request.cookie(trustedDeviceCookieName(request));
}

/** `Set-Cookie` for a new device token, kept `maxAgeMs` (rounded down to whole seconds, as the header counts). */
export function trustedDeviceCookie(
  request: Pick<ExampleRequest, 'secure'>,
  deviceToken: string,
  maxAgeMs: number,
): Record<string, string> {
  // The token is base64url (`d1.` + 43 characters): nothing in it needs quoting or encoding in a cookie.
  return { 'Set-Cookie': cookieLine(request, deviceToken, Math.floor(maxAgeMs / 1000)) };
}

/** `Set-Cookie` that removes the cookie (Max-Age=0), with the same attributes so the browser matches it. */
export function clearedTrustedDeviceCookie(request: Pick<ExampleRequest, 'secure'>): Record<string, string> {
  return { 'Set-Cookie': cookieLine(request, '', 0) };
}

function cookieLine(request: Pick<ExampleRequest, 'secure'>, value: string, maxAgeSeconds: number): string {
  const secure = request.secure === true ? '; Secure' : '';
  return `${trustedDeviceCookieName(request)}=${value}; Max-Age=${maxAgeSeconds}; Path=/; HttpOnly; SameSite=Lax${secure}`;
}
