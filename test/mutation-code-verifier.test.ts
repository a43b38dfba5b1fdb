import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MfaConflictError, MfaInvalidCodeError, MfaNotFoundError, MfaProviderError } from '../src/index.js';
import {
  MemoryMfaStore,
  type AttemptClaim,
  type AttemptClaimResult,
  type MfaStore,
  type TotpMfaProviderOptions,
} from '../src/totp/index.js';
import { trustedDevicesOf } from './support/store-records.js';
import { STEP_MS, newUser, totpHarness, wrongCode } from './support/totp.js';

// The code check (code-verifier.ts) around the answers only a race gives: a factor replaced or removed on another
// server between this server's read (or cache) and its claim, a sealed secret that does not open, a key rotation,
// a known lock. Each is staged through the public MfaStore interface on the real memory store: "another server" is a
// second provider on the same store, or the store's own operations; only the lock-check test bends one answer.

/** What a test does at a point of the store's work: act as another server, or bend an answer. */
interface Hooks {
  beforeLoad?: ((userId: string) => Promise<void> | void) | undefined;
  beforeClaim?: ((claim: AttemptClaim) => Promise<void> | void) | undefined;
  answer?: ((claim: AttemptClaim, answer: AttemptClaimResult) => AttemptClaimResult) | undefined;
  beforeActivate?: ((userId: string) => Promise<void> | void) | undefined;
}

/** The real memory store behind a wrapper that records every call and claim the provider makes, and runs `hooks`. */
function recorded() {
  const base = new MemoryMfaStore();
  const calls: string[] = [];
  const claims: AttemptClaim[] = [];
  const hooks: Hooks = {};
  const store: MfaStore = {
    name: 'recorded',
    load: async (query) => {
      calls.push('load');
      await hooks.beforeLoad?.(query.userId);
      return base.load(query);
    },
    attemptAndClaim: async (claim) => {
      calls.push('attemptAndClaim');
      claims.push(claim);
      // A check that loops on the store (a lock never forgotten, stale answers without end) fails here, not hangs.
      if (claims.length > 100) throw new Error('runaway: more than 100 claims in one test');
      await hooks.beforeClaim?.(claim);
      const answer = await base.attemptAndClaim(claim);
      return hooks.answer ? hooks.answer(claim, answer) : answer;
    },
    savePending: (request) => (calls.push('savePending'), base.savePending(request)),
    activatePending: async (request) => {
      calls.push('activatePending');
      await hooks.beforeActivate?.(request.userId);
      return base.activatePending(request);
    },
    useRecoveryCode: (request) => (calls.push('useRecoveryCode'), base.useRecoveryCode(request)),
    replaceRecoveryCodes: (request) => (calls.push('replaceRecoveryCodes'), base.replaceRecoveryCodes(request)),
    deleteFactor: (request) => (calls.push('deleteFactor'), base.deleteFactor(request)),
    clearAttempts: (query) => (calls.push('clearAttempts'), base.clearAttempts(query)),
    ...trustedDevicesOf(base),
  };
  return { base, store, calls, claims, hooks };
}

/** What one call answered ('ok' or the error's code) and the store calls it made. */
async function callsOf(calls: string[], run: () => Promise<unknown>) {
  const before = calls.length;
  const outcome = await run().then(
    () => 'ok',
    (error: { code?: string }) => error.code,
  );
  return { outcome, calls: calls.slice(before) };
}

/**
 * Another server replaces the user's factor through the store's own operations (a confirmed setup promoted over
 * it): a new `secretId`, the given sealed secret (by default the same one, as a restore from a backup would leave).
 */
async function replaceFactor(base: MfaStore, userId: string, now: number, sealedSecret?: string): Promise<string> {
  const { factor } = await base.load({ userId });
  const secretId = randomUUID();
  const pending = {
    secretId,
    sealedSecret: sealedSecret ?? factor!.sealedSecret,
    lastStep: factor!.lastStep,
    createdAt: now,
    expiresAt: now + 600_000,
    confirmed: true,
  };
  await base.savePending({ userId, pending });
  expect(await base.activatePending({ userId, secretId, recoveryCodeHashes: [], now })).toBe(true);
  return secretId;
}

/** The sealed secret with one ciphertext bit flipped (`v1.<keyId>.<iv>.<tag>.<ciphertext>`). */
function damaged(sealedSecret: string): string {
  const parts = sealedSecret.split('.');
  const bytes = Buffer.from(parts[4]!, 'base64url');
  bytes[0]! ^= 1;
  parts[4] = bytes.toString('base64url');
  return parts.join('.');
}

