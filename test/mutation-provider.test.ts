import type { CryptoPlugin } from 'otplib';
import { describe, expect, it } from 'vitest';
import { MfaConfigurationError, MfaError, MfaValidationError } from '../src/index.js';
import { createFixedClock } from '../src/testing/index.js';
import { nodeCrypto } from '../src/totp/node-crypto.js';
import { MemoryMfaStore, TotpMfaProvider, type MfaEvent, type MfaStore } from '../src/totp/index.js';
import { START, STEP_MS, TEST_KEY, newUser, totpHarness, wrongCode } from './support/totp.js';
import { warningsDuring } from './support/process-warnings.js';

// The provider's own answers (its name, what disable and adminReset answer, its refusals' messages), what it forgets
// on disable and adminReset (the factor cache, the lock memo, the store's counters), the factor cache after a recovery
// code, and the onEvent listener made safe. Written against the mutation report: each of these changed no answer any
// test of the core set saw.

/** The real memory store with every call counted, and `overrides` in place of some of its methods (a proxy). */
function counted(overrides: (inner: MemoryMfaStore) => Partial<MfaStore> = () => ({})) {
  const calls: string[] = [];
  const inner = new MemoryMfaStore();
  const bent = overrides(inner);
  const store = new Proxy(inner, {
    get(target, property) {
      const value = (Reflect.get(bent, property) ?? Reflect.get(target, property, target)) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => (calls.push(String(property)), value.apply(target, args) as unknown);
    },
  }) as MfaStore;
  /** The store calls `run` makes, and how it ended ('ok' or the error's code). */
  async function callsOf(run: () => Promise<unknown>) {
    const before = calls.length;
    const outcome = await run().then(
      () => 'ok',
      (error: { code?: string }) => error.code,
    );
    return { outcome, calls: calls.slice(before) };
  }
  return { store, inner, callsOf };
}

/** The built-in crypto plugin, unchanged, with each HMAC counted. */
function countingCrypto(): { crypto: CryptoPlugin; hmacs: () => number } {
  let hmacs = 0;
  const crypto: CryptoPlugin = {
    name: 'counting-node',
    hmac: (algorithm, key, data) => (hmacs++, nodeCrypto.hmac(algorithm, key, data)),
    randomBytes: (length) => nodeCrypto.randomBytes(length),
    constantTimeEqual: (a, b) => nodeCrypto.constantTimeEqual(a, b),
  };
  return { crypto, hmacs: () => hmacs };
}

const audit = { actor: 'support:grace', reason: 'lost phone' };

