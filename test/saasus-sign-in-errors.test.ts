import { describe, expect, it } from 'vitest';
import type { FakeSaasusFailure } from '../src/testing/saasus/index.js';
import { useFakeSaasus } from './support/fake-saasus.js';

const { fake, provider } = useFakeSaasus();

type Flow = 'exchangeTemporaryCode' | 'refreshSession';

async function failing(flow: Flow, failure: FakeSaasusFailure) {
  const user = fake.addUser();
  const { refreshToken } = await provider().exchangeTemporaryCode(fake.issueTemporaryCode(user.id));
  fake.failNext(flow, failure);
  const sdk = provider({ maxRetries: 0 });
  const call =
    flow === 'exchangeTemporaryCode'
      ? sdk.exchangeTemporaryCode(fake.issueTemporaryCode(user.id))
      : sdk.refreshSession(refreshToken);
  return call.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

const REASON: Record<Flow, string> = {
  exchangeTemporaryCode: 'rejected_temporary_code',
  refreshSession: 'rejected_refresh_token',
};

describe('SaaSus sign-in failures map to typed errors, whatever status SaaSus picks', () => {
  describe.each(['exchangeTemporaryCode', 'refreshSession'] as const)('%s', (flow) => {
    it.each([
      [400, 'NotAuthorizedException', 'Invalid code'],
      [401, 'NotAuthorizedException', 'Refresh Token has expired'],
      [403, 'Forbidden', 'no'],
      [404, 'NotFound', 'no such code'],
      [500, 'NotAuthorizedException', 'Invalid Refresh Token'],
      [500, 'internal_server_error', 'the temporary code has expired'],
      [500, 'InvalidParameterException', 'code is invalid'],
    ])('%i %s is MfaUnauthorizedError with its own reason', async (status, type, message) => {
      const error = await failing(flow, { status, body: { type, message } });
      expect(error).toMatchObject({ name: 'MfaUnauthorizedError', status: 401, reason: REASON[flow] });
    });

    // Retryable for a refresh; never for the single-use code, which the failed request may have redeemed.
    it('a 503 or an unexplained 500 is MfaProviderError, retryable for a refresh only', async () => {
      const retryable = flow === 'refreshSession';
      for (const failure of [{ status: 503 }, { status: 500, body: { type: 'InternalError', message: 'boom' } }]) {
        expect(await failing(flow, failure)).toMatchObject({ name: 'MfaProviderError', status: 502, retryable });
      }
    });

    it('a 429 is MfaRateLimitedError with retryAfterMs', async () => {
      expect(await failing(flow, { status: 429, headers: { 'Retry-After': '7' } })).toMatchObject({
        name: 'MfaRateLimitedError',
        retryAfterMs: 7000,
      });
    });

    it('a refused signature is a provider (credentials) error, not the user’s sign-in', async () => {
      expect(await failing(flow, { status: 401, body: { type: 'InvalidSignature', message: 'x' } })).toMatchObject({
        name: 'MfaProviderError',
        upstreamStatus: 401,
        retryable: false,
      });
    });

    it('a connection reset is MfaProviderError network', async () => {
      expect(await failing(flow, { network: 'reset' })).toMatchObject({ name: 'MfaProviderError', type: 'network' });
    });
  });

  it('without the SaaSus credentials (only the official SDK object) sign-in is a configuration error', async () => {
    const { createOfficialSdkLookalike } = await import('./support/official-sdk-lookalike.js');
    const { SaasusMfaProvider } = await import('../src/saasus/index.js');
    const { saasUserApi } = createOfficialSdkLookalike({
      ...fake.credentials,
      baseUrl: 'https://x',
      now: () => new Date(),
    });
    const sdk = new SaasusMfaProvider({ saasUserApi, env: {} });
    await expect(sdk.exchangeTemporaryCode('abc')).rejects.toMatchObject({ name: 'MfaConfigurationError' });
    await expect(sdk.refreshSession('abc')).rejects.toMatchObject({ name: 'MfaConfigurationError' });
  });
});
