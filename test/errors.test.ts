import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as sdk from '../src/index.js';

const { MfaError, isMfaError } = sdk;

describe('typed errors', () => {
  it.each([
    [new sdk.MfaValidationError('bad', { field: 'code' }), 'MfaValidationError', 'invalid_request', 400],
    [new sdk.MfaInvalidCodeError(), 'MfaInvalidCodeError', 'invalid_code', 400],
    [
      new sdk.MfaUnauthorizedError('no', { reason: 'missing_access_token' }),
      'MfaUnauthorizedError',
      'unauthorized',
      401,
    ],
    [new sdk.MfaNotFoundError(), 'MfaNotFoundError', 'not_found', 404],
    [new sdk.MfaConflictError('x', { reason: 'not_verified' }), 'MfaConflictError', 'not_verified', 409],
    [new sdk.MfaConflictError('x', { reason: 'already_enabled' }), 'MfaConflictError', 'already_enabled', 409],
    [new sdk.MfaRateLimitedError(undefined, { retryAfterMs: 5000 }), 'MfaRateLimitedError', 'rate_limited', 429],
    [new sdk.MfaProviderError('x', { type: 'unexpected' }), 'MfaProviderError', 'provider_error', 502],
    [new sdk.MfaConfigurationError('x'), 'MfaConfigurationError', 'configuration_error', 500],
  ])('%s has name, code and status, and a { error, code } body', (error, name, code, status) => {
    expect(error).toBeInstanceOf(MfaError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name, code, status });
    expect(isMfaError(error)).toBe(true);
    expect(error.toJSON()).toMatchObject({ error: error.message, code });
    expect(JSON.parse(JSON.stringify(error))).toEqual(error.toJSON());
  });

  it('isMfaError recognises errors from another copy of the package (the built CommonJS one)', () => {
    const require = createRequire(import.meta.url);
    const otherCopy = require('../dist/index.cjs') as typeof sdk;
    const foreign = new otherCopy.MfaInvalidCodeError();
    expect(foreign).not.toBeInstanceOf(MfaError);
    expect(isMfaError(foreign)).toBe(true);
    expect(otherCopy.isMfaError(new sdk.MfaProviderError('x', { type: 'unexpected' }))).toBe(true);
  });

  it('isMfaError is false for look-alikes and non-errors', () => {
    for (const value of [new Error('x'), { name: 'MfaError', code: 'invalid_code' }, null, undefined, 'MfaError', 42]) {
      expect(isMfaError(value)).toBe(false);
    }
  });

  it('keeps the standard cause', () => {
    const cause = new Error('inner');
    expect(new sdk.MfaProviderError('outer', { type: 'unexpected', cause }).cause).toBe(cause);
  });
});
