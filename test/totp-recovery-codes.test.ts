import { expect, it } from 'vitest';
import { MfaInvalidCodeError, MfaNotFoundError, MfaValidationError } from '../src/index.js';
import { describeEachStore } from './support/stores.js';
import { newUser, outcomes, totpHarness } from './support/totp.js';

// Recovery codes get a user back in without the phone. Each must work once, only for its user, and only until
// the codes are replaced or MFA is turned off.
await describeEachStore('recovery codes on the %s store', (open) => {
  it('a recovery code works once and says how many remain', async () => {
    const { client, enroll } = totpHarness(open.store);
    const user = newUser();
    const { recoveryCodes } = await enroll(user);
    expect(await client.verifyRecoveryCode(user, recoveryCodes[3]!)).toMatchObject({ remaining: 9 });
    expect(await client.verifyRecoveryCode(user, recoveryCodes[4]!)).toMatchObject({ remaining: 8 });
  });

  it('recovery-code reuse: a used code is refused', async () => {
    const { client, enroll } = totpHarness(open.store);
    const user = newUser();
    const { recoveryCodes } = await enroll(user);
    await client.verifyRecoveryCode(user, recoveryCodes[0]!);
    await expect(client.verifyRecoveryCode(user, recoveryCodes[0]!)).rejects.toMatchObject({
      code: 'invalid_code',
      reason: 'mismatch',
    });
    await expect(client.verifySecondFactor(user, recoveryCodes[0]!)).rejects.toBeInstanceOf(MfaInvalidCodeError);
  });

  it('recovery-code reuse: 50 simultaneous uses of one code succeed exactly once, also across two servers', async () => {
    const first = totpHarness(open.store, { maxRecoveryCodeAttempts: 100 });
    const second = totpHarness(open.peer, { maxRecoveryCodeAttempts: 100 }, first.clock);
    const user = newUser();
    const { recoveryCodes } = await first.enroll(user);
    const result = await outcomes(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? first : second).client.verifyRecoveryCode(user, recoveryCodes[0]!)),
    );
    expect(result.fulfilled).toBe(1);
    expect(result.rejected).toEqual(Array(49).fill('invalid_code:mismatch'));
    expect(await first.client.verifyRecoveryCode(user, recoveryCodes[1]!)).toMatchObject({ remaining: 8 });
  });

  it('accepts the code as people type it: lower case, spaces instead of dashes', async () => {
    const { client, enroll } = totpHarness(open.store);
    const user = newUser();
    const { recoveryCodes } = await enroll(user);
    const typed = recoveryCodes.map((code) => code.toLowerCase().replace(/-/g, ' '));
    expect(await client.verifyRecoveryCode(user, typed[0]!)).toMatchObject({ remaining: 9 });
  });

  it('the login helper takes a recovery code and reports what is left', async () => {
    const { client, enroll } = totpHarness(open.store);
    const user = newUser();
    const { recoveryCodes } = await enroll(user);
    expect(await client.verifySecondFactor(user, recoveryCodes[9]!)).toEqual({
      verified: true,
      method: 'recovery_code',
      recoveryCodesRemaining: 9,
      stepUpToken: expect.any(String),
    });
  });

  it("one user's recovery code does not work for another user", async () => {
    const { client, enroll } = totpHarness(open.store);
    const [alice, bob] = [newUser(), newUser()];
    const codes = await enroll(alice);
    await enroll(bob);
    await expect(client.verifyRecoveryCode(bob, codes.recoveryCodes[0]!)).rejects.toBeInstanceOf(MfaInvalidCodeError);
    expect(await client.verifyRecoveryCode(alice, codes.recoveryCodes[0]!)).toMatchObject({ remaining: 9 });
  });

  it('regenerating replaces every code: the old ones stop working', async () => {
    const { client, authenticator, enroll, events } = totpHarness(open.store);
    const user = newUser();
    const { secret, recoveryCodes } = await enroll(user);
    const fresh = await client.regenerateRecoveryCodes(user, { code: authenticator.code(secret) });
    expect(fresh.recoveryCodes).toHaveLength(10);
    expect(fresh.recoveryCodes.some((code) => recoveryCodes.includes(code))).toBe(false);
    await expect(client.verifyRecoveryCode(user, recoveryCodes[0]!)).rejects.toBeInstanceOf(MfaInvalidCodeError);
    expect(await client.verifyRecoveryCode(user, fresh.recoveryCodes[0]!)).toMatchObject({ remaining: 9 });
    expect(events.some((e) => e.type === 'recovery_codes_regenerated')).toBe(true);
  });

  it('recoveryCodeCount sets how many codes are handed out', async () => {
    const { enroll } = totpHarness(open.store, { recoveryCodeCount: 4 });
    expect((await enroll(newUser())).recoveryCodes).toHaveLength(4);
  });

  it('disabling MFA removes the recovery codes; there is nothing to regenerate without MFA', async () => {
    const { client, authenticator, enroll } = totpHarness(open.store);
    const user = newUser();
    const { secret, recoveryCodes } = await enroll(user);
    const { stepUpToken } = await client.verifySecondFactor(user, authenticator.code(secret));
    await client.disable(user, { stepUpToken });
    await expect(client.verifyRecoveryCode(user, recoveryCodes[0]!)).rejects.toBeInstanceOf(MfaNotFoundError);
    await expect(client.regenerateRecoveryCodes(user, { code: recoveryCodes[1]! })).rejects.toMatchObject({
      code: 'not_found',
      status: 404,
    });
  });

  it('refuses malformed recovery codes before touching the store', async () => {
    const { client, enroll } = totpHarness(open.store);
    const user = newUser();
    await enroll(user);
    for (const bad of ['', 'short', 'ÄÖÜ-ÄÖÜ-ÄÖÜ', 'x'.repeat(65), 'AAAA\nBBBB\nCCCC', 12345678 as unknown as string]) {
      await expect(client.verifyRecoveryCode(user, bad)).rejects.toBeInstanceOf(MfaValidationError);
    }
    // None of them used an attempt: ten real guesses (the recovery budget) are still checked, the next is refused.
    for (let i = 0; i < 10; i++)
      await expect(client.verifyRecoveryCode(user, 'AAAA-BBBB-CCCC')).rejects.toMatchObject({ reason: 'mismatch' });
    await expect(client.verifyRecoveryCode(user, 'AAAA-BBBB-CCCC')).rejects.toMatchObject({ code: 'rate_limited' });
  });
});
