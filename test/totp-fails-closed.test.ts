import { describe, expect, it } from 'vitest';
import { MfaClient, MfaProviderError, MfaValidationError, type MfaProvider } from '../src/index.js';
import {
  MemoryMfaStore,
  TotpMfaProvider,
  type AttemptClaim,
  type MfaStore,
  type UseRecoveryCode,
} from '../src/totp/index.js';
import { STORE_OPERATIONS } from './support/store-records.js';
import { STEP_MS, TEST_KEY, newUser, totpHarness, wrongCode } from './support/totp.js';

// MfaStore and MfaProvider are public extension points. An app's own implementation with a small slip (undefined
// for "no match", "0" for false, { verified: false }) must make the SDK refuse, never pass.

type Overrides = Partial<Record<keyof MfaStore, (...args: never[]) => Promise<unknown>>>;

/**
 * An app's store over a MemoryMfaStore whose answers come back in the loose shapes a hand-written store might use.
 * `overrides` may be built from the underlying store, for a slip in an otherwise working method.
 */
function sloppyStore(overrides: Overrides | ((base: MemoryMfaStore) => Overrides)): MfaStore {
  const base = new MemoryMfaStore();
  const store: Record<string, unknown> = { name: 'sloppy' };
  for (const method of STORE_OPERATIONS) store[method] = base[method].bind(base) as unknown;
  Object.assign(store, typeof overrides === 'function' ? overrides(base) : overrides);
  return store as unknown as MfaStore;
}

/** An app's own provider: a working TotpMfaProvider underneath, with `overrides` in the loose shapes under test. */
function customProvider(overrides: Partial<MfaProvider>): MfaProvider {
  const totp = new TotpMfaProvider({ encryptionKey: TEST_KEY });
  return {
    name: 'custom',
    getStatus: (u, c) => totp.getStatus(u, c),
    createSecret: (u, c) => totp.createSecret(u, c),
    enable: (u, o, c) => totp.enable(u, o, c),
    disable: (u, c, p) => totp.disable(u, c, p),
    verify: (u, code, c) => totp.verify(u, code, c),
    ...overrides,
  };
}

const invalidResponse = { code: 'provider_error', type: 'invalid_response' };

describe('fails closed on a sloppy custom store or provider', () => {
  it.each([
    ['nothing', undefined],
    ['"used" without a count', { outcome: 'used' }],
    ['"used" with the count "0"', { outcome: 'used', remaining: '0' }],
    ['"used" with NaN', { outcome: 'used', remaining: Number.NaN }],
    ['"used" with -1', { outcome: 'used', remaining: -1 }],
    ['"used" with 1.5', { outcome: 'used', remaining: 1.5 }],
    ['the v1 answer, a number', 9],
    ['"mismatch" with a count that is not a number', { outcome: 'mismatch', attempts: [{ bucket: 'recovery' }] }],
    ['"locked" below the limit', { outcome: 'locked', attempts: [{ bucket: 'recovery', count: 1, resetAt: 1 }] }],
  ])('a store whose useRecoveryCode answers %s does not let a wrong code in', async (_label, answer) => {
    const store = sloppyStore({ useRecoveryCode: async () => answer });
    const { client, enroll } = totpHarness(store);
    const user = newUser();
    await enroll(user);
    await expect(client.verifySecondFactor(user, 'AAAA-BBBB-CCCC')).rejects.toMatchObject(invalidResponse);
  });

  it('a store that "uses" a recovery code it was not given (what was typed cannot be one) does not let it in', async () => {
    const store = sloppyStore({
      useRecoveryCode: async (request: UseRecoveryCode) =>
        request.candidateHashes.length === 0 ? { outcome: 'used', remaining: 9 } : { outcome: 'no_factor' },
    });
    const { enroll, provider } = totpHarness(store);
    const user = newUser();
    await enroll(user);
    await expect(provider.verifyRecoveryCode(user, '0')).rejects.toMatchObject(invalidResponse);
  });

  it('a store that answers 1 for "codes replaced" is not trusted', async () => {
    const store = sloppyStore({ replaceRecoveryCodes: async () => 1 });
    const { client, enroll, authenticator } = totpHarness(store);
    const user = newUser();
    const { secret } = await enroll(user);
    await expect(client.regenerateRecoveryCodes(user, { code: authenticator.code(secret) })).rejects.toMatchObject(
      invalidResponse,
    );
  });

  it('a store that answers 1 for "factor removed" is not trusted', async () => {
    const store = sloppyStore({ deleteFactor: async () => 1 });
    const { client, enroll, authenticator } = totpHarness(store);
    const user = newUser();
    const { secret } = await enroll(user);
    await expect(client.disable(user, { code: authenticator.code(secret) })).rejects.toMatchObject(invalidResponse);
  });

  it.each([null, '0', -1, undefined])(
    'a provider whose recovery-code answer is { remaining: %s } does not pass a login',
    async (remaining) => {
      const provider = customProvider({ verifyRecoveryCode: async () => ({ remaining }) as never });
      const client = new MfaClient({ provider, issuer: 'Acme' });
      await expect(client.verifySecondFactor(newUser(), 'WRONG-WRONG-WRONG')).rejects.toMatchObject(invalidResponse);
    },
  );

  it('a provider that confirms a login but gives no step-up token is reported, not passed on as a token-less login', async () => {
    const provider = customProvider({ verifyFactor: async () => ({ verified: true }) });
    const client = new MfaClient({ provider, issuer: 'Acme' });
    await expect(client.verifySecondFactor(newUser(), '123456')).rejects.toMatchObject(invalidResponse);
  });

  it('a store that answers 1 for a promotion is not trusted either', async () => {
    const store = sloppyStore({ activatePending: async () => 1 });
    const { client, authenticator } = totpHarness(store);
    const user = newUser();
    const { secret } = await client.createSetup(user);
    await client.verify(user, authenticator.code(secret));
    await expect(client.enable(user)).rejects.toMatchObject({ code: 'not_verified' });
  });

  it('a provider that resolves { verified: false } is reported as a provider error, not as verified', async () => {
    const provider = customProvider({
      verify: async () => ({ verified: false }) as never,
      verifyFactor: async () => undefined as never,
    });
    const client = new MfaClient({ provider, issuer: 'Acme' });
    await expect(client.verify(newUser(), '123456')).rejects.toBeInstanceOf(MfaProviderError);
    await expect(client.verifySecondFactor(newUser(), '123456')).rejects.toMatchObject({ type: 'invalid_response' });
  });

  // A wrong code sends attemptAndClaim with `step: null` (count only): nothing to claim, so `claimed` is an
  // impossible answer. A store that reads "no step" as "nothing to claim, fine" must not log in.
  it('a store that answers "claimed" to a count-only attemptAndClaim (a wrong code) does not log the caller in', async () => {
    const store = sloppyStore((base) => ({
      attemptAndClaim: async (claim: AttemptClaim) =>
        claim.step === null ? { outcome: 'claimed' } : base.attemptAndClaim(claim),
    }));
    const { client, authenticator, clock, enroll } = totpHarness(store);
    const user = newUser();
    const { secret } = await enroll(user);
    await client.verifySecondFactor(user, authenticator.code(secret)); // fills the cache: the next verify is one call
    clock.advance(STEP_MS);
    await expect(client.verifySecondFactor(user, wrongCode(authenticator.code(secret)))).rejects.toMatchObject(
      invalidResponse,
    );
    await expect(client.verifySecondFactor(user, '000000')).rejects.toMatchObject(invalidResponse);
  });
});

