import { describe, expect, it } from 'vitest';
import { MfaClient, type MfaCallContext, type MfaProvider, type MfaUser } from '../src/index.js';
import { MemoryMfaStore } from '../src/totp/index.js';
import { newUser, totpHarness, wrongCode } from './support/totp.js';

// Absent is not malformed: what an app hands over from a database row or a framework (null columns, empty headers,
// an options object left out) is accepted as "not given", and only what was really given reaches the provider.
// And the edges of the code rules: what reads as a TOTP code and what as a recovery code. Written against the
// mutation report: each of these could change without any test noticing.

/** An app's own provider (the public MfaProvider interface): it records the context each call receives. */
function recordingProvider() {
  const contexts: MfaCallContext[] = [];
  const provider: MfaProvider = {
    name: 'recording',
    getStatus: async (_user, ctx) => (contexts.push(ctx), { enabled: false, method: null }),
    createSecret: async () => ({ secret: 'JBSWY3DPEHPK3PXP' }),
    verify: async () => ({ verified: true }),
    enable: async () => ({ enabled: true, method: 'softwareToken' }),
    disable: async () => ({ enabled: false }),
  };
  return { provider, contexts };
}

describe('absent fields', () => {
  it('a user row with null e-mail and sign-in id is the user without them', async () => {
    const { provider, contexts } = recordingProvider();
    const client = new MfaClient({ provider, issuer: 'Acme' });
    const user = { id: 'u-1', email: null, signInId: null } as unknown as MfaUser;
    await expect(client.getStatus(user)).resolves.toEqual({ enabled: false, method: null });
    expect(contexts).toHaveLength(1);
  });

  it('null and empty context fields (a request without the header) reach the provider as not given', async () => {
    const { provider, contexts } = recordingProvider();
    const client = new MfaClient({ provider, issuer: 'Acme' });
    const ctx = { accessToken: '', referer: '', signal: null, clientKey: null } as unknown as MfaCallContext;
    await client.getStatus({ id: 'u-1' }, ctx);
    await client.getStatus({ id: 'u-1' }, { accessToken: null, referer: null } as unknown as MfaCallContext);
    expect(contexts).toEqual([{}, {}]);
  });

  it('enable with null options, a null method or the method named explicitly enables the authenticator app', async () => {
    for (const options of [null, { method: null }, { method: 'softwareToken' }]) {
      const { client, authenticator } = totpHarness(new MemoryMfaStore());
      const user = newUser();
      const setup = await client.createSetup(user);
      await client.verify(user, authenticator.code(setup.secret));
      await expect(client.enable(user, options as { method: 'softwareToken' })).resolves.toMatchObject({
        enabled: true,
        method: 'softwareToken',
      });
    }
  });

  it('an admin reset without options names what it needs', async () => {
    const { client } = totpHarness(new MemoryMfaStore());
    await expect(client.adminReset(newUser(), null as never)).rejects.toMatchObject({
      field: 'actor',
      message: 'adminReset needs { actor, reason }',
    });
  });
});

describe('what reads as a TOTP code, and what as a recovery code', () => {
  it('a right code typed with separators up to 64 characters is a TOTP code, and accepted', async () => {
    const { client, authenticator, enroll } = totpHarness(new MemoryMfaStore());
    const user = newUser();
    const { secret } = await enroll(user);
    const typed = `${' -'.repeat(29)}${authenticator.code(secret)}`;
    expect(typed).toHaveLength(64);
    await expect(client.verifySecondFactor(user, typed)).resolves.toMatchObject({ verified: true, method: 'totp' });
  });

  it('65 characters are never a TOTP code: refused as a recovery code that is too long', async () => {
    const { client, authenticator, enroll } = totpHarness(new MemoryMfaStore());
    const user = newUser();
    const { secret } = await enroll(user);
    await expect(
      client.verifySecondFactor(user, `${'-'.repeat(59)}${authenticator.code(secret)}`),
    ).rejects.toMatchObject({ field: 'code', message: 'recovery code is too long' });
  });

  it('a recovery code typed with separators up to 64 characters is checked (a wrong one counts as a mismatch)', async () => {
    const { client, enroll } = totpHarness(new MemoryMfaStore());
    const user = newUser();
    await enroll(user);
    const typed = 'ABCD -- '.repeat(8);
    expect(typed).toHaveLength(64);
    await expect(client.verifySecondFactor(user, typed)).rejects.toMatchObject({
      code: 'invalid_code',
      reason: 'mismatch',
    });
  });

  it('a step-up token that is not a string is an invalid proof, not a missing one', async () => {
    const { client, authenticator, enroll } = totpHarness(new MemoryMfaStore());
    const user = newUser();
    const { secret } = await enroll(user);
    for (const stepUpToken of [42, { toString: () => 's1' }, ['s1']])
      await expect(client.disable(user, { stepUpToken } as never)).rejects.toMatchObject({
        code: 'step_up_required',
        reason: 'invalid',
      });
    // And the factor is still there: a right code still logs in.
    await expect(client.verifySecondFactor(user, wrongCode(authenticator.code(secret)))).rejects.toMatchObject({
      reason: 'mismatch',
    });
  });
});
