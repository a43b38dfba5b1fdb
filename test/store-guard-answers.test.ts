import { describe, expect, it } from 'vitest';
import { MfaProviderError } from '../src/index.js';
import {
  MemoryMfaStore,
  type AttemptClaim,
  type AttemptClaimResult,
  type MfaStore,
  type RecoveryCodeUse,
  type UseRecoveryCode,
} from '../src/totp/index.js';
import { otherOperationsOf } from './support/store-records.js';
import { newUser, totpHarness, wrongCode } from './support/totp.js';

// The store contract is public: an app may bring its own store. Whatever a buggy or hostile store answers, the store
// guard must fail closed (invalid_response, never a login) and say what the store did wrong, in the operator's log,
// without any secret. Each case below is one answer the guard refuses, with its exact message.

type Bend<Request, Answer> = (real: Answer, request: Request) => unknown;

/** A memory store whose attemptAndClaim and useRecoveryCode answers are replaced once a bend is set. */
function bendableStore() {
  const base = new MemoryMfaStore();
  const bends: {
    claim?: Bend<AttemptClaim, AttemptClaimResult>;
    /** Answers instead of the memory store (which then does nothing) while it returns something. */
    claimInstead?: (claim: AttemptClaim) => Promise<unknown>;
    recovery?: Bend<UseRecoveryCode, RecoveryCodeUse>;
    deleted?: unknown;
  } = {};
  const store: MfaStore = {
    name: 'bent',
    load: (query) => base.load(query),
    ...otherOperationsOf(base),
    attemptAndClaim: async (claim) => {
      const instead = await bends.claimInstead?.(claim);
      if (instead !== undefined) return instead as AttemptClaimResult;
      const real = await base.attemptAndClaim(claim);
      return (bends.claim ? bends.claim(real, claim) : real) as AttemptClaimResult;
    },
    useRecoveryCode: async (request) => {
      const real = await base.useRecoveryCode(request);
      return (bends.recovery ? bends.recovery(real, request) : real) as RecoveryCodeUse;
    },
    deleteFactor: async (request) =>
      bends.deleted === undefined ? base.deleteFactor(request) : (bends.deleted as boolean),
  };
  return { store, bends };
}

/** One window per limit of the request, each with `count` (below or at the limit), as a store would answer. */
const windows = ({ budget }: { budget: AttemptClaim['budget'] }, count: (max: number) => number) =>
  budget.limits.map(({ bucket, max }) => ({ bucket, count: count(max), resetAt: budget.now + budget.windowMs }));

async function enrolled() {
  const { store, bends } = bendableStore();
  const harness = totpHarness(store);
  const user = newUser();
  const { secret, recoveryCodes } = await harness.enroll(user);
  return { ...harness, bends, user, secret, recoveryCodes };
}

/** The call fails as invalid_response with this message, and nothing logged the user in. */
async function refused(call: () => Promise<unknown>, message: string) {
  const error = await call().catch((failure: unknown) => failure);
  expect(error).toBeInstanceOf(MfaProviderError);
  expect(error).toMatchObject({ type: 'invalid_response', retryable: false, message });
}