const [OLD_KEY, NEW_KEY] = [
  { id: 'old', key: Buffer.alloc(32, 1) },
  { id: 'new', key: Buffer.alloc(32, 2) },
];

describe('a factor that changes under a check', () => {
  it('a factor replaced on another server before each claim of one check is a retryable store_unavailable error after exactly two claims, never a success', async () => {
    const { base, store, calls, hooks } = recorded();
    const { client, authenticator, enroll, clock } = totpHarness(store);
    const user = newUser();
    const { secret } = await enroll(user);
    let replacements = 0;
    hooks.beforeClaim = async (claim) => {
      if (replacements < 2) {
        replacements++;
        await replaceFactor(base, claim.userId, clock.nowMs());
      }
    };
    const before = calls.length;
    const error = await client.verifySecondFactor(user, authenticator.code(secret)).catch((e: unknown) => e);
    expect(calls.slice(before)).toEqual(['load', 'attemptAndClaim', 'attemptAndClaim']);
    expect(error).toBeInstanceOf(MfaProviderError);
    expect(error).toMatchObject({
      code: 'provider_error',
      status: 502,
      type: 'store_unavailable',
      retryable: true,
      message: 'The MFA state changed during the check; try again',
    });
    // Nothing was claimed: once the factor stays put, the same code passes.
    await expect(client.verifySecondFactor(user, authenticator.code(secret))).resolves.toMatchObject({
      verified: true,
    });
  });

  it('a factor re-enrolled on another server: a wrong code is checked on the new factor, and the next login on this server is one round trip on the new one', async () => {
    const { base, store, calls, claims } = recorded();
    const here = totpHarness(store);
    const there = totpHarness(base, {}, here.clock);
    const user = newUser();
    const { secret } = await here.enroll(user);
    await here.client.verifySecondFactor(user, here.authenticator.code(secret));
    here.clock.advance(STEP_MS);
    await there.client.disable(user, { code: there.authenticator.code(secret) });
    const { secret: newSecret } = await there.enroll(user);
    const newId = (await base.load({ userId: user.id })).factor!.secretId;

    const wrong = await callsOf(calls, () =>
      here.client.verifySecondFactor(user, wrongCode(here.authenticator.code(newSecret))),
    );
    expect(wrong).toEqual({ outcome: 'invalid_code', calls: ['attemptAndClaim', 'attemptAndClaim'] });
    expect(claims.at(-1)).toMatchObject({ secretId: newId, step: null });
    expect(
      await callsOf(calls, () => here.client.verifySecondFactor(user, here.authenticator.code(newSecret))),
    ).toEqual({ outcome: 'ok', calls: ['attemptAndClaim'] });
    expect(claims.at(-1)).toMatchObject({ secretId: newId });
  });

  it('after MFA was turned off on another server, this server drops the factor it held: the next login reads the store, it never claims against the removed factor', async () => {
    const { base, store, calls } = recorded();
    const here = totpHarness(store);
    const there = totpHarness(base, {}, here.clock);
    const user = newUser();
    const { secret } = await here.enroll(user);
    await here.client.verifySecondFactor(user, here.authenticator.code(secret));
    here.clock.advance(STEP_MS);
    await there.client.disable(user, { code: there.authenticator.code(secret) });
    here.clock.advance(STEP_MS);
    const code = here.authenticator.code(secret);
    expect(await callsOf(calls, () => here.client.verifySecondFactor(user, code))).toEqual({
      outcome: 'not_found',
      calls: ['attemptAndClaim'],
    });
    expect(await callsOf(calls, () => here.client.verifySecondFactor(user, code))).toEqual({
      outcome: 'not_found',
      calls: ['load'],
    });
  });

  it('a confirmed setup is never taken for the enabled factor: until enable, a login reads the store and answers "not enabled"', async () => {
    const { store, calls } = recorded();
    const { client, authenticator, clock } = totpHarness(store);
    const user = newUser();
    const { secret } = await client.createSetup(user);
    await client.verify(user, authenticator.code(secret));
    clock.advance(STEP_MS);
    const before = calls.length;
    const login = client.verifySecondFactor(user, authenticator.code(secret));
    await expect(login).rejects.toBeInstanceOf(MfaNotFoundError);
    await expect(login).rejects.toThrow('MFA is not enabled for this user');
    expect(calls.slice(before)).toEqual(['load']);
  });
});

