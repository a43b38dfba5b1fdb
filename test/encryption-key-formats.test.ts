import { describe, expect, it } from 'vitest';
import { MfaConfigurationError } from '../src/index.js';
import { createFixedClock } from '../src/testing/index.js';
import { MemoryMfaStore, TotpMfaProvider } from '../src/totp/index.js';
import { START, newUser, totpHarness } from './support/totp.js';

// `openssl rand -hex 32` is as common a way to make a key as `openssl rand -base64 32`: both must work, and mean the
// same key, so a deployment can switch notation without re-sealing anything.
describe('encryption key formats', () => {
  const bytes = Buffer.alloc(32, 0xa5);

  it('reads 64 hex digits as the 32-byte key they spell, the same key as its base64 form', async () => {
    const store = new MemoryMfaStore();
    const clock = createFixedClock(START);
    const hex = totpHarness(store, { encryptionKey: bytes.toString('hex') }, clock);
    const base64 = totpHarness(store, { encryptionKey: bytes.toString('base64') }, clock);
    expect(hex.client.provider).toBeInstanceOf(TotpMfaProvider);
    expect((hex.client.provider as TotpMfaProvider).keyIds).toEqual((base64.client.provider as TotpMfaProvider).keyIds);
    const user = newUser();
    const { secret } = await hex.enroll(user);
    // Sealed under the hex spelling, opened under the base64 one: the same AES key.
    await expect(base64.client.verifySecondFactor(user, base64.authenticator.code(secret))).resolves.toMatchObject({
      verified: true,
    });
  });

  it('accepts upper-case hex, and hex keys in a comma-separated ring', () => {
    const other = Buffer.alloc(32, 0x3c);
    const provider = new TotpMfaProvider({
      encryptionKey: `${bytes.toString('hex').toUpperCase()}, ${other.toString('base64')}`,
    });
    expect(provider.keyIds).toHaveLength(2);
  });

  it.each([
    ['63 hex digits', 'a'.repeat(63)],
    ['65 hex digits', 'a'.repeat(65)],
    ['a 16-byte key in hex', Buffer.alloc(16, 1).toString('hex')],
  ])('still refuses %s, naming the byte count and never the key', (_label, key) => {
    const attempt = () => new TotpMfaProvider({ encryptionKey: key });
    expect(attempt).toThrow(MfaConfigurationError);
    expect(attempt).toThrow(/32 bytes/);
    try {
      attempt();
    } catch (error) {
      expect(JSON.stringify(error) + String((error as Error).message)).not.toContain(key);
    }
  });
});
