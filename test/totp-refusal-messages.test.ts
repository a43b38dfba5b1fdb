import { expect, it } from 'vitest';
import { MemoryMfaStore } from '../src/totp/index.js';
import { STEP_MS, newUser, totpHarness } from './support/totp.js';

// Each refusal of the self-hosted provider tells the user (through the app) what to do next, in words the app may
// show as they are: the message is part of the answer, with the code and reason the app branches on. Written against
// the mutation report: none of these messages was checked.

function harness() {
  return totpHarness(new MemoryMfaStore(), { setupTtlMs: 60_000 });
}

it('replay: a code used once is refused with "already used; wait for the next one"', async () => {
  const { client, authenticator, enroll } = harness();
  const user = newUser();
  const { secret } = await enroll(user);
  const code = authenticator.code(secret);
  await client.verifySecondFactor(user, code);
  await expect(client.verifySecondFactor(user, code)).rejects.toMatchObject({
    code: 'invalid_code',
    reason: 'replayed',
    message: 'This code has already been used; wait for the next one',
  });
});

it('an expired setup: verifying it, and enabling it, say to create a new one', async () => {
  const { client, authenticator, clock } = harness();
  const user = newUser();
  const setup = await client.createSetup(user);
  await client.verify(user, authenticator.code(setup.secret));
  clock.advance(61_000);
  await expect(client.enable(user)).rejects.toMatchObject({
    reason: 'not_verified',
    message: 'The setup expired before it was enabled; create a new one',
  });
  const again = newUser();
  const late = await client.createSetup(again);
  clock.advance(61_000);
  await expect(client.verify(again, authenticator.code(late.secret))).rejects.toMatchObject({
    reason: 'expired_setup',
    message: 'The setup has expired; create a new one',
  });
});

it('out of order: enable before verify, verify without a setup, a second setup while enabled', async () => {
  const { client, enroll } = harness();
  const user = newUser();
  await client.createSetup(user);
  await expect(client.enable(user)).rejects.toMatchObject({
    reason: 'not_verified',
    message: 'Verify a code from the authenticator before enabling MFA',
  });
  await expect(client.verify(newUser(), '123456')).rejects.toMatchObject({
    code: 'not_found',
    message: 'No authenticator is being set up or enabled for this user',
  });
  const enabled = newUser();
  await enroll(enabled);
  await expect(client.createSetup(enabled)).rejects.toMatchObject({
    reason: 'already_enabled',
    message: 'MFA is already enabled; disable it before setting up another authenticator',
  });
});

it('a wrong recovery code, a proof for a user without MFA, and a forged step-up token say what they are', async () => {
  const { client, enroll, clock } = harness();
  const user = newUser();
  await enroll(user);
  clock.advance(STEP_MS);
  await expect(client.verifySecondFactor(user, 'AAAA-BBBB-CCCC')).rejects.toMatchObject({
    reason: 'mismatch',
    message: 'The recovery code is incorrect or already used',
  });
  await expect(client.verifySecondFactor(newUser(), '123456')).rejects.toMatchObject({
    code: 'not_found',
    message: 'MFA is not enabled for this user',
  });
  await expect(client.disable(user, { stepUpToken: 's1.x.1.AAAA' })).rejects.toMatchObject({
    reason: 'invalid',
    message: 'The step-up token is not valid; confirm with a code again',
  });
});
