import { inspect } from 'node:util';
import { expect, it } from 'vitest';
import { MfaConfigurationError } from '../src/index.js';
import { MemoryMfaStore } from '../src/totp/index.js';
import { CLIENT, unkeyedBucket } from './support/client-buckets.js';
import { newUser, totpHarness, wrongCode } from './support/totp.js';

// Development without an encryption key (refused in production): every protection except encryption at rest still
// holds. Written against the mutation report: no test ran the login policy, step-up or recovery codes without a key.
it('development without a key: each client still has its own counter, so one client cannot lock out another', async () => {
  const store = new MemoryMfaStore();
  const { client, authenticator, enroll } = totpHarness(store, { encryptionKey: undefined, maxAttempts: 3 });
  const user = newUser();
  const { secret } = await enroll(user);
  for (let i = 0; i < 3; i++)
    await expect(
      client.verifySecondFactor(user, wrongCode(authenticator.code(secret)), { clientKey: 'attacker' }),
    ).rejects.toMatchObject({ code: 'invalid_code' });
  await expect(
    client.verifySecondFactor(user, authenticator.code(secret), { clientKey: 'attacker' }),
  ).rejects.toMatchObject({ code: 'rate_limited' });
  await expect(client.verifySecondFactor(user, authenticator.code(secret), { clientKey: CLIENT })).resolves.toEqual(
    expect.objectContaining({ verified: true }),
  );
  // Every server names a client alike without a key too: a domain-separated SHA-256 of it.
  expect(inspect(store, { depth: Infinity, showHidden: true })).toContain(unkeyedBucket('attacker'));
});

it('development without a key: a step-up token works on the server that issued it, and a forged one is refused', async () => {
  const { client, authenticator, enroll } = totpHarness(new MemoryMfaStore(), { encryptionKey: undefined });
  const user = newUser();
  const { secret } = await enroll(user);
  const { stepUpToken } = await client.verifySecondFactor(user, authenticator.code(secret));
  const [version, secretId, issuedAt] = stepUpToken!.split('.');
  const forged = `${version}.${secretId}.${issuedAt}.${Buffer.alloc(32).toString('base64url')}`;
  await expect(client.regenerateRecoveryCodes(user, { stepUpToken: forged })).rejects.toMatchObject({
    reason: 'invalid',
  });
  await expect(client.regenerateRecoveryCodes(user, { stepUpToken })).resolves.toHaveProperty('recoveryCodes');
});

it('development without a key: a recovery code works once', async () => {
  const { client, enroll } = totpHarness(new MemoryMfaStore(), { encryptionKey: undefined });
  const user = newUser();
  const { recoveryCodes } = await enroll(user);
  await expect(client.verifySecondFactor(user, recoveryCodes[0]!)).resolves.toMatchObject({
    method: 'recovery_code',
    recoveryCodesRemaining: recoveryCodes.length - 1,
  });
  await expect(client.verifySecondFactor(user, recoveryCodes[0]!)).rejects.toMatchObject({ code: 'invalid_code' });
});

it('key rotation mistake: two keys with the same id are refused at start, naming the problem', () => {
  const key = Buffer.alloc(32, 1).toString('base64');
  const other = Buffer.alloc(32, 2).toString('base64');
  expect(() =>
    totpHarness(new MemoryMfaStore(), {
      encryptionKey: [
        { id: 'k1', key },
        { id: 'k1', key: other },
      ],
    }),
  ).toThrow(new MfaConfigurationError('encryption key ids must be unique'));
});
