import { describe, expect, it } from 'vitest';
import { MfaUnauthorizedError, MfaValidationError } from '../src/index.js';
import { useFakeSaasus } from './support/fake-saasus.js';

const { fake, clock, provider } = useFakeSaasus();

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));

describe('SaaSus sign-in: the credentials API', () => {
  it('exchanges a temporary code for ID, access and refresh tokens, with one signed GET', async () => {
    const user = fake.addUser({ email: 'alice@example.com' });
    const code = fake.issueTemporaryCode(user.id);
    const tokens = await provider().exchangeTemporaryCode(code, { referer: '/callback' });

    expect(Object.keys(tokens).sort()).toEqual(['accessToken', 'idToken', 'refreshToken']);
    expect(claimsOf(tokens.idToken)).toMatchObject({ sub: user.id, email: 'alice@example.com' });
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request).toMatchObject({ operation: 'exchangeTemporaryCode', method: 'GET', signatureValid: true });
    expect(request!.url).toBe(`/v1/auth/credentials?code=${code}&auth-flow=tempCodeAuth`);
    expect(request!.headers['x-saasus-referer']).toBe('/callback');
    // The tokens work where the front end uses them next.
    expect(await provider().getUserInfo(tokens.idToken)).toMatchObject({ id: user.id });
    const setup = await provider().createSecret(user, { accessToken: tokens.accessToken });
    expect(setup.secret).toMatch(/^[A-Z2-7]+$/);
  });

  it('refreshes: a new ID and access token for the refresh token, which stays valid', async () => {
    const user = fake.addUser();
    const { refreshToken, idToken } = await provider().exchangeTemporaryCode(fake.issueTemporaryCode(user.id));
    clock.advance(2 * 60 * 60_000);
    await expect(provider().getUserInfo(idToken)).rejects.toMatchObject({ reason: 'rejected_id_token' });

    const refreshed = await provider().refreshSession(refreshToken);
    expect(Object.keys(refreshed).sort()).toEqual(['accessToken', 'idToken']);
    expect(claimsOf(refreshed.idToken).exp * 1000).toBeGreaterThan(clock.nowMs());
    expect(await provider().getUserInfo(refreshed.idToken)).toMatchObject({ id: user.id });
    expect(fake.requests.at(-2)!.url).toBe(
      `/v1/auth/credentials?auth-flow=refreshTokenAuth&refresh-token=${encodeURIComponent(refreshToken)}`,
    );
    await expect(provider().refreshSession(refreshToken)).resolves.toHaveProperty('idToken');
  });

  it('a temporary code is single-use: the second exchange is rejected_temporary_code', async () => {
    const user = fake.addUser();
    const code = fake.issueTemporaryCode(user.id);
    await provider().exchangeTemporaryCode(code);
    const error = await provider()
      .exchangeTemporaryCode(code)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MfaUnauthorizedError);
    expect(error).toMatchObject({ status: 401, code: 'unauthorized', reason: 'rejected_temporary_code' });
  });

  it('an expired temporary code is rejected_temporary_code', async () => {
    const user = fake.addUser();
    const code = fake.issueTemporaryCode(user.id);
    clock.advance(10_000);
    await expect(provider().exchangeTemporaryCode(code)).rejects.toMatchObject({
      name: 'MfaUnauthorizedError',
      reason: 'rejected_temporary_code',
    });
  });

  it('a revoked or unknown refresh token is rejected_refresh_token', async () => {
    const user = fake.addUser();
    const { refreshToken } = await provider().exchangeTemporaryCode(fake.issueTemporaryCode(user.id));
    fake.revokeRefreshTokens(user.id);
    for (const token of [refreshToken, 'refresh.unknown']) {
      await expect(provider().refreshSession(token)).rejects.toMatchObject({
        name: 'MfaUnauthorizedError',
        status: 401,
        reason: 'rejected_refresh_token',
      });
    }
  });

  it.each([
    ['empty', ''],
    ['too long', 'a'.repeat(513)],
    ['a control character', 'abc\u0000def'],
    ['a newline', 'abc\ndef'],
    ['a space', 'abc def'],
    ['a query separator', 'abc&auth-flow=refreshTokenAuth'],
    ['not a string', 42 as unknown as string],
  ])('a temporary code that is %s is MfaValidationError before any request', async (_label, code) => {
    const error = await provider()
      .exchangeTemporaryCode(code)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MfaValidationError);
    expect(error).toMatchObject({ status: 400, field: 'code' });
    expect(fake.requests).toEqual([]);
  });

  it.each([
    ['empty', '', 'missing_refresh_token'],
    ['not a string', undefined as unknown as string, 'missing_refresh_token'],
    ['too long', 'a'.repeat(8193), 'rejected_refresh_token'],
    ['a control character', 'abc\u007fdef', 'rejected_refresh_token'],
    ['a query separator', 'abc&code=1', 'rejected_refresh_token'],
  ])('a refresh token that is %s is MfaUnauthorizedError before any request', async (_label, token, reason) => {
    await expect(provider().refreshSession(token)).rejects.toMatchObject({ name: 'MfaUnauthorizedError', reason });
    expect(fake.requests).toEqual([]);
  });

  it('a 200 without the tokens is MfaProviderError invalid_response, not retryable', async () => {
    const user = fake.addUser();
    fake.failNext('exchangeTemporaryCode', { status: 200, body: { id_token: 'x', access_token: 'y' } });
    await expect(provider().exchangeTemporaryCode(fake.issueTemporaryCode(user.id))).rejects.toMatchObject({
      name: 'MfaProviderError',
      type: 'invalid_response',
      retryable: false,
    });
    fake.failNext('refreshSession', { status: 200, body: { id_token: '' } });
    await expect(provider().refreshSession('refresh.x')).rejects.toMatchObject({ type: 'invalid_response' });
  });
});