describe('what the provider answers, called directly (TotpMfaProvider is public)', () => {
  it('it names itself "totp", what an app logs and branches on', () => {
    expect(new TotpMfaProvider({ encryptionKey: TEST_KEY }).name).toBe('totp');
  });

  it('getStatus of a user without MFA is exactly { enabled: false, method: null }', async () => {
    const { provider } = totpHarness(new MemoryMfaStore());
    expect(await provider.getStatus(newUser())).toStrictEqual({ enabled: false, method: null });
  });

  it('disable and adminReset answer exactly { enabled: false }: with MFA off, after a proof, and after a reset', async () => {
    const { provider, client, authenticator, enroll, clock } = totpHarness(new MemoryMfaStore());
    expect(await provider.disable(newUser())).toStrictEqual({ enabled: false });
    const user = newUser();
    const { secret } = await enroll(user);
    // No call context at all (it is optional): the proof is still checked and the factor removed.
    const { stepUpToken } = await provider.verifyFactor(user, authenticator.code(secret));
    expect(await provider.disable(user, undefined, { stepUpToken: stepUpToken! })).toStrictEqual({ enabled: false });
    expect(await client.getStatus(user)).toEqual({ enabled: false, method: null });
    const other = newUser();
    await enroll(other);
    expect(await provider.adminReset(other, audit)).toStrictEqual({ enabled: false });
    expect(await client.getStatus(other)).toEqual({ enabled: false, method: null });
    clock.advance(STEP_MS);
  });

  it('a factor removed on another server while disable runs: the proof changes nothing and the answer is { enabled: false }', async () => {
    // Another server's adminReset lands between the proof and this server's delete.
    const { store } = counted((inner) => ({
      deleteFactor: async (request) => {
        if (request.secretId !== undefined) await inner.deleteFactor({ userId: request.userId });
        return inner.deleteFactor(request);
      },
    }));
    const { provider, authenticator, enroll } = totpHarness(store);
    const user = newUser();
    const { secret } = await enroll(user);
    const { stepUpToken } = await provider.verifyFactor(user, authenticator.code(secret));
    expect(await provider.disable(user, undefined, { stepUpToken: stepUpToken! })).toStrictEqual({ enabled: false });
  });

  it('proofs tried against disable of a user whose MFA is off are still checked and audited: a forged token is refused, a code is "not enabled" with a verify_failed event, never a silent { enabled: false }', async () => {
    const { client, authenticator, enroll, events } = totpHarness(new MemoryMfaStore());
    const user = newUser();
    const { secret, recoveryCodes } = await enroll(user);
    const { stepUpToken } = await client.verifySecondFactor(user, authenticator.code(secret));
    await client.disable(user, { stepUpToken: stepUpToken! });
    events.length = 0;
    const answer = (proof: { code: string } | { stepUpToken: string }) =>
      client.disable(user, proof).then(
        (result) => JSON.stringify(result),
        (error: { code: string; reason?: string }) => `${error.code}${error.reason ? `:${error.reason}` : ''}`,
      );
    const forged = `${stepUpToken!.slice(0, -1)}${stepUpToken!.endsWith('A') ? 'Q' : 'A'}`;
    expect(await answer({ stepUpToken: forged })).toBe('step_up_required:invalid');
    expect(await answer({ code: '123456' })).toBe('not_found');
    expect(await answer({ code: recoveryCodes[0]! })).toBe('not_found');
    expect(events.map((event) => event.type === 'verify_failed' && event.reason)).toEqual(['no_factor', 'no_factor']);
    // The token that was good for the factor just removed: nothing left to remove, the same answer as without a proof.
    expect(await answer({ stepUpToken: stepUpToken! })).toBe('{"enabled":false}');
  });

  it('regenerateRecoveryCodes without a call context still checks the proof and answers new codes', async () => {
    const { provider, authenticator, enroll } = totpHarness(new MemoryMfaStore());
    const user = newUser();
    const { secret, recoveryCodes } = await enroll(user);
    const { stepUpToken } = await provider.verifyFactor(user, authenticator.code(secret));
    const fresh = await provider.regenerateRecoveryCodes(user, undefined, { stepUpToken: stepUpToken! });
    expect(fresh.recoveryCodes).toHaveLength(recoveryCodes.length);
    await expect(provider.verifyRecoveryCode(user, recoveryCodes[0]!)).rejects.toMatchObject({ reason: 'mismatch' });
  });

  it('trustDevice without a request rejects with a typed MFA error, never a TypeError', async () => {
    const { provider, enroll } = totpHarness(new MemoryMfaStore());
    const user = newUser();
    await enroll(user);
    for (const request of [undefined, null]) {
      const error = await Promise.resolve()
        .then(() => provider.trustDevice(user, request as never))
        .catch((failure: unknown) => failure);
      expect(error, String(request)).toBeInstanceOf(MfaError);
    }
  });
});

