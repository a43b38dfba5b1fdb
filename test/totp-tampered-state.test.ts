import { expect, it } from 'vitest';
import { MfaConfigurationError, MfaProviderError } from '../src/index.js';
import { MemoryMfaStore, type MfaStore, type MfaStoredState } from '../src/totp/index.js';
import { LockMemo } from '../src/totp/lock-memo.js';
import { newUser, totpHarness } from './support/totp.js';

// What someone who can write to the store (or a broken migration) can do to a sealed secret, and how the SDK answers:
// never a login, never the secret or a hostile value in the message. Written against the mutation report: these
// answers had no test.

/** The real memory store, with the sealed secret of every state it answers rewritten by `tamper`. */
function tamperedStore(tamper: (sealed: string) => string): MfaStore {
  const base = new MemoryMfaStore();
  const bend = (state: MfaStoredState): MfaStoredState =>
    state.factor ? { ...state, factor: { ...state.factor, sealedSecret: tamper(state.factor.sealedSecret) } } : state;
  return new Proxy(base, {
    get(target, property) {
      if (property === 'load') return async (query: Parameters<MfaStore['load']>[0]) => bend(await target.load(query));
      if (property === 'attemptAndClaim')
        return async (claim: Parameters<MfaStore['attemptAndClaim']>[0]) => {
          const answer = await target.attemptAndClaim(claim);
          return answer.outcome === 'stale' ? { ...answer, state: bend(answer.state) } : answer;
        };
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function loginWith(tamper: (sealed: string) => string) {
  let active = false;
  const { client, authenticator, enroll } = totpHarness(tamperedStore((sealed) => (active ? tamper(sealed) : sealed)));
  const user = newUser();
  const { secret } = await enroll(user);
  active = true;
  return client.verifySecondFactor(user, authenticator.code(secret)).then(
    () => undefined,
    (error: unknown) => error,
  );
}

it.each<[string, (sealed: string) => string]>([
  ['cut to three parts', (sealed) => sealed.split('.').slice(0, 3).join('.')],
  ['given a sixth part', (sealed) => `${sealed}.extra`],
  ['of another version', (sealed) => sealed.replace(/^v1\./, 'v2.')],
  ['with its ciphertext missing', (sealed) => sealed.split('.').slice(0, 4).join('.')],
])('tampered secret: a sealed secret %s is store_corrupt, never a login', async (_label, tamper) => {
  const error = await loginWith(tamper);
  expect(error).toBeInstanceOf(MfaProviderError);
  expect(error).toMatchObject({ type: 'store_corrupt', retryable: false, message: 'A stored MFA secret is malformed' });
});

it('tampered secret: a truncated tag (easier to forge) fails the integrity check', async () => {
  const error = await loginWith((sealed) => {
    const parts = sealed.split('.');
    parts[3] = parts[3]!.slice(0, 16); // 12 of the 16 tag bytes
    return parts.join('.');
  });
  expect(error).toMatchObject({ type: 'store_corrupt', message: 'A stored MFA secret failed its integrity check' });
});

it('tampered secret: a key id from the store is quoted only when it has the shape of a key id', async () => {
  const named = await loginWith((sealed) => sealed.replace(/^v1\.[^.]+\./, 'v1.retired-2024.'));
  expect(named).toBeInstanceOf(MfaConfigurationError);
  expect((named as Error).message).toBe(
    'The MFA secret was sealed with key id "retired-2024" that is not in encryptionKey any more',
  );
  const hostile = await loginWith((sealed) => sealed.replace(/^v1\.[^.]+\./, 'v1.k1 k2.'));
  expect((hostile as Error).message).toBe(
    'The MFA secret was sealed with a key id that is not in encryptionKey any more',
  );
});

it('lock flood: an attacker locking many users cannot grow the lock memo past its capacity (oldest dropped first)', () => {
  const memo = new LockMemo(2);
  const until = 60_000;
  memo.set('u1\0code', until);
  memo.set('u2\0code', until);
  memo.set('u1\0code', until); // used again: now the newest
  memo.set('u3\0code', until);
  expect([memo.has('u1\0code', 0), memo.has('u2\0code', 0), memo.has('u3\0code', 0)]).toEqual([true, false, true]);
  expect(memo.has('u1\0code', until), 'a lock is over at its end exactly').toBe(false);
  const none = new LockMemo(0);
  none.set('u1\0code', until);
  expect(none.has('u1\0code', 0), 'capacity 0 remembers nothing').toBe(false);
});

it('step-up after disable: a token for the factor just removed does not regenerate codes, and says MFA is off', async () => {
  const { client, authenticator, enroll } = totpHarness(new MemoryMfaStore());
  const user = newUser();
  const { secret } = await enroll(user);
  const { stepUpToken } = await client.verifySecondFactor(user, authenticator.code(secret));
  await client.disable(user, { stepUpToken: stepUpToken! });
  await expect(client.regenerateRecoveryCodes(user, { stepUpToken: stepUpToken! })).rejects.toMatchObject({
    code: 'not_found',
    status: 404,
  });
});
