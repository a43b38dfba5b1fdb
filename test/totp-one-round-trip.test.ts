import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MfaConfigurationError } from '../src/index.js';
import { MemoryMfaStore, TotpMfaProvider, type MfaEvent, type MfaStore } from '../src/totp/index.js';
import { describeEachStore } from './support/stores.js';
import { STEP_MS, TEST_KEY, newUser, outcomes, totpHarness, wrongCode } from './support/totp.js';
import { otherOperationsOf } from './support/store-records.js';

// One store round trip per verify: the provider caches each user's factor as the store returned it (sealed) and, on
// the next verify, checks the code first, then counts and claims in one atomic operation that also checks the factor
// is still the stored one. These tests hold it to the rules of the two-round-trip path: a stale cache never lets an
// old secret in, attempts are counted exactly once per call, the cache holds no secret in clear.

/** The store, with every call the provider makes to it counted (a forwarding proxy: the store's own code runs). */
function counted(store: MfaStore): { store: MfaStore; calls: string[] } {
  const calls: string[] = [];
  const proxy = new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(property));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

/** What a verify cost in store calls. */
async function storeCalls(calls: string[], run: () => Promise<unknown>): Promise<string[]> {
  const before = calls.length;
  await run().catch(() => {});
  return calls.slice(before);
}

const failures = (events: MfaEvent[]) =>
  events.flatMap((e) => (e.type === 'verify_failed' ? [`${e.reason}:${e.attempts}`] : []));