describe('sealed secrets under the check', () => {
  it.each([
    ['with the factor cache', {}],
    ['with factorCacheSize 0', { factorCacheSize: 0 }],
  ] as const)(
    'a sealed secret damaged in the store fails as store_corrupt, and once the store holds a good one again the next login reads it (%s)',
    async (_label, options: Partial<TotpMfaProviderOptions>) => {
      const { base, store, calls } = recorded();
      const { client, authenticator, enroll, clock } = totpHarness(store, options);
      const user = newUser();
      const { secret } = await enroll(user);
      const good = (await base.load({ userId: user.id })).factor!.sealedSecret;
      await replaceFactor(base, user.id, clock.nowMs(), damaged(good));
      const refused = client.verifySecondFactor(user, authenticator.code(secret));
      await expect(refused).rejects.toBeInstanceOf(MfaProviderError);
      await expect(refused).rejects.toMatchObject({ type: 'store_corrupt' });
      await replaceFactor(base, user.id, clock.nowMs(), good);
      expect(await callsOf(calls, () => client.verifySecondFactor(user, authenticator.code(secret)))).toEqual({
        outcome: 'ok',
        calls: ['load', 'attemptAndClaim'],
      });
    },
  );

  it('key rotation: a wrong code under an old key rewrites nothing: the claim carries no resealed secret and the stored one stays under the old key', async () => {
    const { base, store, claims } = recorded();
    const before = totpHarness(store, { encryptionKey: OLD_KEY });
    const user = newUser();
    const { secret } = await before.enroll(user);
    const rotated = totpHarness(store, { encryptionKey: [NEW_KEY, OLD_KEY] }, before.clock);
    await expect(
      rotated.client.verifySecondFactor(user, wrongCode(rotated.authenticator.code(secret))),
    ).rejects.toBeInstanceOf(MfaInvalidCodeError);
    expect(claims.at(-1)).toMatchObject({ step: null });
    expect(claims.at(-1)!.resealedSecret).toBeUndefined();
    expect((await base.load({ userId: user.id })).factor!.sealedSecret).toMatch(/^v1\.old\./);
  });

  it('key rotation: after a login resealed the secret, this server holds the resealed one: the next login rewrites nothing', async () => {
    const { base, store, claims } = recorded();
    const before = totpHarness(store, { encryptionKey: OLD_KEY });
    const user = newUser();
    const { secret } = await before.enroll(user);
    const rotated = totpHarness(store, { encryptionKey: [NEW_KEY, OLD_KEY] }, before.clock);
    await rotated.client.verifySecondFactor(user, rotated.authenticator.code(secret));
    expect(claims.at(-1)!.resealedSecret).toMatch(/^v1\.new\./);
    expect((await base.load({ userId: user.id })).factor!.sealedSecret).toBe(claims.at(-1)!.resealedSecret);
    before.clock.advance(STEP_MS);
    await expect(rotated.client.verifySecondFactor(user, rotated.authenticator.code(secret))).resolves.toMatchObject({
      verified: true,
    });
    expect(claims.at(-1)!.step).not.toBeNull();
    expect(claims.at(-1)!.resealedSecret).toBeUndefined();
  });
});