describe('a store that answers a login code wrongly fails closed', () => {
  it.each<[string, 'right' | 'wrong', Bend<AttemptClaim, AttemptClaimResult>, string]>([
    [
      'login with a wrong code: "claimed" for a code that matched no step',
      'wrong',
      () => ({ outcome: 'claimed' }),
      'The MFA store claimed or replayed a step it was not given',
    ],
    [
      'login with a wrong code: "replayed" for a code that matched no step',
      'wrong',
      (_real, claim) => ({ outcome: 'replayed', attempts: windows(claim, () => 0) }),
      'The MFA store claimed or replayed a step it was not given',
    ],
    [
      'lockout dodged: "mismatch" for a code that matched a step',
      'right',
      (_real, claim) => ({ outcome: 'mismatch', attempts: windows(claim, () => 1) }),
      'The MFA store counted a code that matched a step',
    ],
    ['an unknown outcome', 'right', () => ({ outcome: 'ok' }), 'The MFA store answered an unknown claim outcome'],
    ['no answer at all', 'right', () => undefined, 'The MFA store answered an unknown claim outcome'],
    [
      '"locked" with every count one below its limit',
      'right',
      (_real, claim) => ({ outcome: 'locked', attempts: windows(claim, (max) => max - 1) }),
      'The MFA store answered locked below every limit',
    ],
    [
      '"stale" without the state',
      'right',
      (_real, claim) => ({ outcome: 'stale', attempts: windows(claim, () => 0) }),
      'The MFA store answered a stale claim without the state',
    ],
    [
      '"stale" with a null state',
      'right',
      (_real, claim) => ({ outcome: 'stale', attempts: windows(claim, () => 0), state: null }),
      'The MFA store answered a stale claim without the state',
    ],
    [
      'windows missing (an empty list)',
      'wrong',
      () => ({ outcome: 'mismatch', attempts: [] }),
      'The MFA store answered attempt windows that do not match the limits',
    ],
    [
      'windows that are no list',
      'wrong',
      () => ({ outcome: 'mismatch', attempts: { code: 1 } }),
      'The MFA store answered attempt windows that do not match the limits',
    ],
    [
      'a window for another bucket',
      'wrong',
      (_real, claim) => ({
        outcome: 'mismatch',
        attempts: windows(claim, () => 1).map((w) => ({ ...w, bucket: `${w.bucket}-other` })),
      }),
      'The MFA store answered attempt windows that do not match the limits',
    ],
    [
      'a window that is null',
      'wrong',
      (_real, claim) => ({ outcome: 'mismatch', attempts: windows(claim, () => 1).map(() => null) }),
      'The MFA store answered attempt windows that do not match the limits',
    ],
    ...(
      [
        ['text', '1'],
        ['negative', -1],
        ['fractional', 1.5],
        ['unsafe', 2 ** 53],
      ] as const
    ).map(
      ([kind, count]) =>
        [
          `a count that is ${kind}`,
          'wrong',
          (_real: AttemptClaimResult, claim: AttemptClaim) => ({
            outcome: 'mismatch',
            attempts: windows(claim, () => 0).map((w) => ({ ...w, count })),
          }),
          'The MFA store answered an attempt count that is not a number',
        ] as [string, 'wrong', Bend<AttemptClaim, AttemptClaimResult>, string],
    ),
    ...([Number.NaN, Number.POSITIVE_INFINITY, '1', null] as const).map(
      (resetAt) =>
        [
          `a reset time of ${String(resetAt)}`,
          'wrong',
          (_real: AttemptClaimResult, claim: AttemptClaim) => ({
            outcome: 'mismatch',
            attempts: windows(claim, () => 1).map((w) => ({ ...w, resetAt })),
          }),
          'The MFA store answered an attempt count that is not a number',
        ] as [string, 'wrong', Bend<AttemptClaim, AttemptClaimResult>, string],
    ),
  ])('%s', async (_label, code, bend, message) => {
    const { client, authenticator, bends, user, secret } = await enrolled();
    bends.claim = bend;
    const right = authenticator.code(secret);
    await refused(() => client.verifySecondFactor(user, code === 'right' ? right : wrongCode(right)), message);
  });

  it('"locked" with a count exactly at its limit is a lock (rate_limited), not a broken store', async () => {
    const { client, authenticator, bends, user, secret } = await enrolled();
    bends.claim = (_real, claim) => ({ outcome: 'locked', attempts: windows(claim, (max) => max) });
    await expect(client.verifySecondFactor(user, authenticator.code(secret))).rejects.toMatchObject({
      code: 'rate_limited',
    });
  });
});

