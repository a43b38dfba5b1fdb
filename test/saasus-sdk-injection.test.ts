import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MfaClient, MfaConfigurationError, MfaInvalidCodeError, MfaUnauthorizedError } from '../src/index.js';
import { SaasusMfaProvider } from '../src/saasus/index.js';
import { FAKE_BASE_URL, useFakeSaasus } from './support/fake-saasus.js';
import { createOfficialSdkLookalike } from './support/official-sdk-lookalike.js';

const { fake, clock, authenticator } = useFakeSaasus();

function official() {
  return createOfficialSdkLookalike({ ...fake.credentials, baseUrl: FAKE_BASE_URL, now: clock.now });
}

describe('the official SDK’s SaasUserApi, injected by structure', () => {
  it('runs the whole lifecycle through the injected object, without credentials of its own', async () => {
    const { saasUserApi, userInfoApi } = official();
    const provider = new SaasusMfaProvider({ saasUserApi, userInfoApi, env: {} });
    const mfa = new MfaClient({ provider, issuer: 'Acme' });
    const alice = fake.addUser({ email: 'alice@example.com' });
    const me = await provider.getUserInfo(alice.idToken);
    expect(me).toMatchObject({ id: alice.id, email: 'alice@example.com' });

    const ctx = { accessToken: alice.accessToken };
    const setup = await mfa.createSetup(me, ctx);
    await expect(
      mfa.verify(me, '000000' === authenticator.code(setup.secret) ? '111111' : '000000', ctx),
    ).rejects.toBeInstanceOf(MfaInvalidCodeError);
    await mfa.verify(me, authenticator.code(setup.secret), ctx);
    await mfa.enable(me);
    expect(await mfa.getStatus(me)).toEqual({ enabled: true, method: 'softwareToken' });
    expect(fake.requests.every((request) => request.signatureValid)).toBe(true);
  });

  it('maps the AxiosError it rejects with, and keeps no axios error (with its signed headers) as cause', async () => {
    const { saasUserApi } = official();
    const mfa = new MfaClient({ provider: new SaasusMfaProvider({ saasUserApi, env: {} }), issuer: 'Acme' });
    const alice = fake.addUser();
    const error = await mfa.createSetup(alice, { accessToken: 'not-alices-token' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MfaUnauthorizedError);
    const said = inspect(error, { depth: Infinity, showHidden: true }) + JSON.stringify(error);
    expect(said).not.toContain('SAASUSSIGV1');
    expect(said).not.toContain('not-alices-token');
    expect(said).not.toContain(fake.credentials.apiKey);
  });

  it('refuses an object that lacks one of the four methods', () => {
    const { saasUserApi } = official();
    const { createSecretCode: _missing, ...partial } = saasUserApi;
    expect(() => new SaasusMfaProvider({ saasUserApi: partial as never, env: {} })).toThrow(MfaConfigurationError);
  });

  it('says how to get userinfo when neither userInfoApi nor credentials are given', async () => {
    const { saasUserApi } = official();
    await expect(new SaasusMfaProvider({ saasUserApi, env: {} }).getUserInfo('id.token')).rejects.toBeInstanceOf(
      MfaConfigurationError,
    );
  });
});
