import {
  MfaConflictError,
  MfaInvalidCodeError,
  MfaNotFoundError,
  MfaProviderError,
  MfaStepUpRequiredError,
} from '../errors.js';

/* The self-hosted provider's refusals, each message written once. */

export const mismatch = (attemptsRemaining?: number): MfaInvalidCodeError =>
  new MfaInvalidCodeError(undefined, { attemptsRemaining });

export const replayed = (attemptsRemaining?: number): MfaInvalidCodeError =>
  new MfaInvalidCodeError('This code has already been used; wait for the next one', {
    reason: 'replayed',
    attemptsRemaining,
  });

export const expiredSetup = (): MfaInvalidCodeError =>
  new MfaInvalidCodeError('The setup has expired; create a new one', { reason: 'expired_setup' });

export const recoveryCodeMismatch = (attemptsRemaining?: number): MfaInvalidCodeError =>
  new MfaInvalidCodeError('The recovery code is incorrect or already used', { reason: 'mismatch', attemptsRemaining });

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

export const stepUpMissing = (): MfaStepUpRequiredError => new MfaStepUpRequiredError();

export const stepUpInvalid = (): MfaStepUpRequiredError =>
  new MfaStepUpRequiredError('The step-up token is not valid; confirm with a code again', { reason: 'invalid' });

/** The factor kept changing under one check (two `stale` answers in a row): outcome unknown, so never a success. */
export const stateChanged = (): MfaProviderError =>
  new MfaProviderError('The MFA state changed during the check; try again', {
    type: 'store_unavailable',
    retryable: true,
  });
