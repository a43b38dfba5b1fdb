import { describe, expect, it } from 'vitest';
import { saasusAuthorization } from '../src/saasus/signer.js';
import { createFakeAuthenticator, createFixedClock } from '../src/testing/index.js';
import { FAKE_BASE_URL, useFakeSaasus } from './support/fake-saasus.js';

const { fake, clock } = useFakeSaasus();

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
