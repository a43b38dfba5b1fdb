import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { expect, it } from 'vitest';
import { MfaConfigurationError, MfaProviderError } from '../src/index.js';
import { createFixedClock } from '../src/testing/index.js';
import {
  MemoryMfaStore,
  TotpMfaProvider,
  type ActivatePending,
  type MfaStore,
  type ReplaceRecoveryCodes,
} from '../src/totp/index.js';
import { trustedDevicesOf } from './support/store-records.js';
import { START, TEST_KEY, newUser, totpHarness } from './support/totp.js';

// Formats and answers around the keys and the proofs that the mutation report (docs/mutation.md, "Open survivors")
// found unpinned: the stored recovery-code hash, an MFA_ENCRYPTION_KEY of blanks, the messages of a plain secret
// under keys and of a store that skipped a change, and a step-up token issued while the clock read before 1970.

const b64 = (bytes: Buffer) => bytes.toString('base64url');
const KEY = Buffer.from(TEST_KEY, 'base64');
/** The id of a key given without one (pinned in encryption-key-config.test.ts). */
const KEY_ID = b64(
  createHash('sha256')
    .update(Buffer.concat([Buffer.from('saasus-mfa key id\0'), KEY]))
    .digest(),
).slice(0, 10);

/** `<keyId>.HMAC-SHA-256(HKDF-SHA-256(key, no salt, "saasus-mfa recovery codes"), userId NUL code)`, computed here. */
function keyedHash(userId: string, code: string): string {
  const key = Buffer.from(hkdfSync('sha256', KEY, Buffer.alloc(0), 'saasus-mfa recovery codes', 32));
  const canonical = code.replaceAll('-', '');
  return `${KEY_ID}.${b64(createHmac('sha256', key).update(`${userId}\0${canonical}`).digest())}`;
}

/** The memory store, with the recovery-code hashes it was given noted (a forwarding proxy). */
function notingHashes(store: MfaStore): { store: MfaStore; hashes: string[][] } {
  const hashes: string[][] = [];
  const proxy = new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (property === 'activatePending') hashes.push([...(args[0] as ActivatePending).recoveryCodeHashes]);
        if (property === 'replaceRecoveryCodes') hashes.push([...(args[0] as ReplaceRecoveryCodes).hashes]);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, hashes };
}

it('upgrade: recovery codes are stored as <keyId>.HMAC-SHA-256(HKDF(key, "saasus-mfa recovery codes"), userId NUL code), so codes printed before an upgrade still work', async () => {
  const base = new MemoryMfaStore();
  const noted = notingHashes(base);
  const { client, enroll } = totpHarness(noted.store);
  const user = newUser();
  const { recoveryCodes } = await enroll(user);
  expect(recoveryCodes).toHaveLength(10);
  expect(noted.hashes).toEqual([recoveryCodes.map((code) => keyedHash(user.id, code))]);
  // A code whose hash an earlier release stored (computed here, not by the SDK) is accepted, in any spelling.
  await base.replaceRecoveryCodes({ userId: user.id, hashes: [keyedHash(user.id, '0123-4567-89AB')] });
  await expect(client.verifyRecoveryCode(user, '0l23 4567 89ab')).resolves.toMatchObject({ remaining: 0 });
});

it('development without keys: recovery codes are stored as sha256.SHA-256("saasus-mfa recovery code" NUL userId NUL code)', async () => {
  const noted = notingHashes(new MemoryMfaStore());
  const { enroll } = totpHarness(noted.store, { encryptionKey: undefined, env: {} });
  const user = newUser();
  const { recoveryCodes } = await enroll(user);
  const unkeyed = (code: string) =>
    `sha256.${b64(
      createHash('sha256')
        .update(`saasus-mfa recovery code\0${user.id}\0${code.replaceAll('-', '')}`)
        .digest(),
    )}`;
  expect(noted.hashes).toEqual([recoveryCodes.map(unkeyed)]);
});

it('MFA_ENCRYPTION_KEY of only blanks (an empty line in an env file) is no key: refused in production, plain secrets in development', async () => {
  for (const blank of ['   ', ' \t\n ']) {
    expect(
      () =>
        new TotpMfaProvider({
          store: new MemoryMfaStore(),
          env: { MFA_ENCRYPTION_KEY: blank, NODE_ENV: 'production' },
        }),
    ).toThrow(
      new MfaConfigurationError(
        'TotpMfaProvider needs encryptionKey (or MFA_ENCRYPTION_KEY) when NODE_ENV=production: TOTP secrets must not be stored in clear',
      ),
    );
    const store = new MemoryMfaStore();
    const { client, authenticator } = totpHarness(store, {
      encryptionKey: undefined,
      env: { MFA_ENCRYPTION_KEY: blank },
    });
    const user = newUser();
    const setup = await client.createSetup(user);
    expect((await store.load({ userId: user.id })).pending?.sealedSecret).toBe(`plain.${setup.secret}`);
    await expect(client.verify(user, authenticator.code(setup.secret))).resolves.toEqual({ verified: true });
  }
});