describe('refusals of the provider say what is wrong', () => {
  it('enable with a method other than softwareToken: a validation error on field "method"', async () => {
    const { provider } = totpHarness(new MemoryMfaStore());
    const error = await provider.enable(newUser(), { method: 'smsMfa' as never }).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(MfaValidationError);
    expect(error).toMatchObject({
      message: 'The self-hosted TOTP provider supports only the softwareToken method',
      field: 'method',
    });
  });

  it('enable with no setup at all asks for a verified code; it does not claim a setup expired', async () => {
    const { client } = totpHarness(new MemoryMfaStore());
    await expect(client.enable(newUser())).rejects.toMatchObject({
      reason: 'not_verified',
      message: 'Verify a code from the authenticator before enabling MFA',
    });
  });

  it('a generateSecret that returns no base32 secret of 16 bytes fails the setup, and nothing is stored', async () => {
    for (const secret of ['JBSWY3DPEHPK3PXP', 'not base32 at all!!!!!!!!!!!', 42]) {
      const store = new MemoryMfaStore();
      const { client } = totpHarness(store, { generateSecret: () => secret as string });
      const user = newUser();
      const error = await client.createSetup(user).catch((failure: unknown) => failure);
      expect(error, String(secret)).toBeInstanceOf(MfaConfigurationError);
      expect((error as Error).message).toBe('generateSecret must return a base32 secret of at least 16 bytes');
      expect((await store.load({ userId: user.id })).pending).toBeNull();
    }
  });

  it('a generateSecret that returns an array holding a secret (text only once stringified): the provider itself refuses it, nothing is stored', async () => {
    // Called directly (TotpMfaProvider is public): MfaClient checks the secret again, the provider must not rely on it.
    const store = new MemoryMfaStore();
    const held = ['JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'];
    const { provider } = totpHarness(store, { generateSecret: () => held as never });
    const user = newUser();
    const error = await provider.createSecret(user).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(MfaConfigurationError);
    expect((error as Error).message).toBe('generateSecret must return a base32 secret of at least 16 bytes');
    expect((await store.load({ userId: user.id })).pending).toBeNull();
  });

  it('a setup is dead at the very millisecond it expires: enable then is refused as expired, one millisecond before it works', async () => {
    const setupTtlMs = 60_000;
    for (const [after, outcome] of [
      [setupTtlMs, 'The setup expired before it was enabled; create a new one'],
      [setupTtlMs - 1, 'enabled'],
    ] as const) {
      const { client, authenticator, clock } = totpHarness(new MemoryMfaStore(), { setupTtlMs });
      const user = newUser();
      const { secret } = await client.createSetup(user);
      await client.verify(user, authenticator.code(secret));
      clock.set(START + after);
      const answer = await client.enable(user).then(
        () => 'enabled',
        (error: Error & { reason?: string }) => (expect(error.reason).toBe('not_verified'), error.message),
      );
      expect(answer, `enable ${after} ms after the setup was created`).toBe(outcome);
    }
  });

  it('a now() that returns no valid Date fails the call with a configuration error', async () => {
    for (const now of [() => new Date(Number.NaN), () => START as never]) {
      const { client } = totpHarness(new MemoryMfaStore(), { now });
      const error = await client.createSetup(newUser()).catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(MfaConfigurationError);
      expect((error as Error).message).toBe('now() must return a valid Date');
    }
  });
});

describe('with the factor cache off (factorCacheSize: 0)', () => {
  it('every verify loads, and disable, adminReset and a recovery code of a user without MFA still work', async () => {
    const { store, callsOf } = counted();
    const { client, provider, authenticator, enroll, events, clock } = totpHarness(store, { factorCacheSize: 0 });
    const user = newUser();
    const { secret } = await enroll(user);
    for (let i = 0; i < 2; i++) {
      expect(await callsOf(() => client.verifySecondFactor(user, authenticator.code(secret)))).toEqual({
        outcome: 'ok',
        calls: ['load', 'attemptAndClaim'],
      });
      clock.advance(STEP_MS);
    }
    const { stepUpToken } = await provider.verifyFactor(user, authenticator.code(secret));
    expect(await provider.disable(user, undefined, { stepUpToken: stepUpToken! })).toStrictEqual({ enabled: false });
    clock.advance(STEP_MS);
    const reset = newUser();
    await enroll(reset);
    expect(await provider.adminReset(reset, audit)).toStrictEqual({ enabled: false });
    events.length = 0;
    await expect(client.verifyRecoveryCode(user, 'abcde-fghij')).rejects.toMatchObject({ code: 'not_found' });
    expect(events).toMatchObject([{ type: 'verify_failed', userId: user.id, reason: 'no_factor', attempts: 0 }]);
  });

  it('a known lock still costs no HMAC: the lock memo keeps its floor of 1,000 entries', async () => {
    const { crypto, hmacs } = countingCrypto();
    const { client, authenticator, enroll } = totpHarness(new MemoryMfaStore(), {
      factorCacheSize: 0,
      maxAttempts: 2,
      totpCrypto: crypto,
    });
    const user = newUser();
    const { secret } = await enroll(user);
    for (let i = 0; i < 2; i++)
      await expect(client.verifySecondFactor(user, wrongCode(authenticator.code(secret)))).rejects.toMatchObject({
        reason: 'mismatch',
      });
    const before = hmacs();
    await expect(client.verifySecondFactor(user, authenticator.code(secret))).rejects.toMatchObject({
      code: 'rate_limited',
    });
    expect(hmacs() - before, 'no HMAC while a lock is known').toBe(0);
  });
});

