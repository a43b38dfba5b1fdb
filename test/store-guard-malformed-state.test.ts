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
  const FACTOR = 'The MFA store answered a factor record that is not readable';
  const PENDING = 'The MFA store answered a pending setup that is not readable';
  const STATE = 'The MFA store answered a state that is not an MfaStoredState';
  const COUNT = 'The MFA store answered a recovery code count that is not a number';
  type Bend = (s: MfaStoredState) => unknown;
  const factorWith =
    (fields: Record<string, unknown>): Bend =>
    (s) => ({ ...s, factor: s.factor && { ...s.factor, ...fields } });
  const readablePending = {
    secretId: 'p-1',
    sealedSecret: 'v1.k1.aXY.dGFn.Y2lwaGVy',
    lastStep: null,
    createdAt: 1,
    expiresAt: 2,
    confirmed: false,
  };
  const pendingWith =
    (fields: Record<string, unknown>): Bend =>
    (s) => ({ ...s, pending: { ...readablePending, ...fields } });
  it.each<[string, Bend, string]>([
    ['a factor without its sealed secret', factorWith({ sealedSecret: undefined }), FACTOR],
    ['a factor whose last step is text', factorWith({ lastStep: '7' }), FACTOR],
    ['a factor whose id is empty', factorWith({ secretId: '' }), FACTOR],
    ['a factor whose id is a number', factorWith({ secretId: 7 }), FACTOR],
    ['a factor whose last step is fractional', factorWith({ lastStep: 1.5 }), FACTOR],
    ['a factor whose enable time is not finite', factorWith({ enabledAt: Number.NaN }), FACTOR],
    ['a factor whose enable time is text', factorWith({ enabledAt: '2025-01-02' }), FACTOR],
    ['a factor that is a string', (s) => ({ ...s, factor: s.factor && 'yes' }), STATE],
    ['a pending setup that is a number', (s) => ({ ...s, pending: 1 }), STATE],
    ['a pending setup without its sealed secret', pendingWith({ sealedSecret: '' }), PENDING],
    ['a pending setup whose id is missing', pendingWith({ secretId: undefined }), PENDING],
    ['a pending setup whose last step is text', pendingWith({ lastStep: '3' }), PENDING],
    ['a pending setup whose creation time is text', pendingWith({ createdAt: '1' }), PENDING],
    ['a pending setup whose expiry is not finite', pendingWith({ expiresAt: Number.POSITIVE_INFINITY }), PENDING],
    ['a pending setup whose "confirmed" is 1', pendingWith({ confirmed: 1 }), PENDING],
    ['a recovery code count that is not a number', (s) => ({ ...s, recoveryCodes: '10' }), COUNT],
    ['a recovery code count that is negative', (s) => ({ ...s, recoveryCodes: -1 }), COUNT],
    ['a recovery code count that is fractional', (s) => ({ ...s, recoveryCodes: 2.5 }), COUNT],
    ['no state at all', () => undefined, STATE],
    ['a state that is text', () => 'enabled', STATE],
  ])(
    '%s: getStatus and a login fail closed with invalid_response, saying what is wrong',
    async (_label, bend, message) => {
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
        expect(error).toMatchObject({ type: 'invalid_response', retryable: false, message });
      }
    },
  );

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