it('tampering: a plain secret planted under configured keys is store_corrupt with a message that names the problem, not the secret', async () => {
  const store = new MemoryMfaStore();
  const { client, authenticator } = totpHarness(store);
  const victim = newUser();
  await client.createSetup(victim);
  const planted = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
  const pending = (await store.load({ userId: victim.id })).pending!;
  await store.savePending({ userId: victim.id, pending: { ...pending, sealedSecret: `plain.${planted}` } });
  const error = await client.verify(victim, authenticator.code(planted)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MfaProviderError);
  expect(error).toMatchObject({
    type: 'store_corrupt',
    retryable: false,
    message: 'A stored MFA secret is not encrypted, but encryption keys are configured',
  });
  expect(JSON.stringify(error)).not.toContain(planted);
});

/** The memory store, but `deleteFactor` and `replaceRecoveryCodes` answer false and change nothing. */
function skippingStore(): MfaStore {
  const base = new MemoryMfaStore();
  return {
    name: 'skipping',
    load: (query) => base.load(query),
    attemptAndClaim: (claim) => base.attemptAndClaim(claim),
    savePending: (request) => base.savePending(request),
    activatePending: (request) => base.activatePending(request),
    useRecoveryCode: (request) => base.useRecoveryCode(request),
    replaceRecoveryCodes: async () => false,
    deleteFactor: async () => false,
    clearAttempts: (query) => base.clearAttempts(query),
    ...trustedDevicesOf(base),
  };
}

it('a store that answers "not changed" while the very factor is still there: disable and regenerate fail as invalid_response, never as done', async () => {
  const { client, authenticator, enroll, events } = totpHarness(skippingStore());
  const user = newUser();
  const { secret } = await enroll(user);
  const { stepUpToken } = await client.verifySecondFactor(user, authenticator.code(secret));
  for (const change of [
    () => client.disable(user, { stepUpToken: stepUpToken! }),
    () => client.regenerateRecoveryCodes(user, { stepUpToken: stepUpToken! }),
  ]) {
    const error = await change().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MfaProviderError);
    expect(error).toMatchObject({
      type: 'invalid_response',
      retryable: false,
      message: 'The MFA store did not make a change it was asked for',
    });
  }
  expect(events.filter((e) => e.type === 'disabled' || e.type === 'recovery_codes_regenerated')).toEqual([]);
  await expect(client.getStatus(user)).resolves.toMatchObject({ enabled: true });
});

it('server clock before 1970: a step-up token issued then (a negative issue time) is refused, like every time-based proof before the epoch', async () => {
  const clock = createFixedClock(START);
  const { client, enroll } = totpHarness(new MemoryMfaStore(), {}, clock);
  const user = newUser();
  const { recoveryCodes } = await enroll(user);
  clock.set(-60_000); // 1969-12-31T23:59:00Z: a device whose clock was never set, say
  const { stepUpToken } = await client.verifyRecoveryCode(user, recoveryCodes[0]!);
  expect(stepUpToken!.split('.')[2], 'the issue time as issue() writes it').toBe((-60_000).toString(36));
  await expect(client.disable(user, { stepUpToken: stepUpToken! })).rejects.toMatchObject({
    code: 'step_up_required',
    reason: 'invalid',
  });
  await expect(client.getStatus(user)).resolves.toMatchObject({ enabled: true });
});

it('a step-up token respelled (padding, the other base64 alphabet) is refused: a token has one spelling, so a token refused or logged once cannot come back in another', async () => {
  // Called on the provider (it is public): MfaClient's own shape check refuses these spellings before it is reached.
  const { client, provider, authenticator, enroll } = totpHarness(new MemoryMfaStore());
  const user = newUser();
  const { secret } = await enroll(user);
  const { stepUpToken } = await client.verifySecondFactor(user, authenticator.code(secret));
  const parts = stepUpToken!.split('.');
  const tag = Buffer.from(parts[3]!, 'base64url');
  // The same 32 MAC bytes: padded (44 characters, one '='), and in the standard alphabet with padding.
  const respellings = [`${parts[3]}=`, tag.toString('base64')];
  for (const respelled of respellings) {
    expect(Buffer.from(respelled, 'base64').equals(tag), 'the same MAC bytes').toBe(true);
    const token = [...parts.slice(0, 3), respelled].join('.');
    await expect(provider.disable(user, undefined, { stepUpToken: token }), respelled).rejects.toMatchObject({
      code: 'step_up_required',
      reason: 'invalid',
    });
  }
  await expect(client.getStatus(user)).resolves.toMatchObject({ enabled: true });
  // The token as issued still works: only its spelling was refused.
  await expect(client.disable(user, { stepUpToken: stepUpToken! })).resolves.toEqual({ enabled: false });
});