await describeEachStore('one round trip per verify on the %s store', (open) => {
  it('a successful verify on a server that has seen the user is one store call; the first one, and a wrong code, as before', async () => {
    const { store, calls } = counted(open.store);
    const { client, authenticator, clock, enroll } = totpHarness(store);
    const user = newUser();
    const { secret } = await enroll(user);
    expect(
      await storeCalls(calls, () => client.verifySecondFactor(user, authenticator.code(secret))),
      'first verify on this server',
    ).toEqual(['load', 'attemptAndClaim']);
    clock.advance(STEP_MS);
    expect(await storeCalls(calls, () => client.verifySecondFactor(user, authenticator.code(secret)))).toEqual([
      'attemptAndClaim',
    ]);
    expect(
      await storeCalls(calls, () => client.verify(user, wrongCode(authenticator.code(secret)))),
      'a wrong code',
    ).toEqual(['attemptAndClaim']);
    clock.advance(STEP_MS);
    expect(await storeCalls(calls, () => client.verify(user, authenticator.code(secret)))).toEqual(['attemptAndClaim']);
    expect(await storeCalls(calls, () => client.verify(user, authenticator.code(secret))), 'a replay').toEqual([
      'attemptAndClaim',
    ]);
  });

  it('a warm verify is still one store round trip with clientKey set: right, wrong and replayed codes alike', async () => {
    const { store, calls } = counted(open.store);
    const { client, authenticator, clock, enroll } = totpHarness(store);
    const user = newUser();
    const { secret } = await enroll(user);
    const ctx = { clientKey: '203.0.113.9' };
    expect(await storeCalls(calls, () => client.verifySecondFactor(user, authenticator.code(secret), ctx))).toEqual([
      'load',
      'attemptAndClaim',
    ]);
    clock.advance(STEP_MS);
    const code = authenticator.code(secret);
    for (const [label, typed] of [
      ['right', code],
      ['replayed', code],
      ['wrong', wrongCode(code)],
    ] as const)
      expect(await storeCalls(calls, () => client.verifySecondFactor(user, typed, ctx)), label).toEqual([
        'attemptAndClaim',
      ]);
  });

  it('a recovery code use is ONE store round trip, on a server that has seen the user or not, and with MFA off: the factor comes with the answer', async () => {
    const { store, calls } = counted(open.store);
    const { client, enroll, clock } = totpHarness(store, { factorCacheSize: 0 });
    const warm = totpHarness(store, {}, clock);
    const user = newUser();
    const { recoveryCodes, secret } = await enroll(user);
    expect(await storeCalls(calls, () => client.verifySecondFactor(user, recoveryCodes[0]!)), 'cold').toEqual([
      'useRecoveryCode',
    ]);
    await warm.client.verifySecondFactor(user, warm.authenticator.code(secret));
    expect(await storeCalls(calls, () => warm.client.verifySecondFactor(user, recoveryCodes[1]!)), 'warm').toEqual([
      'useRecoveryCode',
    ]);
    expect(await storeCalls(calls, () => client.verifyRecoveryCode(user, 'ABCD-EFGH-JKMN')), 'a wrong one').toEqual([
      'useRecoveryCode',
    ]);
    expect(await storeCalls(calls, () => client.verifyRecoveryCode(newUser(), recoveryCodes[2]!)), 'MFA off').toEqual([
      'useRecoveryCode',
    ]);
    // The step-up token of a recovery-code use names the factor the store answered: it is good for an account change.
    const { stepUpToken } = await client.verifySecondFactor(user, recoveryCodes[3]!);
    await expect(client.regenerateRecoveryCodes(user, { stepUpToken })).resolves.toMatchObject({
      recoveryCodes: expect.any(Array),
    });
  });

  it('a login with a device token is ONE store round trip (useTrustedDevice), whatever the token: trusted, revoked, malformed, or MFA off', async () => {
    const { store, calls } = counted(open.store);
    const { client, authenticator, enroll } = totpHarness(store);
    const user = newUser();
    const { secret } = await enroll(user);
    const { deviceToken } = await client.verifySecondFactor(user, authenticator.code(secret), {
      trustDevice: { label: 'Firefox on macOS' },
    });
    const check = (who: typeof user, token: string) =>
      storeCalls(calls, () => client.needsSecondFactor(who, { deviceToken: token }));
    expect(await check(user, deviceToken!), 'trusted').toEqual(['useTrustedDevice']);
    expect(await check(user, 'd1.' + 'A'.repeat(43)), 'unknown').toEqual(['useTrustedDevice']);
    expect(await check(user, 'not a token'), 'malformed').toEqual(['useTrustedDevice']);
    expect(await check(newUser(), deviceToken!), 'another user, MFA off').toEqual(['useTrustedDevice']);
    expect(await storeCalls(calls, () => client.needsSecondFactor(user)), 'no token: as before').toEqual(['load']);
  });

  it('trusting a device costs one more store call after the code check, never a load', async () => {
    const { store, calls } = counted(open.store);
    const { client, authenticator, enroll, clock } = totpHarness(store);
    const user = newUser();
    const { secret } = await enroll(user);
    await client.verifySecondFactor(user, authenticator.code(secret));
    clock.advance(STEP_MS);
    const trustDevice = { label: 'Firefox on macOS' };
    expect(
      await storeCalls(calls, () => client.verifySecondFactor(user, authenticator.code(secret), { trustDevice })),
    ).toEqual(['attemptAndClaim', 'trustDevice']);
  });

  it("stale cache: after the user disabled MFA and enrolled a new authenticator on another server, the old one's codes are refused here, the new one's accepted", async () => {
    const here = totpHarness(open.store, { maxAttempts: 10 });
    const there = totpHarness(open.peer, { maxAttempts: 10 }, here.clock);
    const user = newUser();
    const { secret: oldSecret } = await here.enroll(user);
    await here.client.verifySecondFactor(user, here.authenticator.code(oldSecret)); // this server now caches the old factor
    here.clock.advance(STEP_MS);

    await there.client.disable(user, { code: there.authenticator.code(oldSecret) });
    const { secret: newSecret } = await there.enroll(user);
    expect(newSecret).not.toBe(oldSecret);

    // The old authenticator's current code is exactly the one the cached (old) factor would accept.
    await expect(here.client.verifySecondFactor(user, here.authenticator.code(oldSecret))).rejects.toMatchObject({
      code: 'invalid_code',
      reason: 'mismatch',
    });
    await expect(here.client.verify(user, here.authenticator.code(oldSecret))).rejects.toMatchObject({
      code: 'invalid_code',
      reason: 'mismatch',
    });
    await expect(here.client.verifySecondFactor(user, here.authenticator.code(newSecret))).resolves.toMatchObject({
      verified: true,
    });
    here.clock.advance(STEP_MS);
    await expect(
      here.client.verifySecondFactor(user, here.authenticator.code(oldSecret)),
      'nor later',
    ).rejects.toMatchObject({ reason: 'mismatch' });
    await expect(here.client.verifySecondFactor(user, here.authenticator.code(newSecret))).resolves.toMatchObject({
      verified: true,
    });
  });

  it('stale cache: after MFA was disabled on another server, a code of the removed authenticator is "not enabled", not a pass', async () => {
    const here = totpHarness(open.store);
    const there = totpHarness(open.peer, {}, here.clock);
    const user = newUser();
    const { secret } = await here.enroll(user);
    await here.client.verifySecondFactor(user, here.authenticator.code(secret));
    here.clock.advance(STEP_MS);
    await there.client.disable(user, { code: there.authenticator.code(secret) });
    await expect(here.client.verifySecondFactor(user, here.authenticator.code(secret))).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(here.client.getStatus(user)).resolves.toEqual({ enabled: false, method: null });
  });

  it('brute force: a call that finds the cache stale counts one attempt, not two, and the limit is exact across servers', async () => {
    const here = totpHarness(open.store, { maxAttempts: 4 });
    const there = totpHarness(open.peer, { maxAttempts: 4 }, here.clock);
    const user = newUser();
    const { secret: oldSecret } = await here.enroll(user);
    const { stepUpToken } = await here.client.verifySecondFactor(user, here.authenticator.code(oldSecret));
    await there.client.disable(user, { stepUpToken });
    const { secret: newSecret } = await there.enroll(user);

    const wrong = () => wrongCode(here.authenticator.code(newSecret));
    await expect(here.client.verifySecondFactor(user, wrong())).rejects.toMatchObject({ reason: 'mismatch' }); // stale, then refused
    await expect(there.client.verifySecondFactor(user, wrong())).rejects.toMatchObject({ reason: 'mismatch' });
    await expect(here.client.verifySecondFactor(user, here.authenticator.code(oldSecret))).rejects.toMatchObject({
      reason: 'mismatch',
    });
    await expect(here.client.verifySecondFactor(user, wrong())).rejects.toMatchObject({ reason: 'mismatch' });
    await expect(
      here.client.verifySecondFactor(user, here.authenticator.code(newSecret)),
      'the 5th attempt, right code',
    ).rejects.toMatchObject({ code: 'rate_limited' });
    // The fourth failure reached the limit: the lock holds the count at 4 (a locked attempt is not counted).
    expect(failures(here.events)).toEqual(['mismatch:1', 'mismatch:3', 'mismatch:4', 'rate_limited:4']);
    expect(failures(there.events)).toEqual(['mismatch:2']);
    expect(here.events.filter((e) => e.type === 'locked')).toHaveLength(1);
  });

  it('brute force: past the limit, a right and a wrong code get the same refusal through the same store operation, and nothing is claimed', async () => {
    const { store, calls } = counted(open.store);
    const { client, authenticator, clock, enroll, events } = totpHarness(store, { maxAttempts: 2 });
    const user = newUser();
    const { secret } = await enroll(user);
    await client.verifySecondFactor(user, authenticator.code(secret));
    clock.advance(STEP_MS);
    for (let i = 0; i < 2; i++)
      await expect(client.verifySecondFactor(user, wrongCode(authenticator.code(secret)))).rejects.toMatchObject({
        reason: 'mismatch',
      });
    const lastStep = (await open.store.load({ userId: user.id })).factor?.lastStep;
    let right: unknown;
    const rightCalls = await storeCalls(calls, () =>
      client.verifySecondFactor(user, authenticator.code(secret)).catch((error: unknown) => (right = error)),
    );
    let wrong: unknown;
    const wrongCalls = await storeCalls(calls, () =>
      client.verifySecondFactor(user, wrongCode(authenticator.code(secret))).catch((error: unknown) => (wrong = error)),
    );
    expect(rightCalls).toEqual(['attemptAndClaim']);
    expect(wrongCalls).toEqual(rightCalls);
    expect(right).toMatchObject({ code: 'rate_limited', retryAfterMs: expect.any(Number) });
    expect(wrong).toEqual(right);
    expect(failures(events).slice(-2)).toEqual(['rate_limited:2', 'rate_limited:2']);
    expect((await open.store.load({ userId: user.id })).factor?.lastStep, 'the right code was not claimed').toBe(
      lastStep,
    );
  });

  it('replay: 50 simultaneous verifications of one valid code on a server that has seen the user succeed exactly once', async () => {
    const { client, authenticator, clock, enroll } = totpHarness(open.store, { maxAttempts: 100 });
    const user = newUser();
    const { secret } = await enroll(user);
    await client.verifySecondFactor(user, authenticator.code(secret));
    clock.advance(STEP_MS);
    const code = authenticator.code(secret);
    const result = await outcomes(Array.from({ length: 50 }, () => client.verifySecondFactor(user, code)));
    expect(result.fulfilled).toBe(1);
    expect(result.rejected).toEqual(Array(49).fill('invalid_code:replayed'));
  });

  it('replay: two servers that both cache the user race on one code: one success in all', async () => {
    const first = totpHarness(open.store, { maxAttempts: 100 });
    const second = totpHarness(open.peer, { maxAttempts: 100 }, first.clock);
    const user = newUser();
    const { secret } = await first.enroll(user);
    await first.client.verifySecondFactor(user, first.authenticator.code(secret));
    first.clock.advance(STEP_MS);
    await second.client.verifySecondFactor(user, first.authenticator.code(secret));
    first.clock.advance(STEP_MS);
    const code = first.authenticator.code(secret);
    const result = await outcomes(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? first : second).client.verifySecondFactor(user, code)),
    );
    expect(result.fulfilled).toBe(1);
  });

  it('leak: a provider object written to a log shows neither the secret nor the cached sealed factors and user ids', async () => {
    const { client, authenticator, enroll, provider } = totpHarness(open.store);
    const user = newUser();
    const { secret } = await enroll(user);
    await expect(client.verifySecondFactor(user, wrongCode(authenticator.code(secret)))).rejects.toMatchObject({
      reason: 'mismatch',
    });
    const stored = (await open.store.load({ userId: user.id })).factor!;
    const dump = inspect(provider, {
      depth: Infinity,
      showHidden: true,
      maxArrayLength: Infinity,
      maxStringLength: Infinity,
    });
    // The cache is a private (#) field: what it holds (sealed factors, as the store does) stays out of any dump. (A
    // MemoryMfaStore is the store itself and shows its own records, sealed, on purpose: only the clear secret is
    // checked there.)
    const cachedForms = open.store instanceof MemoryMfaStore ? [] : [stored.sealedSecret, stored.secretId];
    for (const form of [secret, secret.toLowerCase(), Buffer.from(secret).toString('base64'), ...cachedForms]) {
      expect(dump.includes(form), form.slice(0, 12)).toBe(false);
    }
    for (const form of cachedForms) expect(JSON.stringify(provider)).not.toContain(form);
  });
});