it('adminReset ends a setup lockout at once: the store counters are cleared and no lock is remembered here', async () => {
  const { store, callsOf } = counted();
  const { client, authenticator } = totpHarness(store, { maxAttempts: 2 });
  const user = newUser();
  const { secret } = await client.createSetup(user);
  for (let i = 0; i < 2; i++)
    await expect(client.verify(user, wrongCode(authenticator.code(secret)))).rejects.toMatchObject({
      reason: 'mismatch',
    });
  await expect(client.verify(user, authenticator.code(secret))).rejects.toMatchObject({ code: 'rate_limited' });
  await client.adminReset(user, audit);
  const again = await client.createSetup(user);
  // Confirmed at the first try, in the usual two round trips (no probe of a lock that is gone).
  expect(await callsOf(() => client.verify(user, authenticator.code(again.secret)))).toEqual({
    outcome: 'ok',
    calls: ['load', 'attemptAndClaim'],
  });
});

describe('the factor cache after a recovery code is used', () => {
  it('the factor unchanged: the next verify is still one round trip', async () => {
    const { store, callsOf } = counted();
    const { client, authenticator, enroll, clock } = totpHarness(store);
    const user = newUser();
    const { secret, recoveryCodes } = await enroll(user);
    await client.verifySecondFactor(user, authenticator.code(secret));
    clock.advance(STEP_MS);
    expect(await callsOf(() => client.verifyRecoveryCode(user, recoveryCodes[0]!))).toEqual({
      outcome: 'ok',
      calls: ['useRecoveryCode'],
    });
    expect(await callsOf(() => client.verifySecondFactor(user, authenticator.code(secret)))).toEqual({
      outcome: 'ok',
      calls: ['attemptAndClaim'],
    });
  });

  it('the factor replaced on another server: the code of the new one is read from the store, not tried on the old', async () => {
    const { store, callsOf } = counted();
    const clock = createFixedClock(START);
    const here = totpHarness(store, {}, clock);
    const there = totpHarness(store, {}, clock);
    const user = newUser();
    const old = await here.enroll(user);
    await here.client.verifySecondFactor(user, here.authenticator.code(old.secret));
    clock.advance(STEP_MS);
    const { stepUpToken } = await there.client.verifySecondFactor(user, there.authenticator.code(old.secret));
    await there.client.disable(user, { stepUpToken: stepUpToken! });
    clock.advance(STEP_MS);
    const fresh = await there.enroll(user);
    expect(await callsOf(() => here.client.verifyRecoveryCode(user, fresh.recoveryCodes[0]!))).toEqual({
      outcome: 'ok',
      calls: ['useRecoveryCode'],
    });
    expect(await callsOf(() => here.client.verifySecondFactor(user, here.authenticator.code(fresh.secret)))).toEqual({
      outcome: 'ok',
      calls: ['load', 'attemptAndClaim'],
    });
  });
});

describe('the onEvent listener cannot break a login', () => {
  const EVENT_WARNING = 'SAASUS_MFA_EVENT_LISTENER';

  async function enrollWith(onEvent: unknown) {
    const { client, authenticator, enroll } = totpHarness(new MemoryMfaStore(), { onEvent: onEvent as never });
    const user = newUser();
    let login: unknown;
    const warnings = await warningsDuring(async () => {
      const { secret } = await enroll(user);
      login = await client.verifySecondFactor(user, authenticator.code(secret));
    });
    expect(login).toMatchObject({ verified: true });
    return warnings.filter((warning) => warning.code === EVENT_WARNING).map((warning) => warning.message);
  }

  it('a listener that throws: a process warning naming the error class (never its message), and the call succeeds', async () => {
    const said = await enrollWith(() => {
      throw new TypeError('user u-1 secret JBSWY3DP');
    });
    expect(said.length).toBeGreaterThan(0);
    for (const message of said) expect(message).toBe('saasus-mfa: the onEvent listener failed (TypeError)');
  });

  it('a listener whose promise rejects: a process warning, and the call succeeds', async () => {
    const said = await enrollWith(() => Promise.reject(new RangeError('no')));
    expect(said.length).toBeGreaterThan(0);
    for (const message of said) expect(message).toBe('saasus-mfa: the onEvent listener failed (RangeError)');
  });

  it('a listener that returns a value that is not a promise (events.push) gets every event and no warning', async () => {
    const events: MfaEvent[] = [];
    expect(await enrollWith((event: MfaEvent) => events.push(event))).toEqual([]);
    expect(events.map((event) => event.type)).toEqual(['setup_created', 'verified', 'enabled', 'verified']);
  });

  it('no listener at all: no warning', async () => {
    expect(await enrollWith(undefined)).toEqual([]);
  });
});
