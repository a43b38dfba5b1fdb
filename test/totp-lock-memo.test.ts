import { expect, it } from 'vitest';
import { MemoryMfaStore, type MfaStore } from '../src/totp/index.js';
import { keyedBucket } from './support/client-buckets.js';
import { newUser, totpHarness, wrongCode } from './support/totp.js';

// The memo of known locks (lock-memo.ts) lets a locked answer cost no HMAC; it must never reach past the lock it
// remembers: another client, another user or an unlocked user pays no extra round trip and keeps its full check.
// Written against the mutation report: a memo shared by everyone, or never cleared, changed no answer any test saw.

/** The real memory store, with every call the provider makes counted (a forwarding proxy: the store's code runs). */
function counted(): { store: MfaStore; calls: string[] } {
  const calls: string[] = [];
  const store = new Proxy(new MemoryMfaStore(), {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => (calls.push(String(property)), value.apply(target, args) as unknown);
    },
  });
  return { store, calls };
}

async function callsOf(calls: string[], run: () => Promise<unknown>) {
  const before = calls.length;
  const outcome = await run().then(
    () => 'ok',
    (e: { code?: string }) => e.code,
  );
  return { outcome, calls: calls.slice(before) };
}

it('lockout of one client: another client, and another user, keep one round trip and a real check', async () => {
  const { store, calls } = counted();
  const { client, authenticator, enroll } = totpHarness(store, { maxAttempts: 2 });
  const [victim, other] = [newUser(), newUser()];
  const { secret } = await enroll(victim);
  const { secret: otherSecret } = await enroll(other);
  for (let i = 0; i < 3; i++)
    await client
      .verifySecondFactor(victim, wrongCode(authenticator.code(secret)), { clientKey: 'attacker' })
      .catch(() => {});
  // One attemptAndClaim (after a load when the factor is not cached yet), never a lock probe first.
  const fromUser = await callsOf(calls, () =>
    client.verifySecondFactor(victim, authenticator.code(secret), { clientKey: 'phone' }),
  );
  expect(fromUser).toEqual({ outcome: 'ok', calls: ['attemptAndClaim'] });
  const byOther = await callsOf(calls, () => client.verifySecondFactor(other, authenticator.code(otherSecret)));
  expect(byOther).toEqual({ outcome: 'ok', calls: ['load', 'attemptAndClaim'] });
});

it('unlock: the first login after it is one round trip, not a probe of a lock that is gone', async () => {
  const { store, calls } = counted();
  const { client, authenticator, enroll, clock } = totpHarness(store, { maxAttempts: 1 });
  const user = newUser();
  const { secret } = await enroll(user);
  await client.verifySecondFactor(user, wrongCode(authenticator.code(secret))).catch(() => {});
  expect((await callsOf(calls, () => client.verifySecondFactor(user, authenticator.code(secret)))).outcome).toBe(
    'rate_limited',
  );
  await client.unlock(user);
  clock.advance(30_000);
  expect(await callsOf(calls, () => client.verifySecondFactor(user, authenticator.code(secret)))).toEqual({
    outcome: 'ok',
    calls: ['attemptAndClaim'],
  });
});

it('brute force across clients: failures with and without clientKey share the per-user ceiling (bucket "code")', async () => {
  const store = new MemoryMfaStore();
  const { client, authenticator, enroll } = totpHarness(store, { maxAttempts: 5, maxAttemptsPerUser: 5 });
  const user = newUser();
  const { secret } = await enroll(user);
  const wrong = () => wrongCode(authenticator.code(secret));
  for (let i = 0; i < 3; i++) await client.verifySecondFactor(user, wrong()).catch(() => {});
  for (let i = 0; i < 2; i++) await client.verifySecondFactor(user, wrong(), { clientKey: 'x' }).catch(() => {});
  // Five failures in all: the ceiling is reached, whichever way the next attempt comes.
  await expect(client.verifySecondFactor(user, authenticator.code(secret))).rejects.toMatchObject({
    code: 'rate_limited',
    status: 429,
    message: 'Too many failed attempts; try again later',
  });
  await expect(client.verifySecondFactor(user, authenticator.code(secret), { clientKey: 'y' })).rejects.toMatchObject({
    code: 'rate_limited',
  });
  expect(keyedBucket('x')).toMatch(/^code:c:[0-9a-f]{32}$/);
});
