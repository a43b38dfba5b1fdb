import { describe, expect, it } from 'vitest';
import { saasusAuthorization } from '../src/saasus/signer.js';
import { createFakeAuthenticator, createFixedClock } from '../src/testing/index.js';
import { FAKE_BASE_URL, useFakeSaasus } from './support/fake-saasus.js';

const { fake, clock, server } = useFakeSaasus();

/** Sends a raw request to the fake, signed as if for `signedAs` (method, URL, body) instead of what is sent. */
async function send(
  sent: { method: string; url: string; body?: string },
  signedAs: Partial<{ method: string; url: string; body: string; now: Date }> = {},
) {
  const authorization = saasusAuthorization(fake.credentials, {
    method: signedAs.method ?? sent.method,
    url: signedAs.url ?? sent.url,
    body: signedAs.body ?? sent.body ?? '',
    now: signedAs.now ?? clock.now(),
  });
  const response = await fetch(sent.url, {
    method: sent.method,
    body: sent.body,
    headers: { Authorization: authorization, 'Content-Type': 'application/json' },
  });
  return response.status;
}

describe('test kit: the fake SaaSus checks the signature exactly', () => {
  it('accepts a correctly signed request, from this minute or the one before', async () => {
    const user = fake.addUser();
    const url = `${FAKE_BASE_URL}/v1/auth/users/${user.id}/mfa/preference`;
    expect(await send({ method: 'GET', url })).toBe(200);
    expect(await send({ method: 'GET', url }, { now: new Date(clock.nowMs() - 60_000) })).toBe(200);
  });

  it.each([
    ['host', { url: 'https://api.saasus.io/v1/auth/users/ID/mfa/preference' }],
    ['port', { url: `${FAKE_BASE_URL}:8443/v1/auth/users/ID/mfa/preference` }],
    ['path', { url: `${FAKE_BASE_URL}/v1/auth/users/other/mfa/preference` }],
    ['query', { url: `${FAKE_BASE_URL}/v1/auth/users/ID/mfa/preference?x=1` }],
    ['body', { body: '{"enabled":true}' }],
    ['method', { method: 'PATCH' }],
    ['minute (two minutes old)', { now: new Date(Date.UTC(2025, 0, 2, 15, 2)) }],
  ] as Array<[string, { url?: string; body?: string; method?: string; now?: Date }]>)(
    'refuses a signature made for another %s with 401',
    async (_part, signedAs) => {
      const user = fake.addUser();
      const url = `${FAKE_BASE_URL}/v1/auth/users/${user.id}/mfa/preference`;
      const wrong = { ...signedAs, ...(signedAs.url ? { url: signedAs.url.replace('ID', user.id) } : {}) };
      expect(await send({ method: 'GET', url }, wrong)).toBe(401);
      expect(fake.requests.at(-1)?.signatureValid).toBe(false);
    },
  );

  it('refuses a header with the wrong API key or SaaS id, or not in the exact form', async () => {
    const user = fake.addUser();
    const url = `${FAKE_BASE_URL}/v1/auth/users/${user.id}/mfa/preference`;
    const good = saasusAuthorization(fake.credentials, { method: 'GET', url, body: '', now: clock.now() });
    for (const header of [
      good.replace(fake.credentials.saasId, 'other'),
      good.replace(', APIKey', ',APIKey'),
      good.replace('SAASUSSIGV1', 'Bearer'),
      '',
    ]) {
      expect((await fetch(url, { headers: { Authorization: header } })).status).toBe(401);
    }
  });
});

describe('test kit: fixed clock and fake authenticator', () => {
  it('gives the code for the clock’s time step and moves only when told', () => {
    const fixed = createFixedClock(59_000);
    const authenticator = createFakeAuthenticator(fixed);
    // RFC 6238 Appendix B, SHA1, T = 59 s: 94287082 (8 digits); the last six are the 6-digit code.
    const rfcSecret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    expect(authenticator.code(rfcSecret)).toBe('287082');
    expect(authenticator.codeAt(rfcSecret, 1111111109_000)).toBe('081804');
    fixed.advance(1111111109_000 - 59_000);
    expect(authenticator.code(rfcSecret)).toBe('081804');
  });

  it('checks codes within ±1 step and keeps state per user', async () => {
    const { MfaClient } = await import('../src/index.js');
    const { SaasusMfaProvider } = await import('../src/saasus/index.js');
    const mfa = new MfaClient({
      provider: new SaasusMfaProvider({ ...fake.credentials, baseUrl: FAKE_BASE_URL, now: clock.now, env: {} }),
      issuer: 'Acme',
    });
    const [alice, bob] = [fake.addUser(), fake.addUser()];
    const setup = await mfa.createSetup(alice, { accessToken: alice.accessToken });
    const authenticator = createFakeAuthenticator(clock);
    const previousStep = authenticator.codeAt(setup.secret, clock.nowMs() - 30_000);
    const twoStepsAgo = authenticator.codeAt(setup.secret, clock.nowMs() - 60_000);
    if (twoStepsAgo !== previousStep) {
      await expect(mfa.verify(alice, twoStepsAgo, { accessToken: alice.accessToken })).rejects.toMatchObject({
        code: 'invalid_code',
      });
    }
    await mfa.verify(alice, previousStep, { accessToken: alice.accessToken });
    expect(fake.mfaState(alice.id)).toMatchObject({
      registeredSecret: setup.secret,
      pendingSecret: null,
      enabled: false,
    });
    expect(fake.mfaState(bob.id)).toEqual({
      enabled: false,
      method: null,
      pendingSecret: null,
      registeredSecret: null,
    });
  });
});

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));

