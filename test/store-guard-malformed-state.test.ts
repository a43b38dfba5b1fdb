import { describe, expect, it } from 'vitest';
import { MfaProviderError } from '../src/index.js';
import { MemoryMfaStore, type MfaStore, type MfaStoredState } from '../src/totp/index.js';
import { newUser, totpHarness } from './support/totp.js';
import { otherOperationsOf } from './support/store-records.js';

// The store guard checks each answer once against the contract, so the code behind it trusts what it gets. A custom
// store whose state has a factor it cannot describe must never read as "no factor" (MFA off for that user) nor reach
// the code check half-filled: it fails closed, as invalid_response.

/** A memory store whose state answers (load, and the state of a stale claim) are bent by `bend`. */
function bentStore(bend: (state: MfaStoredState) => unknown): MfaStore {
  const base = new MemoryMfaStore();
  return {
    name: 'bent',
    load: async (query) => bend(await base.load(query)) as MfaStoredState,
    attemptAndClaim: async (claim) => {
      const answer = await base.attemptAndClaim(claim);
      return answer.outcome === 'stale' ? { ...answer, state: bend(answer.state) as MfaStoredState } : answer;
    },
    ...otherOperationsOf(base),
  };
}

describe('the store guard refuses a malformed state', () => {
  it.each([
    [
      'a factor without its sealed secret',
      (s: MfaStoredState) => ({ ...s, factor: s.factor && { ...s.factor, sealedSecret: undefined } }),
    ],
    [
      'a factor whose last step is text',
      (s: MfaStoredState) => ({ ...s, factor: s.factor && { ...s.factor, lastStep: '7' } }),
    ],
    ['a factor that is a string', (s: MfaStoredState) => ({ ...s, factor: s.factor && 'yes' })],
    ['a recovery code count that is not a number', (s: MfaStoredState) => ({ ...s, recoveryCodes: '10' })],
    ['no state at all', () => undefined],
  ])('%s: getStatus and a login fail closed with invalid_response', async (_label, bend) => {
    let bent = false;
    const store = bentStore((state) => (bent ? bend(state) : state));
    const { client, authenticator, enroll } = totpHarness(store);
    const user = newUser();
    const { secret } = await enroll(user);
    bent = true;
    for (const call of [
      () => client.getStatus(user),
      () => client.verifySecondFactor(user, authenticator.code(secret)),
    ]) {
      const error = await call().catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(MfaProviderError);
      expect(error).toMatchObject({ type: 'invalid_response', retryable: false });
    }
  });

  it('a pending setup whose "confirmed" is the text "true" cannot be enabled', async () => {
    let bent = false;
    const store = bentStore((state) =>
      bent && state.pending ? { ...state, pending: { ...state.pending, confirmed: 'true' } } : state,
    );
    const { client } = totpHarness(store);
    const user = newUser();
    await client.createSetup(user);
    bent = true;
    await expect(client.enable(user)).rejects.toMatchObject({ type: 'invalid_response' });
  });
});
