import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXAMPLE_APPS, type RunningApp, listen } from './support/example-apps.js';
import { exampleHttp } from './support/example-http.js';
import { expectSafeResponses } from './support/example-leaks.js';
import { useFakeSaasus } from './support/fake-saasus.js';

/**
 * The sign-in calls of the official SaaSus sample front end (saasus-api.md, "Signing in"), over real HTTP, for both
 * example apps in SaaSus mode: /credentials?code=, /refresh from the SaaSusRefreshToken cookie, /userinfo.
 */
const { fake, client, provider, clock } = useFakeSaasus();
const TENANTS = [
  {
    id: 'tenant-acme',
    name: 'Acme',
    completed_sign_up: true,
    envs: [{ id: 3, name: 'prod', display_name: 'Production', roles: [{ role_name: 'admin', display_name: 'Admin' }] }],
  },
];

describe.each(EXAMPLE_APPS)('$name example app: SaaSus sign-in', ({ create }) => {
  let app: RunningApp;
  const { call, exchanges } = exampleHttp(() => app.url);

  beforeAll(async () => {
    app = await listen(create({ mfa: client(), provider: provider() }));
  });
  afterAll(() => app.close());
  afterEach(() => {
    exchanges.splice(0);
    fake.reset();
  });

  it('signs in with the temporary code, reads /userinfo, refreshes from the cookie after the ID token expired', async () => {
    const user = fake.addUser({ email: 'alice@example.com', tenants: TENANTS });
    const code = fake.issueTemporaryCode(user.id);
    const signedIn = await call(`/credentials?code=${code}`);
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers.get('cache-control')).toBe('no-store');
    const tokens = signedIn.body as { id_token: string; access_token: string; refresh_token: string };
    expect(Object.keys(tokens).sort()).toEqual(['access_token', 'id_token', 'refresh_token']);

    const info = await call('/userinfo', { idToken: tokens.id_token, headers: { 'X-SaaSus-Referer': '/callback' } });
    expect(info).toMatchObject({
      status: 200,
      body: { id: user.id, email: 'alice@example.com', sign_in_id: '', user_attribute: {}, tenants: TENANTS },
    });
    expect(fake.requests.at(-1)?.headers['x-saasus-referer']).toBe('/callback');

    clock.advance(60 * 60_000);
    expect(await call('/userinfo', { idToken: tokens.id_token })).toMatchObject({
      status: 401,
      body: { code: 'unauthorized', reason: 'rejected_id_token' },
    });
    const refreshed = await call('/refresh', { headers: { Cookie: `SaaSusRefreshToken=${tokens.refresh_token}` } });
    expect(refreshed.status).toBe(200);
    const again = refreshed.body as { id_token: string; access_token: string };
    expect(Object.keys(again).sort()).toEqual(['access_token', 'id_token']);
    expect(await call('/userinfo', { idToken: again.id_token })).toMatchObject({ status: 200 });
    // The refreshed access token works for MFA setup.
    expect(await call('/mfa_setup', { idToken: again.id_token, accessToken: again.access_token })).toMatchObject({
      status: 200,
    });
  });

  it('refuses a used, unknown, missing or doubled code, and a missing or rejected refresh cookie, without tokens', async () => {
    const user = fake.addUser();
    const code = fake.issueTemporaryCode(user.id);
    const first = await call(`/credentials?code=${code}`);
    const { refresh_token, id_token, access_token } = first.body as Record<string, string>;
    exchanges.splice(0);
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});

    const reused = { status: 401, body: { code: 'unauthorized', reason: 'rejected_temporary_code' } };
    expect(await call(`/credentials?code=${code}`)).toMatchObject(reused);
    expect(await call('/credentials?code=unknown-code')).toMatchObject(reused);
    for (const query of ['', '?code=', `?code=${code}&code=${code}`, '?code=a%0Ab']) {
      expect(await call(`/credentials${query}`), query).toMatchObject({
        status: 400,
        body: { code: 'invalid_request' },
      });
    }
    expect(await call('/refresh')).toMatchObject({ status: 401, body: { reason: 'missing_refresh_token' } });
    expect(await call('/refresh', { headers: { Cookie: 'SaaSusRefreshToken=refresh.nope' } })).toMatchObject({
      status: 401,
      body: { reason: 'rejected_refresh_token' },
    });
    fake.failNext('refreshSession', { status: 500, body: { type: 'InternalError', message: refresh_token } }, 3);
    expect(await call('/refresh', { headers: { Cookie: `SaaSusRefreshToken=${refresh_token}` } })).toMatchObject({
      status: 502,
      body: { code: 'provider_error' },
    });
    expect(await call('/userinfo')).toMatchObject({ status: 401, body: { reason: 'missing_id_token' } });

    expectSafeResponses(exchanges, { tokens: [code, refresh_token!, id_token!, access_token!], secrets: [] });
    const logged = JSON.stringify(log.mock.calls);
    for (const token of [code, refresh_token!, id_token!, access_token!]) expect(logged).not.toContain(token);
    log.mockRestore();
  });

  it('keeps the sample’s other paths (tenants, users, billing, plans, invitations) 404 JSON', async () => {
    const user = fake.addUser();
    for (const path of ['/tenants', '/users', '/billing', '/plans', '/invitations', '/tenant_attributes']) {
      expect(await call(path, { idToken: user.idToken }), path).toMatchObject({
        status: 404,
        body: { code: 'not_found' },
      });
    }
  });
});
