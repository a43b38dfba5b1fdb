import { expect } from 'vitest';
import type {
  AttemptBudget,
  AttemptClaim,
  AttemptClaimResult,
  AttemptLimit,
  AttemptWindow,
  MfaStore,
  RecoveryCodeUse,
} from '../../src/totp/store.js';
import { NOW, WINDOW, newUser, pending } from './store-records.js';

// Shared steps of the store contract suites (store-contract*.test.ts): building budgets, enrolling a user through
// the contract's own operations, and reading a bucket's window without changing it.

/** A budget at `now` (default NOW) with a 15-minute window; each limit is `[bucket, max]`. */
export function budget(limits: ReadonlyArray<readonly [string, number]> = [['code', 5]], now = NOW): AttemptBudget {
  return { now, windowMs: WINDOW, limits: limits.map(([bucket, max]): AttemptLimit => ({ bucket, max })) };
}

/** attemptAndClaim on the enabled factor with the suite's defaults (bucket `code`, max 5, now). */
export function claim(
  store: MfaStore,
  userId: string,
  request: Partial<AttemptClaim> & Pick<AttemptClaim, 'secretId' | 'step'>,
): Promise<AttemptClaimResult> {
  return store.attemptAndClaim({ userId, target: 'factor', budget: budget(), ...request });
}

/** useRecoveryCode on the recovery bucket (max 5) unless told otherwise. */
export function recover(
  store: MfaStore,
  userId: string,
  candidateHashes: readonly string[],
  recoveryBudget: AttemptBudget = budget([['recovery', 5]]),
): Promise<RecoveryCodeUse> {
  return store.useRecoveryCode({ userId, candidateHashes, budget: recoveryBudget });
}

/** A window as the contract reports it; `count: 0, resetAt: 0` for an ended or never counted bucket. */
export const window = (bucket: string, count: number, resetAt: number): AttemptWindow => ({ bucket, count, resetAt });

/** No secret has this id, so a claim naming it is stale (or locked) and changes nothing: a side-effect-free read. */
const NO_SUCH_SECRET = 'peek-no-such-secret';

/** The contract's budgets hold one to three limits: longer bucket lists are read and counted three at a time. */
const MAX_LIMITS = 3;
const inThrees = (buckets: readonly string[]) =>
  Array.from({ length: Math.ceil(buckets.length / MAX_LIMITS) }, (_, i) =>
    buckets.slice(i * MAX_LIMITS, (i + 1) * MAX_LIMITS),
  );

/** The windows of these buckets at `now`, read through the contract without counting anything. */
export async function peek(store: MfaStore, userId: string, buckets: readonly string[], now = NOW) {
  const windows: AttemptWindow[] = [];
  for (const group of inThrees(buckets)) windows.push(...(await peekGroup(store, userId, group, now)));
  return windows;
}

async function peekGroup(store: MfaStore, userId: string, buckets: readonly string[], now: number) {
  const limits = buckets.map((bucket) => [bucket, 1_000_000] as const);
  const answer = await store.attemptAndClaim({
    userId,
    target: 'factor',
    secretId: NO_SUCH_SECRET,
    step: 1,
    budget: budget(limits, now),
  });
  if (answer.outcome !== 'stale') throw new Error(`peek expected "stale", got ${answer.outcome}`);
  return answer.attempts;
}

/** Counts `times` failures in each bucket of an enabled user (max high enough never to lock), as wrong codes do. */
export async function countFailures(store: MfaStore, userId: string, buckets: readonly string[], times: number) {
  const factor = (await store.load({ userId })).factor;
  if (!factor) throw new Error('countFailures needs a user with an enabled factor');
  for (const group of inThrees(buckets)) {
    const limits = group.map((bucket) => [bucket, 1_000_000] as const);
    for (let i = 0; i < times; i++)
      expect(
        await claim(store, userId, { secretId: factor.secretId, step: null, budget: budget(limits) }),
      ).toMatchObject({ outcome: 'mismatch' });
  }
}

/** A pending setup confirmed by a claim on `step` (the only way the v2 contract confirms one). */
export async function confirmedSetup(store: MfaStore, userId: string, step = 100) {
  const setup = pending();
  await store.savePending({ userId, pending: setup });
  const answer = await store.attemptAndClaim({
    userId,
    target: 'pending',
    secretId: setup.secretId,
    step,
    budget: budget([['setup', 5]]),
  });
  expect(answer).toEqual({ outcome: 'claimed' });
  return setup;
}

/** A new user with an enabled factor (last accepted step 100) holding these recovery code hashes. */
export async function enabledUser(store: MfaStore, hashes: readonly string[] = ['h1', 'h2', 'h3']) {
  const user = newUser();
  const setup = await confirmedSetup(store, user);
  expect(
    await store.activatePending({ userId: user, secretId: setup.secretId, recoveryCodeHashes: hashes, now: NOW }),
  ).toBe(true);
  return { user, setup, secretId: setup.secretId };
}
