import { describe, expect, it } from 'vitest';
import { MfaConflictError, MfaInvalidCodeError } from '../src/index.js';
import { useFakeSaasus } from './support/fake-saasus.js';

const { fake, authenticator, client } = useFakeSaasus();

describe('SaaSus lifecycle: status → setup → verify → enable → disable', () => {
  it('runs the whole lifecycle against the fake SaaSus API', async () => {
    const alice = fake.addUser({ email: 'alice@example.com' });
    const mfa = client();
    const user = { id: alice.id, email: alice.email };

    expect(await mfa.getStatus(user)).toEqual({ enabled: false, method: null });

    const setup = await mfa.createSetup(user, { accessToken: alice.accessToken });
    expect(setup.secret).toBe(fake.mfaState(alice.id)?.pendingSecret);
    expect(setup.accountName).toBe('alice@example.com');

    await expect(mfa.enable(user)).rejects.toBeInstanceOf(MfaConflictError);

    const wrong = authenticator.code(setup.secret) === '000000' ? '111111' : '000000';
    await expect(mfa.verify(user, wrong, { accessToken: alice.accessToken })).rejects.toBeInstanceOf(
      MfaInvalidCodeError,
    );

    const code = authenticator.code(setup.secret);
    expect(await mfa.verify(user, `${code.slice(0, 3)} ${code.slice(3)}`, { accessToken: alice.accessToken })).toEqual({
      verified: true,
    });
    expect(await mfa.enable(user)).toEqual({ enabled: true, method: 'softwareToken' });
    expect(await mfa.getStatus(user)).toEqual({ enabled: true, method: 'softwareToken' });

    expect(await mfa.disable(user)).toEqual({ enabled: false });
    expect(await mfa.getStatus(user)).toEqual({ enabled: false, method: null });
    expect(fake.requests.every((request) => request.signatureValid)).toBe(true);
  });
});
