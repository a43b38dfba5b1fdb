import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { inspect } from 'node:util';
import { expect, it } from 'vitest';
import { MemoryMfaStore } from '../src/totp/index.js';
import { describeEachStore } from './support/stores.js';
import { TEST_KEY, newUser, totpHarness, wrongCode } from './support/totp.js';

// The name of a client's attempt counter, computed here independently of the SDK (node:crypto, the documented
// construction), so a change to it shows: it must be the same on every server and every version (or each rollout
// would hand every client a fresh budget), and it must need the key (or anyone reading the store could tell which
// address made which attempts, and pre-fill the counter of an address they chose).
const CLIENT = '203.0.113.7';

function keyedBucket(clientKey: string): string {
  const key = Buffer.from(
    hkdfSync('sha256', Buffer.from(TEST_KEY, 'base64'), Buffer.alloc(0), 'saasus-mfa client key', 32),
  );
  return `code:c:${createHmac('sha256', key).update(clientKey).digest('hex').slice(0, 32)}`;
}

function unkeyedBucket(clientKey: string): string {
  return `code:c:${createHash('sha256').update(`saasus-mfa client key\0${clientKey}`).digest('hex').slice(0, 32)}`;
}

await describeEachStore('client counters on the %s store', (open) => {
  it('store reader naming a client: the counter is HMAC-SHA-256 under a key derived from the encryption key, never an unkeyed hash', async () => {
    const { client, authenticator, enroll } = totpHarness(open.store);
    const user = newUser();
    const { secret } = await enroll(user);
    await expect(
      client.verifySecondFactor(user, wrongCode(authenticator.code(secret)), { clientKey: CLIENT }),
    ).rejects.toMatchObject({ code: 'invalid_code' });
    const dump = await open.dump();
    expect(dump).toContain(keyedBucket(CLIENT));
    expect(dump).not.toContain(unkeyedBucket(CLIENT));
  });
});

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
