import type { Page, Request } from 'playwright-core';
import { createFakeAuthenticator, systemClock } from 'saasus-mfa/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, chromiumAvailable, launchChromium } from './support/browser.js';
import { EXAMPLE_APPS, type RunningApp, listen } from './support/example-apps.js';
import { useFakeSaasus } from './support/fake-saasus.js';
import { saasusFrontEnd } from './support/saasus-front-end.js';

/**
 * The official SaaSus sample front end's sign-in and MFA dialog, played in headless Chromium from an origin of its
 * own against both example apps in SaaSus mode (the fake SaaSus behind msw, on the real clock): the callback
 * exchanges the temporary code, /userinfo routes by role, the dialog runs setup → verify → enable, and an expired
 * ID token makes it call /refresh with the SaaSusRefreshToken cookie it wrote itself.
 */
const ID_TOKEN_MS = 5_000;
const { fake, client, provider } = useFakeSaasus({ clock: systemClock, lifetimes: { idTokenMs: ID_TOKEN_MS } });
const authenticator = createFakeAuthenticator();
const canRun = chromiumAvailable();
const TENANT = {
  id: 'tenant-acme',
  name: 'Acme',
  envs: [{ id: 1, name: 'dev', display_name: 'Development', roles: [{ role_name: 'admin', display_name: 'Admin' }] }],
};

interface Seen {
  method: string;
  path: string;
  headers: Record<string, string>;
}

describe.skipIf(!canRun).each(EXAMPLE_APPS)('the SaaSus sample front end in Chromium against $name', ({ create }) => {
  let app: RunningApp;
  let frontEnd: RunningApp;
  let browser: Browser;
  const seen: Seen[] = [];

  beforeAll(async () => {
    frontEnd = await listen(saasusFrontEnd);
    const now = systemClock.now;
    app = await listen(create({ mfa: client({ now }), provider: provider({ now }), corsOrigin: frontEnd.url }));
    browser = await launchChromium();
    browser.context.on('request', (request: Request) => {
      if (!request.url().startsWith(`${app.url}/`) || request.method() === 'OPTIONS') return;
      void request.allHeaders().then((headers) => {
        const url = new URL(request.url());
        seen.push({ method: request.method(), path: url.pathname + url.search, headers });
      });
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await frontEnd?.close();
  });

  it('signs in, routes by role, runs the MFA dialog, refreshes an expired ID token and falls back to login', async () => {
    const user = fake.addUser({ email: 'alice@example.com', tenants: [TENANT] });
    const page = await browser.context.newPage();
    await page.goto(`${frontEnd.url}/callback?api=${encodeURIComponent(app.url)}`);

    // The login callback: tokens stored where the sample stores them, then routed by tenants[0].envs[0].roles[0].
    const routed = await page.evaluate(
      (code) => (globalThis as unknown as InPage).frontEnd.callback(code),
      fake.issueTemporaryCode(user.id),
    );
    expect(routed).toEqual({ status: 200, path: '/admin/toppage?tenant_id=tenant-acme', email: 'alice@example.com' });
    const stored = await storage(page);
    expect(stored.idToken.split('.')).toHaveLength(3);
    expect(stored.accessToken).toMatch(/^access\./);
    const cookie = (await browser.context.cookies(app.url)).find(({ name }) => name === 'SaaSusRefreshToken');
    expect(cookie?.value).toMatch(/^refresh\./);

    // The MFA dialog.
    const dialog = (method: string, path: string, options: { withAccessToken?: boolean; body?: unknown } = {}) =>
      page.evaluate(([m, p, o]) => (globalThis as unknown as InPage).frontEnd.mfa(m, p, o), [
        method,
        path,
        options,
      ] as const);
    expect(await dialog('GET', '/mfa_status')).toEqual({ status: 200, body: { enabled: false, method: null } });
    const setup = await dialog('GET', '/mfa_setup', { withAccessToken: true });
    expect(setup.status).toBe(200);
    const secret = new URL((setup.body as { qrCodeUrl: string }).qrCodeUrl).searchParams.get('secret')!;
    const verification_code = authenticator.code(secret);
    expect(await dialog('POST', '/mfa_verify', { withAccessToken: true, body: { verification_code } })).toMatchObject({
      status: 200,
    });
    expect(await dialog('POST', '/mfa_enable', { body: {} })).toMatchObject({ status: 200 });

    // The ID token expires: the next call refreshes it first, with the cookie, then goes on with the new token.
    await waitPastExpiry(page, stored.idToken);
    expect(await dialog('GET', '/mfa_status')).toEqual({
      status: 200,
      body: { enabled: true, method: 'softwareToken' },
    });
    const refreshed = await storage(page);
    expect(refreshed.idToken).not.toBe(stored.idToken);
    expect(refreshed.accessToken).not.toBe(stored.accessToken);

    // A refresh token that no longer works (signed out everywhere): the login page, not an error.
    fake.revokeRefreshTokens(user.id);
    await waitPastExpiry(page, refreshed.idToken);
    expect(await dialog('GET', '/mfa_status')).toEqual({ status: 'login' });

    // What reached the app, with the sample's headers. A slow machine may refresh once more mid-flow: allowed.
    await expect.poll(() => seen.filter(({ path }) => path === '/refresh').length).toBeGreaterThanOrEqual(2);
    const sent = seen.map(({ method, path }) => `${method} ${path.replace(/code=[^&]+/, 'code=…')}`);
    expect(sent.filter((line) => line !== 'GET /refresh')).toEqual([
      'GET /credentials?code=…',
      'GET /userinfo',
      'GET /mfa_status',
      'GET /mfa_setup',
      'POST /mfa_verify',
      'POST /mfa_enable',
      'GET /mfa_status',
    ]);
    expect(sent.at(-1)).toBe('GET /refresh');
    for (const { path, headers } of seen) {
      expect(headers['x-requested-with'], path).toBe('XMLHttpRequest');
      expect(headers.origin, path).toBe(frontEnd.url);
      if (path.startsWith('/credentials')) expect(headers.authorization, path).toBeUndefined();
      if (path === '/refresh') expect(headers.cookie, path).toMatch(/(^|; )SaaSusRefreshToken=refresh\./);
      if (path === '/userinfo' || path.startsWith('/mfa_')) {
        expect(headers.authorization, path).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
        expect(headers['x-saasus-referer'], path).toBe('/callback');
      }
      const access = path === '/mfa_setup' || path === '/mfa_verify';
      expect(headers['x-access-token'] !== undefined, path).toBe(access);
    }
  }, 60_000);
});

async function storage(page: Page) {
  return page.evaluate(() => {
    const { localStorage } = globalThis as unknown as InPage;
    return {
      idToken: localStorage.getItem('SaaSusIdToken') ?? '',
      accessToken: localStorage.getItem('SaaSusAccessToken') ?? '',
    };
  });
}

/** Waits until the front end's token check sees the ID token as expired (its `exp`, half a second early). */
async function waitPastExpiry(page: Page, idToken: string): Promise<void> {
  const exp = JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString('utf8')).exp as number;
  await page.waitForTimeout(Math.max(0, exp * 1000 - 500 - Date.now()) + 50);
}

/** What the page has, as seen from the test (no DOM types here): the stand-in's API and localStorage. */
interface InPage {
  frontEnd: {
    callback(code: string): Promise<unknown>;
    mfa(method: string, path: string, options: object): Promise<{ status: number | string; body?: unknown }>;
  };
  localStorage: { getItem(key: string): string | null };
}
