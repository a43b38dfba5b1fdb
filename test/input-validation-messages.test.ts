import { describe, expect, it } from 'vitest';
import { MfaStepUpRequiredError, MfaValidationError, type MfaUser } from '../src/index.js';
import { MemoryMfaStore } from '../src/totp/index.js';
import { newUser, totpHarness } from './support/totp.js';

// Every refused input names the field at fault and says what is wrong with it (a developer fixes the call from the
// 400 alone), and it is refused before the store is asked. Each limit is tested at the edge: the longest accepted
// value passes, one character more is refused. Written against the mutation report: these messages and fields were
// free to change without any test noticing.

/** An object whose every property read throws, like a revoked Proxy or an ORM entity that was never loaded. */
const unreadable = new Proxy(
  {},
  {
    get() {
      throw new TypeError('revoked');
    },
  },
);

async function refusal(call: () => Promise<unknown>) {
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'refused as a validation error').toBeInstanceOf(MfaValidationError);
  const { field, message, status } = error as MfaValidationError;
  return { field, message, status };
}

function setup() {
  const store = new MemoryMfaStore();
  const harness = totpHarness(store);
  return { ...harness, store };
}

describe('hostile input: the user object', () => {
  const { client } = setup();
  it.each<[string, unknown, string, string]>([
    ['null', null, 'user', 'user must be an object with an id'],
    ['a string (a user id passed where the user goes)', 'u-1', 'user', 'user must be an object with an id'],
    ['unreadable (throwing getters)', unreadable, 'user', 'user could not be read'],
    ['an empty id', { id: '' }, 'userId', 'user.id must be a non-empty string'],
    ['a numeric id', { id: 7 }, 'userId', 'user.id must be a non-empty string'],
    ['an id of 257 characters', { id: 'u'.repeat(257) }, 'userId', 'userId is longer than 256 characters'],
    ['an id with a newline (log forging)', { id: 'u-1\nadmin' }, 'userId', 'userId contains control characters'],
    ['an id with a lone surrogate', { id: 'u-\uD800' }, 'userId', 'userId is not well-formed Unicode'],
    ['a numeric e-mail', { id: 'u-1', email: 42 }, 'email', 'email must be a string'],
    [
      'an e-mail of 513 characters',
      { id: 'u-1', email: 'e'.repeat(513) },
      'email',
      'email is longer than 512 characters',
    ],
    [
      'a sign-in id with a control character',
      { id: 'u-1', signInId: 'a\u0085' },
      'signInId',
      'signInId contains control characters',
    ],
    [
      'a sign-in id of 513 characters',
      { id: 'u-1', signInId: 's'.repeat(513) },
      'signInId',
      'signInId is longer than 512 characters',
    ],
  ])('is refused when it is %s', async (_label, user, field, message) => {
    expect(await refusal(() => client.getStatus(user as MfaUser))).toEqual({ field, message, status: 400 });
  });

  it('accepts the longest id, e-mail and sign-in id exactly at their limits', async () => {
    const user = { id: 'u'.repeat(256), email: 'e'.repeat(512), signInId: 's'.repeat(512) };
    await expect(client.getStatus(user)).resolves.toEqual({ enabled: false, method: null });
  });
});

describe('hostile input: codes', () => {
  const { client } = setup();
  const user = newUser();
  it.each<[string, () => Promise<unknown>, string]>([
    ['a number to verify', () => client.verify(user, 123456 as unknown as string), 'code must be a string of 6 digits'],
    ['five digits to verify', () => client.verify(user, '12345'), 'code must be 6 digits'],
    [
      '65 characters of separators and digits',
      () => client.verify(user, `${'-'.repeat(59)}123456`),
      'code must be 6 digits',
    ],
    ['full-width digits', () => client.verify(user, '１２３４５６'), 'code must be 6 digits'],
    [
      'a number as a second factor',
      () => client.verifySecondFactor(user, 123456 as unknown as string),
      'code must be a string (6 digits or a recovery code)',
    ],
    [
      'a recovery code of 7 characters',
      () => client.verifySecondFactor(user, 'ABCDEFG'),
      'recovery code must be letters and digits',
    ],
    [
      'a recovery code of 65 characters',
      () => client.verifySecondFactor(user, 'A'.repeat(65)),
      'recovery code is too long',
    ],
    [
      'a recovery code that is not a string',
      () => client.verifyRecoveryCode(user, {} as string),
      'recovery code must be a string',
    ],
  ])('refuses %s, naming the code', async (_label, call, message) => {
    expect(await refusal(call)).toEqual({ field: 'code', message, status: 400 });
  });
});