describe('the factor cache and custom stores', () => {
  /** A memory store whose `attemptAndClaim` answers `answer` for the enabled factor (a setup still confirms). */
  function sloppyStore(answer: unknown): MfaStore {
    const base = new MemoryMfaStore();
    return {
      name: 'custom',
      load: (query) => base.load(query),
      ...otherOperationsOf(base),
      attemptAndClaim: (claim) =>
        claim.target === 'factor' ? Promise.resolve(answer as never) : base.attemptAndClaim(claim),
    };
  }

  it('a custom store written for the first contract (beginAttempt, claimStep, consumeRecoveryCode) is refused at construction, naming what it lacks', () => {
    const base = new MemoryMfaStore();
    const v1 = {
      name: 'custom',
      load: base.load.bind(base),
      savePending: base.savePending.bind(base),
      activatePending: base.activatePending.bind(base),
      replaceRecoveryCodes: base.replaceRecoveryCodes.bind(base),
      deleteFactor: base.deleteFactor.bind(base),
      beginAttempt: async () => ({}),
      claimStep: async () => true,
      consumeRecoveryCode: async () => 0,
    } as unknown as MfaStore;
    expect(() => new TotpMfaProvider({ store: v1, encryptionKey: TEST_KEY })).toThrow(MfaConfigurationError);
    expect(() => new TotpMfaProvider({ store: v1, encryptionKey: TEST_KEY })).toThrow(
      /attemptAndClaim, useRecoveryCode, clearAttempts/,
    );
  });

  it('factorCacheSize: 0 turns the cache off, and a bound of 1 keeps only the last user', async () => {
    for (const [size, expected] of [
      [0, ['load', 'attemptAndClaim']],
      [1, ['load', 'attemptAndClaim']],
      [2, ['attemptAndClaim']],
    ] as const) {
      const { store, calls } = counted(new MemoryMfaStore());
      const { client, authenticator, clock, enroll } = totpHarness(store, { factorCacheSize: size });
      const [ada, bob] = [newUser(), newUser()];
      const secrets = [(await enroll(ada)).secret, (await enroll(bob)).secret] as const;
      await client.verifySecondFactor(ada, authenticator.code(secrets[0]));
      await client.verifySecondFactor(bob, authenticator.code(secrets[1]));
      clock.advance(STEP_MS);
      expect(
        await storeCalls(calls, () => client.verifySecondFactor(ada, authenticator.code(secrets[0]))),
        `size ${size}`,
      ).toEqual(expected);
    }
  });

  it.each([-1, 1.5, '10', Number.NaN])('factorCacheSize %s is a configuration error at construction', (size) => {
    expect(() => new TotpMfaProvider({ encryptionKey: TEST_KEY, factorCacheSize: size as number })).toThrow(
      MfaConfigurationError,
    );
  });

  it.each([
    ['an unknown outcome', { outcome: 'ok' }],
    ['nothing', undefined],
    ['"locked" without a count', { outcome: 'locked' }],
    ['"locked" below every limit', { outcome: 'locked', attempts: [{ bucket: 'code', count: 0, resetAt: 0 }] }],
    [
      '"mismatch" for a code that matched',
      { outcome: 'mismatch', attempts: [{ bucket: 'code', count: 1, resetAt: 1 }] },
    ],
    ['a count that is not a number', { outcome: 'replayed', attempts: [{ bucket: 'code', count: '1', resetAt: 0 }] }],
    ['a window for another bucket', { outcome: 'replayed', attempts: [{ bucket: 'setup', count: 0, resetAt: 0 }] }],
    ['no window per limit', { outcome: 'replayed', attempts: [] }],
    ['the v1 "counted"', { outcome: 'counted', attempts: [{ bucket: 'code', count: 1, resetAt: 1 }] }],
    ['"stale" without the state', { outcome: 'stale', attempts: [{ bucket: 'code', count: 0, resetAt: 0 }] }],
  ])('fails closed: a custom attemptAndClaim answering %s never verifies', async (_label, answer) => {
    const { client, authenticator, enroll } = totpHarness(sloppyStore(answer));
    const user = newUser();
    const { secret } = await enroll(user);
    await expect(client.verifySecondFactor(user, authenticator.code(secret))).rejects.toMatchObject({
      code: 'provider_error',
      type: 'invalid_response',
    });
  });

  it('key rotation: a one-round-trip login re-seals a secret sealed with an old key in the same store operation', async () => {
    const { store, calls } = counted(new MemoryMfaStore());
    const [oldKey, newKey] = [
      { id: 'old', key: Buffer.alloc(32, 1) },
      { id: 'new', key: Buffer.alloc(32, 2) },
    ];
    const before = totpHarness(store, { encryptionKey: oldKey });
    const user = newUser();
    const { secret } = await before.enroll(user);
    const rotated = totpHarness(store, { encryptionKey: [newKey, oldKey] }, before.clock);
    // A failed attempt fills the cache with the factor still sealed with the old key, and changes nothing.
    await expect(
      rotated.client.verifySecondFactor(user, wrongCode(rotated.authenticator.code(secret))),
    ).rejects.toMatchObject({ reason: 'mismatch' });
    expect((await store.load({ userId: user.id })).factor!.sealedSecret).toMatch(/^v1\.old\./);
    expect(
      await storeCalls(calls, () => rotated.client.verifySecondFactor(user, rotated.authenticator.code(secret))),
    ).toEqual(['attemptAndClaim']);
    expect((await store.load({ userId: user.id })).factor!.sealedSecret).toMatch(/^v1\.new\./);
    before.clock.advance(STEP_MS);
    const retired = totpHarness(store, { encryptionKey: newKey }, before.clock);
    await expect(retired.client.verifySecondFactor(user, retired.authenticator.code(secret))).resolves.toMatchObject({
      verified: true,
    });
    // The rotated server's cache follows the re-sealed secret too.
    before.clock.advance(STEP_MS);
    expect(
      await storeCalls(calls, () => rotated.client.verifySecondFactor(user, rotated.authenticator.code(secret))),
    ).toEqual(['attemptAndClaim']);
    expect((await store.load({ userId: user.id })).factor!.lastStep).toBe(Math.floor(before.clock.nowMs() / STEP_MS));
  });
});