describe('budgets, audit events and the lock check', () => {
  it('a code confirming a setup is checked against the "setup" budget, a login code against the login budget', async () => {
    const { store, claims } = recorded();
    const { client, authenticator, clock } = totpHarness(store);
    const user = newUser();
    const { secret } = await client.createSetup(user);
    await client.verify(user, wrongCode(authenticator.code(secret))).catch(() => {});
    await client.verify(user, authenticator.code(secret));
    expect(claims.map((claim) => [claim.target, claim.budget.limits.map((limit) => limit.bucket)])).toEqual([
      ['pending', ['setup']],
      ['pending', ['setup']],
    ]);
    await client.enable(user);
    clock.advance(STEP_MS);
    await client.verifySecondFactor(user, wrongCode(authenticator.code(secret))).catch(() => {});
    expect(claims.at(-1)!.target).toBe('factor');
    expect(claims.at(-1)!.budget.limits.map((limit) => limit.bucket)).toEqual(['code']);
  });

  it('audit: a code for an expired setup, and a code with nothing to check against, are reported as verify_failed expired_setup / no_factor, nothing counted', async () => {
    const { client, authenticator, clock, events } = totpHarness(new MemoryMfaStore());
    const user = newUser();
    const { secret } = await client.createSetup(user);
    clock.advance(11 * 60_000);
    await expect(client.verify(user, authenticator.code(secret))).rejects.toMatchObject({ reason: 'expired_setup' });
    const nobody = newUser();
    await expect(client.verify(nobody, '123456')).rejects.toBeInstanceOf(MfaNotFoundError);
    await expect(client.verifySecondFactor(nobody, '123456')).rejects.toBeInstanceOf(MfaNotFoundError);
    const at = new Date(clock.nowMs());
    expect(events.filter((event) => event.type === 'verify_failed')).toEqual([
      { type: 'verify_failed', userId: user.id, at, reason: 'expired_setup', attempts: 0 },
      { type: 'verify_failed', userId: nobody.id, at, reason: 'no_factor', attempts: 0 },
      { type: 'verify_failed', userId: nobody.id, at, reason: 'no_factor', attempts: 0 },
    ]);
  });

  it('a lock known on this server is checked with the store without the code; once it is lifted on another server, one check and the lock is forgotten', async () => {
    const { base, store, calls, claims } = recorded();
    const { client, authenticator, enroll, clock } = totpHarness(store);
    const there = totpHarness(base, {}, clock);
    const user = newUser();
    const { secret } = await enroll(user);
    for (let i = 0; i < 5; i++)
      await client.verifySecondFactor(user, wrongCode(authenticator.code(secret))).catch(() => {});
    const factorId = claims.at(-1)!.secretId;
    expect(await callsOf(calls, () => client.verifySecondFactor(user, authenticator.code(secret)))).toEqual({
      outcome: 'rate_limited',
      calls: ['attemptAndClaim'],
    });
    expect(claims.at(-1)).toMatchObject({ step: null });
    expect(claims.at(-1)!.secretId).not.toBe(factorId);
    await there.client.unlock(user);
    expect(await callsOf(calls, () => client.verifySecondFactor(user, authenticator.code(secret))), 'lifted').toEqual({
      outcome: 'ok',
      calls: ['attemptAndClaim', 'attemptAndClaim'],
    });
    clock.advance(STEP_MS);
    expect(await callsOf(calls, () => client.verifySecondFactor(user, authenticator.code(secret))), 'next').toEqual({
      outcome: 'ok',
      calls: ['attemptAndClaim'],
    });
  });

  it('a store that answers the lock check of a locked user with a counted failure, for a secret it does not hold, fails closed as invalid_response', async () => {
    const { store, claims, hooks } = recorded();
    const { client, authenticator, enroll } = totpHarness(store);
    const user = newUser();
    const { secret } = await enroll(user);
    for (let i = 0; i < 5; i++)
      await client.verifySecondFactor(user, wrongCode(authenticator.code(secret))).catch(() => {});
    const factorId = claims.at(-1)!.secretId;
    hooks.answer = (_claim, answer) =>
      answer.outcome === 'locked' ? { outcome: 'mismatch', attempts: answer.attempts } : answer;
    const error = await client.verifySecondFactor(user, authenticator.code(secret)).catch((e: unknown) => e);
    // The check of a known lock names no secret the user has and no step: the code was not computed.
    expect(claims.at(-1)).toMatchObject({ step: null });
    expect(claims.at(-1)!.secretId).not.toBe(factorId);
    expect(error).toBeInstanceOf(MfaProviderError);
    expect(error).toMatchObject({
      type: 'invalid_response',
      retryable: false,
      message: 'The MFA store counted an attempt for a secret it lacks',
    });
  });
});

describe('refusals of races (refusals.ts)', () => {
  it('enable racing a new setup on another server: nothing is enabled, and the user is told to verify a new code (409 not_verified)', async () => {
    const { base, store, hooks } = recorded();
    const { client, authenticator, clock } = totpHarness(store);
    const there = totpHarness(base, {}, clock);
    const user = newUser();
    const { secret } = await client.createSetup(user);
    await client.verify(user, authenticator.code(secret));
    hooks.beforeActivate = async (userId) => {
      hooks.beforeActivate = undefined;
      await there.client.createSetup({ id: userId });
    };
    const error = await client.enable(user).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MfaConflictError);
    expect(error).toMatchObject({
      code: 'not_verified',
      reason: 'not_verified',
      status: 409,
      retryable: false,
      message: 'The setup changed while it was being enabled; verify a new code',
    });
    expect((await base.load({ userId: user.id })).factor).toBeNull();
  });
});
