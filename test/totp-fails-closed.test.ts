import { describe, expect, it } from 'vitest';
import { MfaClient, MfaProviderError, MfaValidationError, type MfaProvider } from '../src/index.js';
import {
  MemoryMfaStore,
  TotpMfaProvider,
  withAttemptAndClaim,
  type AttemptClaim,
  type BeginAttempt,
  type MfaStore,
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
  const methods = STORE_OPERATIONS;
  const store: Record<string, unknown> = { name: 'sloppy' };
  for (const method of methods) store[method] = base[method].bind(base) as unknown;
  Object.assign(store, typeof overrides === 'function' ? overrides(base) : overrides);
  // Written against the smaller set unless the test gives its own attemptAndClaim: derived from the sloppy methods,
  // so their slips are seen on the one-round-trip path too.
  const custom = store as unknown as MfaStore;
  return typeof store.attemptAndClaim === 'function' ? custom : withAttemptAndClaim(custom);
}

/** An app's own provider: a working TotpMfaProvider underneath, with `overrides` in the loose shapes under test. */
function customProvider(overrides: Partial<MfaProvider>): MfaProvider {
  const totp = new TotpMfaProvider({ encryptionKey: TEST_KEY });
  return {
    name: 'custom',
    getStatus: (u, c) => totp.getStatus(u, c),
    createSecret: (u, c) => totp.createSecret(u, c),
    enable: (u, o, c) => totp.enable(u, o, c),
    disable: (u, c) => totp.disable(u, c),
    verify: (u, code, c) => totp.verify(u, code, c),
    ...overrides,
  };
}

describe('fails closed on a sloppy custom store or provider', () => {
  it.each([undefined, '0', Number.NaN, -1, 1.5])(
    'a store that answers %s for "no such recovery code" does not let a wrong code in',
    async (answer) => {
      const store = sloppyStore({ consumeRecoveryCode: async () => answer });
      const { client, enroll } = totpHarness(store);
      const user = newUser();
      await enroll(user);
      await expect(client.verifySecondFactor(user, 'AAAA-BBBB-CCCC')).rejects.toMatchObject({ code: 'invalid_code' });
    },
  );

  it('a store that answers 1 for "codes replaced" is not trusted', async () => {
    const store = sloppyStore({ replaceRecoveryCodes: async () => 1 });
    const { client } = totpHarness(store);
    await expect(client.regenerateRecoveryCodes(newUser())).rejects.toMatchObject({ code: 'not_found' });
  });

  it.each([null, '0', -1, undefined])(
    'a provider whose recovery-code answer is { remaining: %s } does not pass a login',
    async (remaining) => {
      const provider = customProvider({ verifyRecoveryCode: async () => ({ remaining }) as never });
      const client = new MfaClient({ provider, issuer: 'Acme' });
      await expect(client.verifySecondFactor(newUser(), 'WRONG-WRONG-WRONG')).rejects.toMatchObject({
        code: 'provider_error',
        type: 'invalid_response',
      });
    },
  );

  it('a store whose attempt count is not a number does not switch the attempt limit off', async () => {
    const base = new MemoryMfaStore();
    const store = sloppyStore({
      beginAttempt: async (request: BeginAttempt) => ({
        ...(await base.beginAttempt(request)),
        attempts: { count: undefined, resetAt: request.now },
      }),
    });
    const { client } = totpHarness(store);
    await expect(client.verifySecondFactor(newUser(), '123456')).rejects.toMatchObject({
      code: 'provider_error',
      type: 'invalid_response',
    });
  });

  it.each([null, '', false])(
    'brute force past the limit: a derived attemptAndClaim whose count reads %s locks the right code out too',
    async (count) => {
      // Enrolled while the store counts properly, so the factor is cached and every verify takes attemptAndClaim,
      // whose `claimed` answer carries no count the provider's guard could check afterwards.
      let broken = false;
      const store = sloppyStore((base) => ({
        beginAttempt: async (request: BeginAttempt) => {
          const begun = await base.beginAttempt(request);
          return broken ? { ...begun, attempts: { count, resetAt: request.now + 60_000 } } : begun;
        },
      }));
      const { client, authenticator, enroll, clock } = totpHarness(store, { maxAttempts: 1 });
      const user = newUser();
      const { secret } = await enroll(user);
      await client.verifySecondFactor(user, authenticator.code(secret));
      clock.advance(STEP_MS);
      broken = true;
      const outcome = await client.verifySecondFactor(user, authenticator.code(secret)).then(
        () => 'accepted',
        (error: { code?: string }) => error.code,
      );
      expect(outcome).not.toBe('accepted');
    },
  );

  it('a store that answers "0" for a refused claim does not let a replay in', async () => {
    const store = sloppyStore({ claimStep: async () => '0' });
    const { client, authenticator } = totpHarness(store);
    const user = newUser();
    const { secret } = await client.createSetup(user);
    await expect(client.verify(user, authenticator.code(secret))).rejects.toMatchObject({ reason: 'replayed' });
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

  // A wrong code on the one-round-trip path sends attemptAndClaim with `step: null` (count only): nothing to claim,
  // so `claimed` is an impossible answer. A store that reads "no step" as "nothing to claim, fine" must not log in.
  it('a store that answers "claimed" to a count-only attemptAndClaim (a wrong code) does not log the caller in', async () => {
    const store = sloppyStore((base) => ({
      attemptAndClaim: async (claim: AttemptClaim) => {
        const { userId } = claim;
        const { attempts, state } = await base.beginAttempt({ userId, now: claim.now, windowMs: claim.windowMs });
        if (attempts.count > claim.maxAttempts) return { outcome: 'locked', attempts };
        if (state.factor?.secretId !== claim.secretId) return { outcome: 'stale', attempts, state };
        if (claim.step === null) return { outcome: 'claimed' }; // the slip: should be { outcome: 'counted', attempts }
        const ok = await base.claimStep({
          userId,
          target: 'factor',
          secretId: claim.secretId,
          step: claim.step,
          resealedSecret: claim.resealedSecret,
        });
        return ok ? { outcome: 'claimed' } : { outcome: 'replayed', attempts };
      },
    }));
    const { client, authenticator, clock, enroll } = totpHarness(store);
    const user = newUser();
    const { secret } = await enroll(user);
    await client.verifySecondFactor(user, authenticator.code(secret)); // fills the cache: the next verify is one call
    clock.advance(STEP_MS);
    const refused = { code: expect.stringMatching(/invalid_code|provider_error/) };
    await expect(client.verifySecondFactor(user, wrongCode(authenticator.code(secret)))).rejects.toMatchObject(refused);
    await expect(client.verifySecondFactor(user, '000000')).rejects.toMatchObject(refused);
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
