import { describe, expect, it } from 'vitest';
import { MfaUnauthorizedError, MfaValidationError } from '../src/index.js';
import { normalizeCode } from '../src/internal/validation.js';
import { useFakeSaasus } from './support/fake-saasus.js';

const { fake, client } = useFakeSaasus();

describe('code normalisation', () => {
  it.each([
    ['123456', '123456'],
    ['123 456', '123456'],
    ['123-456', '123456'],
    [' 12 34 56 ', '123456'],
    ['\t123456', '123456'],
  ])('accepts %j as %s', (input, expected) => {
    expect(normalizeCode(input)).toBe(expected);
  });

  it.each([
    ['five digits', '12345'],
    ['seven digits', '1234567'],
    ['full-width digits', '１２３４５６'],
    ['Arabic-Indic digits', '١٢٣٤٥٦'],
    ['letters', '12345a'],
    ['a number', 123456],
    ['null', null],
    ['undefined', undefined],
    ['an object', { toString: () => '123456' }],
    ['an array', ['123456']],
    ['empty', ''],
    ['a very long string', '1'.repeat(10_000)],
    ['a non-breaking space', '123\u00a0456'],
    ['a newline', '123\n456'],
  ])('refuses %s with MfaValidationError', (_label, input) => {
    expect(() => normalizeCode(input)).toThrow(MfaValidationError);
  });
});

describe('bad input is refused before any request (injection)', () => {
  const accessToken = 'access-token-value';

  it.each([
    ['empty id', { id: '' }],
    ['blank id', { id: '   ' }],
    ['numeric id', { id: 42 }],
    ['missing id', {}],
    ['null user', null],
    ['string user', 'alice'],
    ['control characters', { id: 'a\u0000b' }],
    ['a CRLF header-injection attempt', { id: 'a\r\nX-Evil: 1' }],
    ['an over-long id', { id: 'x'.repeat(257) }],
    ['a non-string email', { id: 'u', email: { $ne: '' } }],
    ['dot segment', { id: '.' }],
    ['dot-dot segment', { id: '..' }],
    ['a lone surrogate, which UTF-8 stores would merge with other ids', { id: 'alice\uD800' }],
    ['a lone surrogate in the e-mail', { id: 'u', email: 'a\uDC00@example.com' }],
  ])('%s → MfaValidationError, no request sent', async (_label, user) => {
    const mfa = client();
    for (const call of [
      () => mfa.getStatus(user as never),
      () => mfa.createSetup(user as never, { accessToken }),
      () => mfa.verify(user as never, '123456', { accessToken }),
      () => mfa.enable(user as never),
      () => mfa.disable(user as never),
    ]) {
      await expect(call()).rejects.toBeInstanceOf(MfaValidationError);
    }
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses a malformed code before any request', async () => {
    await expect(client().verify({ id: 'u1' }, '12345', { accessToken })).rejects.toMatchObject({
      code: 'invalid_request',
      field: 'code',
    });
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses a missing access token for createSetup and verify with 401, before any request', async () => {
    const mfa = client();
    await expect(mfa.createSetup({ id: 'u1' })).rejects.toBeInstanceOf(MfaUnauthorizedError);
    await expect(mfa.verify({ id: 'u1' }, '123456', {})).rejects.toMatchObject({
      status: 401,
      reason: 'missing_access_token',
    });
    await expect(mfa.verify({ id: 'u1' }, '123456', { accessToken: '' })).rejects.toMatchObject({ status: 401 });
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses an unknown enable method and a non-AbortSignal signal', async () => {
    await expect(client().enable({ id: 'u1' }, { method: 'sms' as never })).rejects.toMatchObject({ field: 'method' });
    await expect(client().getStatus({ id: 'u1' }, { signal: {} as AbortSignal })).rejects.toMatchObject({
      field: 'signal',
    });
    expect(fake.requests).toHaveLength(0);
  });

  it.each([
    ['../tenants', '/v1/auth/users/..%2Ftenants/mfa/preference'],
    ['a/b?x=1', '/v1/auth/users/a%2Fb%3Fx%3D1/mfa/preference'],
    ['%2e%2e', '/v1/auth/users/%252e%252e/mfa/preference'],
    ['#frag', '/v1/auth/users/%23frag/mfa/preference'],
  ])('encodes user id %j as one path segment (path traversal)', async (id, path) => {
    fake.addUser({ id });
    await client().getStatus({ id });
    expect(fake.requests.map((request) => request.url)).toEqual([path]);
  });
});
