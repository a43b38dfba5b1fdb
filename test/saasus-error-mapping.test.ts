import { describe, expect, it } from 'vitest';
import {
  MfaConflictError,
  MfaInvalidCodeError,
  MfaNotFoundError,
  MfaProviderError,
  MfaRateLimitedError,
  MfaUnauthorizedError,
} from '../src/index.js';
import type { FakeSaasusFailure, FakeSaasusOperation } from '../src/testing/saasus/index.js';
import { useFakeSaasus } from './support/fake-saasus.js';

const { fake, client, provider, authenticator } = useFakeSaasus();

/** Sets up a user with a pending secret, then runs one operation after queuing `failure` for it. */
async function failing(operation: FakeSaasusOperation, failure: FakeSaasusFailure) {
  const user = fake.addUser();
  const mfa = client({ maxRetries: 0 });
  const ctx = { accessToken: user.accessToken };
  const setup = await mfa.createSetup(user, ctx);
  fake.failNext(operation, failure);
  const run: Record<FakeSaasusOperation, () => Promise<unknown>> = {
    getPreference: () => mfa.getStatus(user),
    updatePreference: () => mfa.enable(user),
    createSecretCode: () => mfa.createSetup(user, ctx),
    registerSoftwareToken: () => mfa.verify(user, authenticator.code(setup.secret), ctx),
    getUserInfo: () => provider().getUserInfo(user.idToken),
    exchangeTemporaryCode: () => provider().exchangeTemporaryCode(fake.issueTemporaryCode(user.id)),
    refreshSession: () => provider().refreshSession('refresh.unknown'),
  };
  return run[operation]().then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('SaaSus failures map to typed errors (one table)', () => {
  it('a wrong code answered 400 CodeMismatchException is MfaInvalidCodeError', async () => {
    const error = await failing('registerSoftwareToken', {
      status: 400,
      body: { type: 'CodeMismatchException', message: 'Invalid code received for user' },
    });
    expect(error).toBeInstanceOf(MfaInvalidCodeError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_code', reason: 'mismatch' });
  });

  it('a wrong code answered 500 with a code-mismatch type is still MfaInvalidCodeError', async () => {
    const error = await failing('registerSoftwareToken', {
      status: 500,
      body: { type: 'CodeMismatchException', message: 'x' },
    });
    expect(error).toBeInstanceOf(MfaInvalidCodeError);
  });

  it('a wrong code answered 500 with only a code-mismatch message is still MfaInvalidCodeError', async () => {
    const error = await failing('registerSoftwareToken', {
      status: 500,
      body: { type: 'internal_server_error', message: 'Code mismatch and fail enable Software Token MFA' },
    });
    expect(error).toBeInstanceOf(MfaInvalidCodeError);
  });

  it('a rejected access token is MfaUnauthorizedError', async () => {
    const error = await failing('createSecretCode', {
      status: 401,
      body: { type: 'NotAuthorizedException', message: 'Access Token has expired' },
    });
    expect(error).toBeInstanceOf(MfaUnauthorizedError);
    expect(error).toMatchObject({ status: 401, reason: 'rejected_access_token' });
  });

  it('an expired access token reported as a 500 with NotAuthorizedException is MfaUnauthorizedError', async () => {
    const error = await failing('registerSoftwareToken', {
      status: 500,
      body: { type: 'NotAuthorizedException', message: 'Access Token has expired' },
    });
    expect(error).toBeInstanceOf(MfaUnauthorizedError);
  });

  it('a 401 on a call signed only with the API key is a provider (credentials) error, not the user’s fault', async () => {
    const error = await failing('getPreference', {
      status: 401,
      body: { type: 'Unauthorized', message: 'bad signature' },
    });
    expect(error).toBeInstanceOf(MfaProviderError);
    expect(error).toMatchObject({ status: 502, upstreamStatus: 401, retryable: false });
    expect((error as Error).message).toMatch(/SAASUS_SECRET_KEY/);
  });

  it('429 with Retry-After is MfaRateLimitedError with retryAfterMs', async () => {
    const error = await failing('registerSoftwareToken', {
      status: 429,
      body: { type: 'TooManyRequestsException', message: 'slow down' },
      headers: { 'Retry-After': '7' },
    });
    expect(error).toBeInstanceOf(MfaRateLimitedError);
    expect(error).toMatchObject({ status: 429, retryAfterMs: 7000 });
  });

  it('a limit-exceeded type at 400 is MfaRateLimitedError', async () => {
    const error = await failing('registerSoftwareToken', {
      status: 400,
      body: { type: 'LimitExceededException', message: 'Attempt limit exceeded' },
    });
    expect(error).toBeInstanceOf(MfaRateLimitedError);
  });

  it('an unknown user is MfaNotFoundError', async () => {
    const error = await failing('getPreference', {
      status: 404,
      body: { type: 'UserNotFoundException', message: 'user not found' },
    });
    expect(error).toBeInstanceOf(MfaNotFoundError);
  });

  it('enabling before a verified setup is MfaConflictError not_verified', async () => {
    const user = fake.addUser();
    await expect(client().enable(user)).rejects.toMatchObject({
      name: 'MfaConflictError',
      code: 'not_verified',
      status: 409,
    });
    await expect(client().enable(user)).rejects.toBeInstanceOf(MfaConflictError);
  });

  it('a 503 is MfaProviderError with upstream status, type and trace id', async () => {
    const error = await failing('updatePreference', {
      status: 503,
      body: { type: 'ServiceUnavailable', message: 'down' },
      headers: { 'X-SaaSus-Trace-Id': 'trace-123' },
    });
    expect(error).toBeInstanceOf(MfaProviderError);
    expect(error).toMatchObject({
      status: 502,
      upstreamStatus: 503,
      type: 'upstream',
      upstreamType: 'ServiceUnavailable',
      traceId: 'trace-123',
      retryable: true,
    });
  });

  it('a 502 with no body is MfaProviderError', async () => {
    expect(await failing('getPreference', { status: 502 })).toMatchObject({
      name: 'MfaProviderError',
      upstreamStatus: 502,
    });
  });

  it('an HTML error page instead of JSON is MfaProviderError', async () => {
    const error = await failing('getPreference', {
      status: 500,
      text: '<html><body>Internal Server Error</body></html>',
    });
    expect(error).toMatchObject({
      name: 'MfaProviderError',
      upstreamStatus: 500,
      type: 'upstream',
      upstreamType: undefined,
    });
  });

  it('a 200 with a malformed body is MfaProviderError invalid_response', async () => {
    expect(
      await failing('getPreference', { status: 200, text: '{"enabled": tru', contentType: 'application/json' }),
    ).toMatchObject({
      name: 'MfaProviderError',
      type: 'invalid_response',
    });
    expect(await failing('getPreference', { status: 200, body: { enabled: 'yes' } })).toMatchObject({
      type: 'invalid_response',
    });
    expect(await failing('createSecretCode', { status: 201, body: { secret_code: 'not base32!' } })).toMatchObject({
      type: 'invalid_response',
    });
  });

  it('a connection reset is MfaProviderError network', async () => {
    expect(await failing('updatePreference', { network: 'reset' })).toMatchObject({
      name: 'MfaProviderError',
      type: 'network',
      retryable: true,
    });
  });

  it('a rejected ID token on userinfo is MfaUnauthorizedError', async () => {
    await expect(provider().getUserInfo('id.not-a-real-token')).rejects.toMatchObject({
      name: 'MfaUnauthorizedError',
      reason: 'rejected_id_token',
    });
  });

  it('a wrong secret key (bad signature) is a provider error naming the credentials', async () => {
    const user = fake.addUser();
    await expect(client({ secretKey: 'wrong', maxRetries: 0 }).getStatus(user)).rejects.toMatchObject({
      name: 'MfaProviderError',
      upstreamStatus: 401,
    });
    expect(fake.requests[0]?.signatureValid).toBe(false);
  });
});