/** A signed GET to the fake, as the SDK sends it; answers status and JSON body. */
async function signedGet(pathAndQuery: string) {
  const url = `${FAKE_BASE_URL}/v1/auth${pathAndQuery}`;
  const authorization = saasusAuthorization(fake.credentials, { method: 'GET', url, body: '', now: clock.now() });
  const response = await fetch(url, { headers: { Authorization: authorization } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('test kit: the fake SaaSus issues tokens like SaaSus', () => {
  it('ID tokens are JWT-shaped (HS256 header, base64url JSON payload with sub, email, iat, exp on its clock)', () => {
    const user = fake.addUser({ email: 'jwt@example.com' });
    const [header, , signature] = user.idToken.split('.');
    expect(user.idToken.split('.')).toHaveLength(3);
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(signature).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const nowS = Math.floor(clock.nowMs() / 1000);
    expect(claimsOf(user.idToken)).toMatchObject({
      sub: user.id,
      email: 'jwt@example.com',
      iat: nowS,
      exp: nowS + 3600,
    });
  });

  it('/userinfo accepts its ID token until exp on the fake’s clock, and refuses a forged or expired one', async () => {
    const user = fake.addUser();
    expect((await signedGet(`/userinfo?token=${user.idToken}`)).status).toBe(200);
    const [header, payload, signature] = user.idToken.split('.') as [string, string, string];
    const forgedPayload = Buffer.from(JSON.stringify({ ...claimsOf(user.idToken), exp: 9_999_999_999 })).toString(
      'base64url',
    );
    expect((await signedGet(`/userinfo?token=${header}.${forgedPayload}.${signature}`)).status).toBe(401);
    expect((await signedGet(`/userinfo?token=${header}.${payload}.${signature.slice(1)}A`)).status).toBe(401);
    clock.advance(3600_000);
    expect((await signedGet(`/userinfo?token=${user.idToken}`)).status).toBe(401);
    expect((await signedGet(`/userinfo?token=${fake.issueIdToken(user.id)}`)).status).toBe(200);
  });

  it('serves the credentials API: a temporary code once, within its lifetime; refresh tokens many times', async () => {
    const user = fake.addUser();
    const code = fake.issueTemporaryCode(user.id);
    const signedIn = await signedGet(`/credentials?code=${code}&auth-flow=tempCodeAuth`);
    expect(signedIn.status).toBe(200);
    expect(Object.keys(signedIn.body).sort()).toEqual(['access_token', 'id_token', 'refresh_token']);
    expect(claimsOf(String(signedIn.body.id_token)).sub).toBe(user.id);
    expect(await signedGet(`/credentials?code=${code}&auth-flow=tempCodeAuth`)).toMatchObject({
      status: 401,
      body: { type: 'NotAuthorizedException' },
    });
    const late = fake.issueTemporaryCode(user.id);
    clock.advance(10_000);
    expect((await signedGet(`/credentials?code=${late}&auth-flow=tempCodeAuth`)).status).toBe(401);

    const refresh = `/credentials?auth-flow=refreshTokenAuth&refresh-token=${String(signedIn.body.refresh_token)}`;
    for (let i = 0; i < 2; i += 1) {
      const refreshed = await signedGet(refresh);
      expect(refreshed.status).toBe(200);
      expect(Object.keys(refreshed.body).sort()).toEqual(['access_token', 'id_token']);
    }
    fake.revokeRefreshTokens(user.id);
    expect((await signedGet(refresh)).status).toBe(401);
    expect((await signedGet('/credentials?auth-flow=password')).status).toBe(400);
    expect(() => fake.issueTemporaryCode('nobody')).toThrow(/no user/);
  });

  it('answers a rejected code or refresh token with the status it is told to (SaaSus may send a 4xx or a 500)', async () => {
    const { createFakeSaasus } = await import('../src/testing/saasus/index.js');
    const other = createFakeSaasus({ baseUrl: 'https://other.saasus.test', credentialsRejectedStatus: 500, clock });
    server.use(...other.handlers);
    const url = 'https://other.saasus.test/v1/auth/credentials?code=nope&auth-flow=tempCodeAuth';
    const authorization = saasusAuthorization(other.credentials, { method: 'GET', url, body: '', now: clock.now() });
    const response = await fetch(url, { headers: { Authorization: authorization } });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ type: 'NotAuthorizedException' });
  });
});
