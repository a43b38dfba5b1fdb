import { createHmac, hkdfSync } from 'node:crypto';
import { expect, it } from 'vitest';
import type { MfaStepUpProof } from '../src/index.js';
import { MemoryMfaStore } from '../src/totp/index.js';
import { macEqual } from '../src/totp/mac.js';
import { StepUpTokens } from '../src/totp/step-up-token.js';
import { TEST_KEY, newUser, totpHarness } from './support/totp.js';

// The edges of a step-up proof: the clock allowance, the token's exact format (every server and version must agree),
// a token with a part too many, and a proof handed to the provider directly (an app may skip MfaClient). Written
// against the mutation report: each of these could change without any test noticing.

async function enrolled() {
  const harness = totpHarness(new MemoryMfaStore());
  const user = newUser();
  const { secret } = await harness.enroll(user);
  return { ...harness, user, secret };
}

async function secretIdOf(harness: Awaited<ReturnType<typeof enrolled>>) {
  const { stepUpToken } = await harness.client.verifySecondFactor(
    harness.user,
    harness.authenticator.code(harness.secret),
  );
  return { stepUpToken: stepUpToken!, secretId: stepUpToken!.split('.')[1]! };
}

it('clock skew: a token from a server up to 60 s ahead is accepted, one from further ahead is refused', async () => {
  const harness = await enrolled();
  const { secretId } = await secretIdOf(harness);
  const now = harness.clock.nowMs();
  const tokens = new StepUpTokens([{ id: 'k', key: Buffer.from(TEST_KEY, 'base64') }], 5 * 60_000);
  const tooFar = tokens.issue(harness.user.id, secretId, now + 60_001);
  await expect(harness.client.regenerateRecoveryCodes(harness.user, { stepUpToken: tooFar })).rejects.toMatchObject({
    code: 'step_up_required',
    reason: 'invalid',
  });
  const atTheEdge = tokens.issue(harness.user.id, secretId, now + 60_000);
  await expect(
    harness.client.regenerateRecoveryCodes(harness.user, { stepUpToken: atTheEdge }),
  ).resolves.toHaveProperty('recoveryCodes');
});

it('rolling deploy: a token is s1.<secretId>.<issuedAt base36>.<HMAC-SHA-256 under HKDF(key, "saasus-mfa step-up token")>', async () => {
  const harness = await enrolled();
  const { stepUpToken, secretId } = await secretIdOf(harness);
  const issuedAt = harness.clock.nowMs().toString(36);
  const key = Buffer.from(
    hkdfSync('sha256', Buffer.from(TEST_KEY, 'base64'), Buffer.alloc(0), 'saasus-mfa step-up token', 32),
  );
  const tag = createHmac('sha256', key)
    .update(`saasus-mfa step-up\0${harness.user.id}\0${secretId}\0${issuedAt}`)
    .digest('base64url');
  expect(stepUpToken).toBe(`s1.${secretId}.${issuedAt}.${tag}`);
});

it('stolen session: a real token with a part added, or with its tag removed, is refused', async () => {
  const harness = await enrolled();
  const { stepUpToken } = await secretIdOf(harness);
  for (const forged of [`${stepUpToken}.x`, `${stepUpToken}.`, stepUpToken.split('.').slice(0, 3).join('.')])
    await expect(harness.client.regenerateRecoveryCodes(harness.user, { stepUpToken: forged })).rejects.toMatchObject({
      code: 'step_up_required',
      reason: 'invalid',
    });
});

it('a proof given to the provider directly: both a token and a code is invalid, an empty code is missing', async () => {
  const harness = await enrolled();
  const { stepUpToken } = await secretIdOf(harness);
  const { provider, user } = harness;
  // Plain JavaScript callers: the types forbid both at once, the provider must refuse it too.
  const both = { stepUpToken, code: '000000' } as unknown as MfaStepUpProof;
  await expect(provider.disable(user, {}, both)).rejects.toMatchObject({
    reason: 'invalid',
  });
  await expect(provider.disable(user, {}, { code: '' })).rejects.toMatchObject({ reason: 'missing' });
  await expect(
    provider.disable(user, {}, { stepUpToken: '', code: '' } as unknown as MfaStepUpProof),
  ).rejects.toMatchObject({ reason: 'missing' });
  expect((await harness.client.getStatus(user)).enabled).toBe(true);
});

it('audit: a step-up with a code is reported as a verified event of the factor', async () => {
  const harness = await enrolled();
  harness.clock.advance(30_000);
  const before = harness.events.length;
  await harness.client.disable(harness.user, { code: harness.authenticator.code(harness.secret) });
  expect(harness.events.slice(before)).toContainEqual({
    type: 'verified',
    userId: harness.user.id,
    at: new Date(harness.clock.nowMs()),
    target: 'factor',
  });
});

it('double disable: a second disable with the same token answers enabled: false, as the first did', async () => {
  const harness = await enrolled();
  const { stepUpToken } = await secretIdOf(harness);
  await expect(harness.client.disable(harness.user, { stepUpToken })).resolves.toEqual({ enabled: false });
  await expect(harness.client.disable(harness.user, { stepUpToken })).resolves.toEqual({ enabled: false });
});

it('forged tag: MACs are equal only when every byte and the length are equal (compared in constant time)', () => {
  const tag = new Uint8Array(32).fill(7);
  expect(macEqual(tag, new Uint8Array(tag))).toBe(true);
  const oneByteOff = new Uint8Array(tag);
  oneByteOff[31] = 8;
  expect(macEqual(tag, oneByteOff)).toBe(false);
  expect(macEqual(tag, tag.subarray(0, 16)), 'a truncated tag').toBe(false);
  expect(macEqual(new Uint8Array(0), tag), 'an empty tag').toBe(false);
});
