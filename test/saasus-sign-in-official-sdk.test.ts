import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SaasusMfaProvider } from '../src/saasus/index.js';
import { FAKE_BASE_URL, useFakeSaasus } from './support/fake-saasus.js';
import { createOfficialSdkLookalike } from './support/official-sdk-lookalike.js';

const { fake, clock } = useFakeSaasus();

/** The provider over the official SDK's objects only: no SaaSus credentials, so no built-in transport. */
function sdkProvider() {
  const sdk = createOfficialSdkLookalike({ ...fake.credentials, baseUrl: FAKE_BASE_URL, now: clock.now });
  return new SaasusMfaProvider({ ...sdk, env: {}, maxRetries: 0 });
}

describe('SaaSus sign-in through the official SDK’s CredentialApi, accepted by shape', () => {
  it('exchanges a temporary code and refreshes through credentialApi.getAuthCredentials', async () => {
    const user = fake.addUser();
    const code = fake.issueTemporaryCode(user.id);
    const tokens = await sdkProvider().exchangeTemporaryCode(code);
    expect(Object.keys(tokens).sort()).toEqual(['accessToken', 'idToken', 'refreshToken']);
    const refreshed = await sdkProvider().refreshSession(tokens.refreshToken);
    expect(Object.keys(refreshed).sort()).toEqual(['accessToken', 'idToken']);
    expect(fake.requests.map(({ operation, signatureValid }) => [operation, signatureValid])).toEqual([
      ['exchangeTemporaryCode', true],
      ['refreshSession', true],
    ]);
    expect(fake.requests[0]!.url).toBe(`/v1/auth/credentials?code=${code}&auth-flow=tempCodeAuth`);
  });

  it('maps its AxiosError rejections like the built-in transport’s, keeping no code or token', async () => {
    const user = fake.addUser();
    const code = fake.issueTemporaryCode(user.id);
    await sdkProvider().exchangeTemporaryCode(code);
    const error = await sdkProvider()
      .exchangeTemporaryCode(code)
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'MfaUnauthorizedError', reason: 'rejected_temporary_code' });
    expect(inspect(error, { depth: Infinity, showHidden: true }) + JSON.stringify(error)).not.toContain(code);
    await expect(sdkProvider().refreshSession('refresh.nope')).rejects.toMatchObject({
      reason: 'rejected_refresh_token',
    });
  });
});
