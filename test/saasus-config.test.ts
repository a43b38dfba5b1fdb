import { describe, expect, it } from 'vitest';
import { MfaConfigurationError } from '../src/index.js';
import { SaasusMfaProvider } from '../src/saasus/index.js';
import { FAKE_BASE_URL, useFakeSaasus } from './support/fake-saasus.js';

const { fake, clock } = useFakeSaasus();
const full = { SAASUS_SAAS_ID: 'id', SAASUS_API_KEY: 'key', SAASUS_SECRET_KEY: 'secret' };

describe('SaasusMfaProvider configuration', () => {
  it.each(['SAASUS_SAAS_ID', 'SAASUS_API_KEY', 'SAASUS_SECRET_KEY'])(
    'names %s when it is missing, at construction',
    (variable) => {
      const env: Record<string, string | undefined> = { ...full, [variable]: undefined };
      expect(() => new SaasusMfaProvider({ env })).toThrow(MfaConfigurationError);
      expect(() => new SaasusMfaProvider({ env })).toThrow(variable);
      expect(() => new SaasusMfaProvider({ env: { ...full, [variable]: '  ' } })).toThrow(variable);
    },
  );

  it('never puts a credential value in a configuration error', () => {
    try {
      new SaasusMfaProvider({ env: { SAASUS_SAAS_ID: 'id-value', SAASUS_API_KEY: 'key-value' } });
    } catch (error) {
      expect(String(error)).not.toMatch(/id-value|key-value/);
    }
  });

  it('reads credentials and SAASUS_API_URL_BASE from the environment by default', async () => {
    const user = fake.addUser();
    const provider = new SaasusMfaProvider({
      env: {
        SAASUS_SAAS_ID: fake.credentials.saasId,
        SAASUS_API_KEY: fake.credentials.apiKey,
        SAASUS_SECRET_KEY: fake.credentials.secretKey,
        SAASUS_API_URL_BASE: `${FAKE_BASE_URL}/`,
      },
      now: clock.now,
    });
    expect(await provider.getStatus(user, {})).toEqual({ enabled: false, method: null });
    expect(fake.requests[0]).toMatchObject({ url: `/v1/auth/users/${user.id}/mfa/preference`, signatureValid: true });
  });

  it('options win over the environment', () => {
    expect(() => new SaasusMfaProvider({ saasId: 'a', apiKey: 'b', secretKey: 'c', env: {} })).not.toThrow();
  });

  it.each([
    [{ baseUrl: 'not a url' }, 'baseUrl'],
    [{ baseUrl: 'ftp://api.saasus.io' }, 'http'],
    [{ timeoutMs: 0 }, 'timeoutMs'],
    [{ maxRetries: -1 }, 'maxRetries'],
    [{ maxRetries: 1.5 }, 'maxRetries'],
  ])('refuses bad option %j', (options, mention) => {
    expect(() => new SaasusMfaProvider({ env: full, ...options })).toThrow(mention);
  });

  it('forwards the end user’s page as Referer and X-SaaSus-Referer, and sends a trace id', async () => {
    const user = fake.addUser();
    const provider = new SaasusMfaProvider({ ...fake.credentials, baseUrl: FAKE_BASE_URL, now: clock.now, env: {} });
    await provider.getStatus(user, { referer: '/settings/security' });
    expect(fake.requests[0]?.headers).toMatchObject({
      referer: '/settings/security',
      'x-saasus-referer': '/settings/security',
      'content-type': 'application/json',
    });
    expect(fake.requests[0]?.headers['x-saasus-trace-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('e-mail method and userinfo', () => {
  it('enables the e-mail method without setup or verify, and reports it', async () => {
    const user = fake.addUser();
    const provider = new SaasusMfaProvider({ ...fake.credentials, baseUrl: FAKE_BASE_URL, now: clock.now, env: {} });
    const { MfaClient } = await import('../src/index.js');
    const mfa = new MfaClient({ provider, issuer: 'Acme' });
    expect(await mfa.enable(user, { method: 'email' })).toEqual({ enabled: true, method: 'email' });
    expect(await mfa.getStatus(user)).toEqual({ enabled: true, method: 'email' });
    expect(JSON.parse(fake.requests[0]!.body)).toEqual({ enabled: true, method: 'email' });
  });

  it('resolves an ID token to the user; a missing or malformed one is MfaUnauthorizedError without a request', async () => {
    const user = fake.addUser({ email: '', signInId: 'carol' });
    const provider = new SaasusMfaProvider({ ...fake.credentials, baseUrl: FAKE_BASE_URL, now: clock.now, env: {} });
    expect(await provider.getUserInfo(user.idToken)).toEqual({
      id: user.id,
      email: '',
      signInId: 'carol',
      tenants: [],
      attributes: {},
    });
    expect(fake.requests[0]?.url).toBe(`/v1/auth/userinfo?token=${encodeURIComponent(user.idToken)}`);
    for (const token of ['', '   ', undefined, 42, 'has space', 'new\nline', 'x'.repeat(20_000)]) {
      await expect(provider.getUserInfo(token as string)).rejects.toMatchObject({
        name: 'MfaUnauthorizedError',
        status: 401,
      });
    }
    await expect(provider.getUserInfo('')).rejects.toMatchObject({ reason: 'missing_id_token' });
    await expect(provider.getUserInfo('has space')).rejects.toMatchObject({ reason: 'rejected_id_token' });
    await expect(provider.getUserInfo(user.idToken, { referer: 'a\nb' })).rejects.toMatchObject({
      name: 'MfaValidationError',
      field: 'referer',
    });
    expect(fake.requests).toHaveLength(1);
  });
});
