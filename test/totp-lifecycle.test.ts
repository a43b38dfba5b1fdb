import { expect, it } from 'vitest';
import { MfaConflictError, MfaInvalidCodeError, MfaNotFoundError, MfaValidationError } from '../src/index.js';
import { describeEachStore } from './support/stores.js';
import { STEP_MS, newUser, totpHarness, wrongCode } from './support/totp.js';

await describeEachStore('TOTP lifecycle on the %s store', (open) => {
  it('runs status → setup → verify → enable → login check → disable', async () => {
    const { client, authenticator, clock } = totpHarness(open.store);
    const user = newUser();
    expect(await client.getStatus(user)).toEqual({ enabled: false, method: null });

    const setup = await client.createSetup(user);
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/); // 20 random bytes
    expect(setup.otpauthUri).toBe(
      `otpauth://totp/Acme:ada%40example.com?secret=${setup.secret}&issuer=Acme&algorithm=SHA1&digits=6&period=30`,
    );
    expect(await client.getStatus(user), 'a setup alone does not enable MFA').toEqual({ enabled: false, method: null });

    expect(await client.verify(user, authenticator.code(setup.secret))).toEqual({ verified: true });
    const enabled = await client.enable(user);
    expect(enabled).toMatchObject({ enabled: true, method: 'softwareToken' });
    expect(enabled.recoveryCodes).toHaveLength(10);
    expect(new Set(enabled.recoveryCodes).size).toBe(10);
    for (const code of enabled.recoveryCodes!)
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(await client.getStatus(user)).toEqual({ enabled: true, method: 'softwareToken' });

    clock.advance(STEP_MS);
    const login = await client.verifySecondFactor(user, authenticator.code(setup.secret));
    expect(login).toEqual({ verified: true, method: 'totp', stepUpToken: expect.any(String) });
    expect(await client.disable(user, { stepUpToken: login.stepUpToken })).toEqual({ enabled: false });
    expect(await client.getStatus(user)).toEqual({ enabled: false, method: null });
    await expect(client.verifySecondFactor(user, authenticator.code(setup.secret))).rejects.toBeInstanceOf(
      MfaNotFoundError,
    );
  });

  it('the same lifecycle works across two servers sharing the store', async () => {
    const first = totpHarness(open.store);
    const second = totpHarness(open.peer, {}, first.clock);
    const user = newUser();
    const setup = await first.client.createSetup(user);
    await second.client.verify(user, first.authenticator.code(setup.secret));
    await first.client.enable(user);
    expect(await second.client.getStatus(user)).toEqual({ enabled: true, method: 'softwareToken' });
  });

  it('a new setup replaces the pending one: only the newest secret verifies', async () => {
    const { client, authenticator } = totpHarness(open.store);
    const user = newUser();
    const old = await client.createSetup(user);
    const current = await client.createSetup(user);
    expect(current.secret).not.toBe(old.secret);
    await expect(client.verify(user, authenticator.code(old.secret))).rejects.toMatchObject({
      code: 'invalid_code',
      reason: 'mismatch',
    });
    await expect(client.verify(user, authenticator.code(current.secret))).resolves.toEqual({ verified: true });
  });

  it('while MFA is enabled no new setup starts (409); changing the authenticator is disable, then a new setup', async () => {
    const { client, authenticator, clock, enroll } = totpHarness(open.store);
    const user = newUser();
    const first = await enroll(user);
    await expect(client.createSetup(user)).rejects.toMatchObject({ code: 'already_enabled', status: 409 });
    const login = await client.verifySecondFactor(user, authenticator.code(first.secret));
    expect(login, 'the factor is undisturbed').toMatchObject({ verified: true });

    await client.disable(user, { stepUpToken: login.stepUpToken });
    clock.advance(STEP_MS);
    const second = await enroll(user);
    await expect(client.verifySecondFactor(user, authenticator.code(first.secret))).rejects.toBeInstanceOf(
      MfaInvalidCodeError,
    );
    expect(await client.verifySecondFactor(user, authenticator.code(second.secret))).toMatchObject({ verified: true });
    await expect(client.verifyRecoveryCode(user, first.recoveryCodes[0]!)).rejects.toBeInstanceOf(MfaInvalidCodeError);
    expect(await client.verifyRecoveryCode(user, second.recoveryCodes[0]!)).toMatchObject({ remaining: 9 });
  });

  it('never enables an unverified setup', async () => {
    const { client, authenticator } = totpHarness(open.store);
    const user = newUser();
    await expect(client.enable(user)).rejects.toMatchObject({ code: 'not_verified', status: 409 });
    const setup = await client.createSetup(user);
    await expect(client.enable(user)).rejects.toBeInstanceOf(MfaConflictError);
    await expect(client.verify(user, wrongCode(authenticator.code(setup.secret)))).rejects.toBeInstanceOf(
      MfaInvalidCodeError,
    );
    await expect(client.enable(user)).rejects.toMatchObject({ code: 'not_verified' });
    expect(await client.getStatus(user)).toEqual({ enabled: false, method: null });
  });

  it('refuses to enable twice without a new verified setup', async () => {
    const { client, enroll } = totpHarness(open.store);
    const user = newUser();
    await enroll(user);
    await expect(client.enable(user)).rejects.toMatchObject({ code: 'already_enabled', status: 409 });
  });

  it('a setup expires after 10 minutes: its code is refused and it cannot be enabled', async () => {
    const { client, authenticator, clock } = totpHarness(open.store);
    const user = newUser();
    const setup = await client.createSetup(user);
    clock.advance(10 * 60_000);
    await expect(client.verify(user, authenticator.code(setup.secret))).rejects.toMatchObject({
      code: 'invalid_code',
      reason: 'expired_setup',
    });

    const confirmedLate = newUser();
    const other = await client.createSetup(confirmedLate);
    await client.verify(confirmedLate, authenticator.code(other.secret));
    clock.advance(10 * 60_000);
    await expect(client.enable(confirmedLate)).rejects.toMatchObject({ code: 'not_verified' });
  });

  it('setupTtlMs changes how long a setup lives', async () => {
    const { client, authenticator, clock } = totpHarness(open.store, { setupTtlMs: 60_000 });
    const user = newUser();
    const setup = await client.createSetup(user);
    clock.advance(60_000);
    await expect(client.verify(user, authenticator.code(setup.secret))).rejects.toMatchObject({
      reason: 'expired_setup',
    });
  });

  it('answers 404 for a code when nothing is set up', async () => {
    const { client } = totpHarness(open.store);
    await expect(client.verify(newUser(), '123456')).rejects.toMatchObject({ code: 'not_found', status: 404 });
  });

  it('accepts codes one step either side of now by default, and not two', async () => {
    const { client, authenticator, clock } = totpHarness(open.store);
    const [early, late, far] = [newUser(), newUser(), newUser()];
    for (const user of [early, late, far]) {
      const setup = await client.createSetup(user);
      const now = clock.nowMs();
      const codes = {
        early: authenticator.codeAt(setup.secret, now - STEP_MS),
        late: authenticator.codeAt(setup.secret, now + STEP_MS),
        far: authenticator.codeAt(setup.secret, now - 2 * STEP_MS),
      };
      const which = user === early ? 'early' : user === late ? 'late' : 'far';
      const attempt = client.verify(user, codes[which]);
      if (which === 'far') await expect(attempt).rejects.toMatchObject({ reason: 'mismatch' });
      else await expect(attempt).resolves.toEqual({ verified: true });
    }
  });

  it('window: 2 accepts a code two steps old', async () => {
    const { client, authenticator, clock } = totpHarness(open.store, { window: 2 });
    const user = newUser();
    const setup = await client.createSetup(user);
    await expect(client.verify(user, authenticator.codeAt(setup.secret, clock.nowMs() - 2 * STEP_MS))).resolves.toEqual(
      { verified: true },
    );
  });

  it('refuses the e-mail method with a validation error', async () => {
    const { client } = totpHarness(open.store);
    await expect(client.enable(newUser(), { method: 'email' })).rejects.toBeInstanceOf(MfaValidationError);
  });

  it('disable without MFA on needs no proof and changes nothing: a pending setup stays until replaced or expired', async () => {
    const { client, authenticator } = totpHarness(open.store);
    const user = newUser();
    expect(await client.disable(user, {} as never)).toEqual({ enabled: false });
    const setup = await client.createSetup(user);
    expect(await client.disable(user, {} as never)).toEqual({ enabled: false });
    await expect(client.verify(user, authenticator.code(setup.secret))).resolves.toEqual({ verified: true });
  });

  it('disable removes the pending setup and the recovery codes with the factor', async () => {
    const { client, authenticator, clock, enroll } = totpHarness(open.store);
    const user = newUser();
    const { secret, recoveryCodes } = await enroll(user);
    await client.disable(user, { code: authenticator.code(secret) });
    clock.advance(STEP_MS);
    await expect(client.verifyRecoveryCode(user, recoveryCodes[1]!)).rejects.toBeInstanceOf(MfaNotFoundError);
    expect(await open.store.load({ userId: user.id })).toEqual({ factor: null, pending: null, recoveryCodes: 0 });
  });
});
