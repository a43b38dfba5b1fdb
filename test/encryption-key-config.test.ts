import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { MfaConfigurationError } from '../src/index.js';
import { MemoryMfaStore } from '../src/totp/index.js';
import { TEST_KEY, newUser, totpHarness } from './support/totp.js';

// Key configuration mistakes are refused at start with a message that says which key and what to do (never the
// key), and the id derived for a key given without one is stable: it is stored with every sealed secret, so a change
// would make every stored secret unreadable after an upgrade. Written against the mutation report.

const start = (encryptionKey: unknown) => () =>
  totpHarness(new MemoryMfaStore(), { encryptionKey: encryptionKey as string });

it.each<[string, unknown, string]>([
  ['a number', 42, 'encryptionKey must be a base64 or hex string, or a Buffer'],
  ['a list holding null (an unset variable)', [null], 'encryptionKey must be a base64 or hex string, or a Buffer'],
  [
    'a second key that is not base64',
    [TEST_KEY, 'not a key!'],
    'encryptionKey[1] must be 32 bytes as base64 text or 64 hex digits (generate one with: openssl rand -base64 32)',
  ],
  [
    'a key with an id that is not an id',
    [{ id: 'k 1', key: TEST_KEY }],
    'an encryption key id must be 1-32 characters of A-Z, a-z, 0-9, "_" or "-"',
  ],
  [
    'a key object without an id',
    [{ key: TEST_KEY }],
    'an encryption key id must be 1-32 characters of A-Z, a-z, 0-9, "_" or "-"',
  ],
])('misconfiguration: %s is refused at start, naming the key', (_label, encryptionKey, message) => {
  expect(start(encryptionKey)).toThrow(new MfaConfigurationError(message));
});

it('a key pasted with a line break or spaces (from an env file) is the same key', async () => {
  const store = new MemoryMfaStore();
  const user = newUser();
  const before = totpHarness(store, { encryptionKey: TEST_KEY });
  const { secret } = await before.enroll(user);
  const pasted = totpHarness(store, { encryptionKey: ` ${TEST_KEY}\n` }, before.clock);
  await expect(pasted.client.verifySecondFactor(user, pasted.authenticator.code(secret))).resolves.toMatchObject({
    verified: true,
  });
});

it('upgrade: a key given without an id is named by base64url(SHA-256("saasus-mfa key id\\0" || key)), 10 characters', async () => {
  const store = new MemoryMfaStore();
  const { enroll } = totpHarness(store, { encryptionKey: TEST_KEY });
  const user = newUser();
  await enroll(user);
  const key = Buffer.from(TEST_KEY, 'base64');
  const id = createHash('sha256')
    .update(Buffer.concat([Buffer.from('saasus-mfa key id\0'), key]))
    .digest('base64url')
    .slice(0, 10);
  const { factor } = await store.load({ userId: user.id });
  expect(factor!.sealedSecret.split('.').slice(0, 2)).toEqual(['v1', id]);
});