describe('createSetup input that cannot become a QR code', () => {
  it('refuses an account name too long for a QR code before anything is stored', async () => {
    const store = new MemoryMfaStore();
    const { client } = totpHarness(store);
    const user = { id: 'u-long', email: `${'語'.repeat(500)}@example.com` };
    await expect(client.createSetup(user)).rejects.toBeInstanceOf(MfaValidationError);
    await expect(client.createSetup(user)).rejects.toMatchObject({ field: 'accountName' });
    expect((await store.load({ userId: user.id })).pending).toBeNull();
  });
});

describe('well-formed Unicode ids', () => {
  it('accepts characters outside the Basic Multilingual Plane (surrogate pairs), refusing only lone halves', async () => {
    const { client, enroll } = totpHarness(new MemoryMfaStore());
    await expect(enroll({ id: 'user-😀-𝒜', email: '😀@example.com' })).resolves.toMatchObject({
      recoveryCodes: expect.any(Array),
    });
    await expect(client.getStatus({ id: 'user-\uD83D' })).rejects.toBeInstanceOf(MfaValidationError);
  });
});

describe('an encryption key setting that holds no key', () => {
  it.each([' , ', [] as string[]])(
    '%j is a configuration error, not a fall-back to unencrypted secrets',
    (encryptionKey) => {
      expect(() => new TotpMfaProvider({ store: new MemoryMfaStore(), encryptionKey })).toThrow(/holds no key/);
      expect(() => new TotpMfaProvider({ store: new MemoryMfaStore(), env: { MFA_ENCRYPTION_KEY: ' , ' } })).toThrow(
        /holds no key/,
      );
    },
  );
});

describe('encryptionKey as one string with commas', () => {
  it('is read as a key ring, newest first, as MFA_ENCRYPTION_KEY is', () => {
    const [a, b] = [Buffer.alloc(32, 1).toString('base64'), Buffer.alloc(32, 2).toString('base64')];
    const ring = new TotpMfaProvider({ store: new MemoryMfaStore(), encryptionKey: `${a},${b}` });
    const single = new TotpMfaProvider({ store: new MemoryMfaStore(), encryptionKey: a });
    expect(ring.keyIds).toHaveLength(2);
    expect(ring.keyIds[0]).toBe(single.keyIds[0]);
  });
});