describe('a store that answers a recovery code wrongly fails closed', () => {
  it.each<[string, Bend<UseRecoveryCode, RecoveryCodeUse>, string]>([
    ...(['3', -1, 1.5, null] as const).map(
      (remaining) =>
        [
          `"used" with a remaining count of ${String(remaining)}`,
          (real: RecoveryCodeUse) => ({ ...real, remaining }),
          'The MFA store answered a recovery code count that is not a number',
        ] as [string, Bend<UseRecoveryCode, RecoveryCodeUse>, string],
    ),
    ...([undefined, ''] as const).map(
      (secretId) =>
        [
          `"used" with a factor id of ${JSON.stringify(secretId)}`,
          (real: RecoveryCodeUse) => ({ ...real, secretId }),
          'The MFA store used a recovery code without naming the factor',
        ] as [string, Bend<UseRecoveryCode, RecoveryCodeUse>, string],
    ),
    ['an unknown outcome', () => ({ outcome: 'ok' }), 'The MFA store answered an unknown recovery code outcome'],
    [
      '"locked" with every count one below its limit',
      (_real, request) => ({ outcome: 'locked', attempts: windows(request, (max) => max - 1) }),
      'The MFA store answered locked below every limit',
    ],
    [
      '"mismatch" without windows',
      () => ({ outcome: 'mismatch', attempts: [] }),
      'The MFA store answered attempt windows that do not match the limits',
    ],
  ])('%s', async (_label, bend, message) => {
    const { client, bends, user, recoveryCodes } = await enrolled();
    bends.recovery = bend;
    await refused(() => client.verifyRecoveryCode(user, recoveryCodes[0]!), message);
  });

  it('"used" with 0 codes left is a use (the last code), and "no_factor" is MFA off', async () => {
    const { client, bends, user, recoveryCodes } = await enrolled();
    bends.recovery = (real) => ({ ...real, remaining: 0 });
    await expect(client.verifyRecoveryCode(user, recoveryCodes[0]!)).resolves.toMatchObject({ remaining: 0 });
    bends.recovery = () => ({ outcome: 'no_factor' });
    await expect(client.verifyRecoveryCode(user, recoveryCodes[1]!)).rejects.toMatchObject({ code: 'not_found' });
  });
});

it('a store that answers deleteFactor with a truthy value that is not true has not disabled MFA', async () => {
  const { client, authenticator, bends, user, secret, events } = await enrolled();
  const { stepUpToken } = await client.verifySecondFactor(user, authenticator.code(secret));
  bends.deleted = 'yes';
  // The factor is still there: the guard read "not deleted", and the provider found the very factor it asked about.
  await refused(
    () => client.disable(user, { stepUpToken: stepUpToken! }),
    'The MFA store did not make a change it was asked for',
  );
  expect(events.filter((event) => event.type === 'disabled')).toEqual([]);
});

describe('answers the guard must let through, as they are', () => {
  it('a "stale" answer with a readable state is no failure: the code is checked again against the state the store answered', async () => {
    const { client, authenticator, bends, user, secret, provider } = await enrolled();
    let stale = true;
    // The first claim answers as if another server had changed the factor meanwhile (the same factor, read anew),
    // and changes nothing; the second is the memory store's own.
    bends.claimInstead = async (claim) => {
      if (!stale) return undefined;
      stale = false;
      return {
        outcome: 'stale',
        attempts: windows(claim, () => 0),
        state: await provider.store.load({ userId: user.id }),
      };
    };
    await expect(client.verifySecondFactor(user, authenticator.code(secret))).resolves.toMatchObject({
      verified: true,
    });
    expect(stale, 'the stale answer was given').toBe(false);
  });

  it('deleteFactor answered true: MFA is off and the disabled event is audited', async () => {
    const { client, authenticator, user, secret, events } = await enrolled();
    const { stepUpToken } = await client.verifySecondFactor(user, authenticator.code(secret));
    await expect(client.disable(user, { stepUpToken: stepUpToken! })).resolves.toEqual({ enabled: false });
    expect(events.filter((event) => event.type === 'disabled')).toHaveLength(1);
  });

  it('unlock reaches the store: a locked user can try again at once', async () => {
    const { client, authenticator, user, secret } = await enrolled();
    for (let i = 0; i < 5; i++)
      await client.verifySecondFactor(user, wrongCode(authenticator.code(secret))).catch(() => undefined);
    await expect(client.verifySecondFactor(user, authenticator.code(secret))).rejects.toMatchObject({
      code: 'rate_limited',
    });
    await client.unlock(user);
    await expect(client.verifySecondFactor(user, authenticator.code(secret))).resolves.toMatchObject({
      verified: true,
    });
  });
});
