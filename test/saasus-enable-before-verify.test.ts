import { describe, expect, it } from 'vitest';
import { MfaConflictError } from '../src/index.js';
import { useFakeSaasus } from './support/fake-saasus.js';

const { fake, client } = useFakeSaasus();

// SaaSus (Cognito's SetUserMFAPreference) refuses to enable the authenticator app before one was registered with a
// 400 EnableSoftwareTokenMFAException, "No software token registered". That is the documented 409 not_verified.
describe('enable before verify on SaaSus is 409 not_verified, not a provider error', () => {
  it('the fake answers as SaaSus does, and the app gets MfaConflictError not_verified', async () => {
    const user = fake.addUser();
    const error = await client()
      .enable(user)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MfaConflictError);
    expect(error).toMatchObject({ status: 409, code: 'not_verified' });
    expect(fake.requests.at(-1)).toMatchObject({ operation: 'updatePreference', method: 'PATCH' });
    expect(fake.mfaState(user.id)).toMatchObject({ enabled: false });
  });

  it.each([
    ['400 EnableSoftwareTokenMFAException', 400, 'EnableSoftwareTokenMFAException', 'No software token registered'],
    ['a 400 of any other type', 400, 'InvalidParameterException', 'whatever'],
    ['a 500 EnableSoftwareTokenMFAException', 500, 'EnableSoftwareTokenMFAException', 'x'],
    ['a 500 saying no software token is registered', 500, 'internal_server_error', 'No software token registered'],
  ])('%s on the enable call is not_verified', async (_label, status, type, message) => {
    const user = fake.addUser();
    fake.failNext('updatePreference', { status, body: { type, message } });
    await expect(client({ maxRetries: 0 }).enable(user)).rejects.toMatchObject({
      name: 'MfaConflictError',
      code: 'not_verified',
    });
  });

  it('a 400 on the disable call stays a provider error: only enabling depends on a verified setup', async () => {
    const user = fake.addUser();
    fake.failNext('updatePreference', { status: 400, body: { type: 'InvalidParameterException', message: 'x' } });
    await expect(client({ maxRetries: 0 }).disable(user)).rejects.toMatchObject({
      name: 'MfaProviderError',
      upstreamStatus: 400,
    });
  });

  it('a 400 on enabling e-mail MFA stays a provider error: e-mail has no authenticator to verify', async () => {
    const user = fake.addUser();
    const body = { type: 'InvalidParameterException', message: 'custom domain is not configured' };
    fake.failNext('updatePreference', { status: 400, body });
    await expect(client({ maxRetries: 0 }).enable(user, { method: 'email' })).rejects.toMatchObject({
      name: 'MfaProviderError',
      upstreamStatus: 400,
    });
  });
});
