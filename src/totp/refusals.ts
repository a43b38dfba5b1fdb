import { MfaConflictError, MfaInvalidCodeError, MfaNotFoundError } from '../errors.js';

/* The self-hosted provider's refusals, each message written once. */

export const mismatch = (): MfaInvalidCodeError => new MfaInvalidCodeError();

export const replayed = (): MfaInvalidCodeError =>
  new MfaInvalidCodeError('This code has already been used; wait for the next one', { reason: 'replayed' });

export const expiredSetup = (): MfaInvalidCodeError =>
  new MfaInvalidCodeError('The setup has expired; create a new one', { reason: 'expired_setup' });

export const recoveryCodeMismatch = (): MfaInvalidCodeError =>
  new MfaInvalidCodeError('The recovery code is incorrect or already used', { reason: 'mismatch' });

export const notEnabled = (): MfaNotFoundError => new MfaNotFoundError('MFA is not enabled for this user');

export const noSetup = (): MfaNotFoundError =>
  new MfaNotFoundError('No authenticator is being set up or enabled for this user');

export const alreadyEnabled = (): MfaConflictError =>
  new MfaConflictError('MFA is already enabled; disable it before setting up another authenticator', {
    reason: 'already_enabled',
  });

export const notVerified = (expired: boolean): MfaConflictError =>
  new MfaConflictError(
    expired
      ? 'The setup expired before it was enabled; create a new one'
      : 'Verify a code from the authenticator before enabling MFA',
    { reason: 'not_verified' },
  );

export const setupChanged = (): MfaConflictError =>
  new MfaConflictError('The setup changed while it was being enabled; verify a new code', { reason: 'not_verified' });
