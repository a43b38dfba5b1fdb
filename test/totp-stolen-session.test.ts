import { expect, it } from 'vitest';
import { MfaStepUpRequiredError } from '../src/index.js';
import { StepUpTokens } from '../src/totp/step-up-token.js';
import { describeEachStore } from './support/stores.js';
import { START, STEP_MS, TEST_KEY, newUser, totpHarness, wrongCode } from './support/totp.js';

// A stolen session (a session cookie or token, no second factor) must not be able to turn MFA off or take the
// recovery codes: `disable` and `regenerateRecoveryCodes` need a fresh factor (a current code, a recovery code, or a
// step-up token bound to the user and the factor), checked by the library before anything changes.
await describeEachStore('stolen session on the %s store', (open) => {
  async function enrolled(options = {}) {
    const harness = totpHarness(open.store, options);
    const user = newUser();
    const enrolment = await harness.enroll(user);
    const before = await open.store.load({ userId: user.id });
    return { ...harness, user, ...enrolment, before };
  }

  it('stolen session: without a proof, disable and regenerateRecoveryCodes answer step_up_required (403) and change nothing', async () => {
    const { client, user, before, recoveryCodes, events } = await enrolled();
    for (const noProof of [undefined, {}, { code: '' }, { stepUpToken: '' }, { signal: undefined }]) {
      for (const call of [
        () => client.disable(user, noProof as never),
        () => client.regenerateRecoveryCodes(user, noProof as never),
      ]) {
        const error = await call().catch((failure: unknown) => failure);
        expect(error).toBeInstanceOf(MfaStepUpRequiredError);
        expect(error).toMatchObject({ code: 'step_up_required', status: 403, reason: 'missing' });
        expect((error as MfaStepUpRequiredError).toJSON()).toEqual({
          error: expect.any(String),
          code: 'step_up_required',
          reason: 'missing',
        });
      }
    }
    expect(await open.store.load({ userId: user.id }), 'factor and recovery codes untouched').toEqual(before);
    expect(events.filter((e) => e.type === 'disabled' || e.type === 'recovery_codes_regenerated')).toEqual([]);
    // The owner's recovery codes all still work.
    expect(await client.verifyRecoveryCode(user, recoveryCodes[0]!)).toMatchObject({ remaining: 9 });
  });

  it('stolen session: a wrong code as proof is refused like a login (counted, attempts left) and changes nothing', async () => {
    const { client, user, before, authenticator, secret } = await enrolled();
    await expect(client.disable(user, { code: wrongCode(authenticator.code(secret)) })).rejects.toMatchObject({
      code: 'invalid_code',
      reason: 'mismatch',
      attemptsRemaining: 4,
    });
    await expect(client.regenerateRecoveryCodes(user, { code: 'AAAA-BBBB-CCCC' })).rejects.toMatchObject({
      code: 'invalid_code',
      attemptsRemaining: 9,
    });
    expect(await open.store.load({ userId: user.id })).toEqual(before);
  });

  it('stolen session: a current code turns MFA off, and that code cannot be replayed for a second change', async () => {
    const { client, user, authenticator, secret, clock } = await enrolled();
    const code = authenticator.code(secret);
    const fresh = await client.regenerateRecoveryCodes(user, { code });
    expect(fresh.recoveryCodes).toHaveLength(10);
    await expect(client.disable(user, { code }), 'the same code again').rejects.toMatchObject({ reason: 'replayed' });
    expect((await client.getStatus(user)).enabled).toBe(true);
    clock.advance(STEP_MS);
    expect(await client.disable(user, { code: authenticator.code(secret) })).toEqual({ enabled: false });
    expect((await client.getStatus(user)).enabled).toBe(false);
  });

  it('stolen session: a recovery code as proof works and is used up', async () => {
    const { client, user, recoveryCodes, events } = await enrolled();
    const { recoveryCodes: fresh } = await client.regenerateRecoveryCodes(user, { code: recoveryCodes[0]! });
    expect(events.filter((e) => e.type === 'recovery_code_used')).toHaveLength(1);
    await expect(client.disable(user, { code: recoveryCodes[0]! }), 'used up').rejects.toMatchObject({
      code: 'invalid_code',
    });
    // Typed as people type it (lower case, spaces): normalised like a login.
    const typed = fresh[3]!.toLowerCase().replace(/-/g, ' ');
    expect(await client.disable(user, { code: typed })).toEqual({ enabled: false });
  });

  it('stolen session: a step-up token from verify or verifySecondFactor (TOTP or recovery code) works for this user and factor', async () => {
    const { client, user, authenticator, secret, clock, recoveryCodes } = await enrolled();
    const byVerify = await client.verify(user, authenticator.code(secret));
    expect(byVerify.stepUpToken).toEqual(expect.any(String));
    clock.advance(STEP_MS);
    const byLogin = await client.verifySecondFactor(user, authenticator.code(secret));
    const byRecovery = await client.verifySecondFactor(user, recoveryCodes[0]!);
    for (const token of [byVerify.stepUpToken!, byLogin.stepUpToken, byRecovery.stepUpToken])
      await expect(client.regenerateRecoveryCodes(user, { stepUpToken: token })).resolves.toHaveProperty(
        'recoveryCodes',
      );
    // A token is not used up (it is short-lived instead): the same one also turns MFA off.
    expect(await client.disable(user, { stepUpToken: byLogin.stepUpToken })).toEqual({ enabled: false });
  });

  it('stolen session: a setup confirmation gives no step-up token', async () => {
    const { client, authenticator } = totpHarness(open.store);
    const user = newUser();
    const setup = await client.createSetup(user);
    expect(await client.verify(user, authenticator.code(setup.secret))).toEqual({ verified: true });
  });

  it('stolen session: a token from the previous factor (before a disable and re-enrolment) is refused', async () => {
    const { client, user, authenticator, secret, enroll } = await enrolled();
    const { stepUpToken: old } = await client.verifySecondFactor(user, authenticator.code(secret));
    await client.disable(user, { stepUpToken: old });
    await enroll(user);
    const before = await open.store.load({ userId: user.id });
    for (const call of [
      () => client.disable(user, { stepUpToken: old }),
      () => client.regenerateRecoveryCodes(user, { stepUpToken: old }),
    ])
      await expect(call()).rejects.toMatchObject({ code: 'step_up_required', reason: 'invalid' });
    expect(await open.store.load({ userId: user.id })).toEqual(before);
  });

  it('stolen session: an expired token is refused (fixed clock: 5 minutes by default, stepUpMaxAgeMs to change)', async () => {
    for (const [maxAge, options] of [
      [5 * 60_000, {}],
      [60_000, { stepUpMaxAgeMs: 60_000 }],
    ] as const) {
      const { client, user, authenticator, secret, clock } = await enrolled(options);
      const { stepUpToken } = await client.verifySecondFactor(user, authenticator.code(secret));
      clock.advance(maxAge);
      await expect(client.disable(user, { stepUpToken })).rejects.toMatchObject({
        code: 'step_up_required',
        reason: 'invalid',
      });
      clock.advance(-1);
      await expect(client.regenerateRecoveryCodes(user, { stepUpToken }), 'a moment before').resolves.toHaveProperty(
        'recoveryCodes',
      );
    }
  });

  it("stolen session: another user's token is refused", async () => {
    const { client, user, enroll, authenticator, clock } = await enrolled();
    const mallory = newUser();
    const { secret } = await enroll(mallory);
    const { stepUpToken } = await client.verifySecondFactor(mallory, authenticator.code(secret));
    const before = await open.store.load({ userId: user.id });
    await expect(client.disable(user, { stepUpToken })).rejects.toMatchObject({ reason: 'invalid' });
    // Even one naming the victim's own factor, issued (under this deployment's key) to another user id.
    const sameKey = new StepUpTokens([{ id: 'k', key: Buffer.from(TEST_KEY, 'base64') }], 5 * 60_000);
    const forVictimsFactor = sameKey.issue(mallory.id, before.factor!.secretId, clock.nowMs());
    expect(sameKey.check(forVictimsFactor, mallory.id, clock.nowMs()), 'well formed for mallory').not.toBeNull();
    await expect(client.disable(user, { stepUpToken: forVictimsFactor })).rejects.toMatchObject({ reason: 'invalid' });
    expect(await open.store.load({ userId: user.id })).toEqual(before);
  });

  it('stolen session: a token with any one bit flipped, cut short, or signed under another key is refused', async () => {
    const { client, user, authenticator, secret, clock } = await enrolled();
    const { stepUpToken } = await client.verifySecondFactor(user, authenticator.code(secret));
    const forgeries: string[] = [stepUpToken.slice(0, -1), `${stepUpToken}A`, stepUpToken.replace(/^s1/, 's2')];
    for (let i = 0; i < stepUpToken.length; i++)
      for (let bit = 0; bit < 7; bit++) {
        const flipped = String.fromCharCode(stepUpToken.charCodeAt(i) ^ (1 << bit));
        forgeries.push(stepUpToken.slice(0, i) + flipped + stepUpToken.slice(i + 1));
      }
    // Another deployment (another encryption key) issuing a well-formed token for the same user and factor.
    const { secretId } = (await open.store.load({ userId: user.id })).factor!;
    forgeries.push(
      new StepUpTokens([{ id: 'other', key: Buffer.alloc(32, 9) }], 60_000).issue(user.id, secretId, START),
    );
    // And the right key with an issue time rewritten to now: the MAC covers it.
    forgeries.push(stepUpToken.replace(/\.[0-9a-z]+\.([^.]+)$/, `.${(clock.nowMs() + 1000).toString(36)}.$1`));
    let refused = 0;
    for (const forged of forgeries) {
      if (forged === stepUpToken) continue;
      const error = await client.regenerateRecoveryCodes(user, { stepUpToken: forged }).catch((e: unknown) => e);
      expect(error, JSON.stringify(forged)).toMatchObject({ code: 'step_up_required', reason: 'invalid' });
      refused++;
    }
    expect(refused).toBeGreaterThan(stepUpToken.length * 6);
    await expect(client.disable(user, { stepUpToken }), 'the real one still works').resolves.toEqual({
      enabled: false,
    });
  });

  it('stolen session: a token and a code together is a validation error, before anything is checked', async () => {
    const { client, user, authenticator, secret } = await enrolled();
    const { stepUpToken } = await client.verifySecondFactor(user, authenticator.code(secret));
    await expect(client.disable(user, { stepUpToken, code: '123456' } as never)).rejects.toMatchObject({
      code: 'invalid_request',
      field: 'stepUpToken',
    });
  });
});