describe('hostile input: the call context', () => {
  const { client } = setup();
  const user = newUser();
  const fakeSignal = Object.create(AbortSignal.prototype) as AbortSignal;
  it.each<[string, unknown, string, string]>([
    ['not an object', 'token', 'context', 'context must be an object'],
    ['unreadable', unreadable, 'context', 'context could not be read'],
    ['a numeric access token', { accessToken: 42 }, 'accessToken', 'accessToken must be a string'],
    [
      'an access token of 8193 characters',
      { accessToken: 'a'.repeat(8193) },
      'accessToken',
      'accessToken is longer than 8192 characters',
    ],
    [
      'a referer of 2049 characters',
      { referer: 'r'.repeat(2049) },
      'referer',
      'referer is longer than 2048 characters',
    ],
    ['a plain object as the signal', { signal: {} }, 'signal', 'signal must be an AbortSignal'],
    [
      'an AbortSignal look-alike (its prototype only)',
      { signal: fakeSignal },
      'signal',
      'signal must be an AbortSignal',
    ],
    ['a blank client key', { clientKey: '  ' }, 'clientKey', 'clientKey must be a non-blank string'],
    [
      'a client key of 201 characters',
      { clientKey: 'c'.repeat(201) },
      'clientKey',
      'clientKey is longer than 200 characters',
    ],
  ])('is refused when it is %s', async (_label, ctx, field, message) => {
    expect(await refusal(() => client.getStatus(user, ctx as object))).toEqual({ field, message, status: 400 });
  });

  it('accepts a real AbortSignal and every value exactly at its limit', async () => {
    const ctx = {
      accessToken: 'a'.repeat(8192),
      referer: 'r'.repeat(2048),
      clientKey: 'c'.repeat(200),
      signal: new AbortController().signal,
    };
    await expect(client.getStatus(user, ctx)).resolves.toEqual({ enabled: false, method: null });
  });

  it('refuses an unknown enable method, and unreadable enable options as the context', async () => {
    expect(await refusal(() => client.enable(user, { method: 'sms' as 'email' }))).toEqual({
      field: 'method',
      message: 'method must be one of softwareToken, email',
      status: 400,
    });
    expect(await refusal(() => client.enable(user, unreadable))).toEqual({
      field: 'context',
      message: 'context could not be read',
      status: 400,
    });
  });
});

describe('hostile input: step-up proofs and admin resets', () => {
  const { client, enroll } = setup();
  const user = newUser();

  it('a proof that is not an object, or null fields, is a missing proof, never a crash or a validation error', async () => {
    await enroll(user);
    for (const options of [null, { code: null }, { code: null, stepUpToken: null }])
      await expect(client.disable(user, options as unknown as { code: string })).rejects.toMatchObject({
        code: 'step_up_required',
        reason: 'missing',
      });
  });

  it.each<[string, unknown, string, string]>([
    ['unreadable', unreadable, 'options', 'options could not be read'],
    [
      'both a code and a token',
      { code: '123456', stepUpToken: 's1.x.y.z' },
      'stepUpToken',
      'Give either code or stepUpToken, not both',
    ],
    ['a numeric code', { code: 123456 }, 'code', 'code must be a string (6 digits or a recovery code)'],
  ])('a proof that is %s is refused, naming the field', async (_label, options, field, message) => {
    expect(await refusal(() => client.regenerateRecoveryCodes(user, options as { code: string }))).toEqual({
      field,
      message,
      status: 400,
    });
  });

  it('a malformed step-up token is refused like a forged one, with the same message', async () => {
    const error = await client.disable(user, { code: null, stepUpToken: 'not a token!' } as never).catch((e) => e);
    expect(error).toBeInstanceOf(MfaStepUpRequiredError);
    expect(error).toMatchObject({
      reason: 'invalid',
      message: 'The step-up token is not valid; confirm with a code again',
    });
  });

  it.each<[string, unknown, string, string]>([
    ['missing', undefined, 'actor', 'adminReset needs { actor, reason }'],
    ['unreadable', unreadable, 'options', 'options could not be read'],
    ['a blank actor', { actor: ' ', reason: 'ticket 1' }, 'actor', 'actor must be a non-blank string'],
    [
      'an actor of 201 characters',
      { actor: 'a'.repeat(201), reason: 'ticket 1' },
      'actor',
      'actor is longer than 200 characters',
    ],
    [
      'an actor with a newline (audit-log forging)',
      { actor: 'ada\nroot', reason: 'ticket 1' },
      'actor',
      'actor contains control characters',
    ],
    ['a missing reason', { actor: 'ada' }, 'reason', 'reason must be a non-blank string'],
    [
      'a reason of 501 characters',
      { actor: 'ada', reason: 'r'.repeat(501) },
      'reason',
      'reason is longer than 500 characters',
    ],
  ])('an admin reset whose options are %s is refused, naming the field', async (_label, options, field, message) => {
    expect(await refusal(() => client.adminReset(user, options as { actor: string; reason: string }))).toEqual({
      field,
      message,
      status: 400,
    });
  });

  it('an admin reset with actor and reason exactly at their limits goes through', async () => {
    await expect(client.adminReset(user, { actor: 'a'.repeat(200), reason: 'r'.repeat(500) })).resolves.toEqual({
      enabled: false,
    });
  });
});
