import { MfaStepUpRequiredError, MfaValidationError } from '../errors.js';
import type { MfaAdminResetOptions, MfaStepUpProof } from '../types.js';
import { looksLikeTotpCode, normalizeCode, normalizeRecoveryCode, textProblem } from './validation.js';

/** A step-up token is short base64url text; anything longer or of other characters cannot be one. */
const TOKEN_SHAPE = /^[A-Za-z0-9._-]{1,512}$/;

/** Reads a field of the caller's object; a throwing getter or Proxy is input the SDK cannot use. */
function field(options: object, name: string): unknown {
  try {
    return (options as Record<string, unknown>)[name];
  } catch {
    throw new MfaValidationError('options could not be read', { field: 'options' });
  }
}

/**
 * The step-up proof in `disable` / `regenerateRecoveryCodes` options, checked and normalised: a TOTP code (six digits,
 * separators dropped), a recovery code (letters and digits), or a token; undefined when none was given (the provider
 * then refuses with `step_up_required`). Both at once is a mistake worth a clear message, not a silent choice.
 */
export function readStepUpProof(options: unknown): MfaStepUpProof | undefined {
  if (typeof options !== 'object' || options === null) return undefined;
  const code = field(options, 'code');
  const stepUpToken = field(options, 'stepUpToken');
  const hasCode = code !== undefined && code !== null && code !== '';
  const hasToken = stepUpToken !== undefined && stepUpToken !== null && stepUpToken !== '';
  if (hasCode && hasToken)
    throw new MfaValidationError('Give either code or stepUpToken, not both', { field: 'stepUpToken' });
  if (hasToken) {
    // A malformed token is refused like a forged one: the caller learns nothing about which check failed.
    if (typeof stepUpToken !== 'string' || !TOKEN_SHAPE.test(stepUpToken))
      throw new MfaStepUpRequiredError('The step-up token is not valid; confirm with a code again', {
        reason: 'invalid',
      });
    return { stepUpToken };
  }
  if (!hasCode) return undefined;
  if (typeof code !== 'string')
    throw new MfaValidationError('code must be a string (6 digits or a recovery code)', { field: 'code' });
  return { code: looksLikeTotpCode(code) ? normalizeCode(code) : normalizeRecoveryCode(code) };
}

/** `adminReset`'s `{ actor, reason }`: clean, non-blank text, since both go into an audit log as they are. */
export function readAdminReset(options: unknown): MfaAdminResetOptions {
  if (typeof options !== 'object' || options === null)
    throw new MfaValidationError('adminReset needs { actor, reason }', { field: 'actor' });
  return {
    actor: auditText(field(options, 'actor'), 'actor', 200),
    reason: auditText(field(options, 'reason'), 'reason', 500),
  };
}

function auditText(value: unknown, name: string, maxLength: number): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new MfaValidationError(`${name} must be a non-blank string`, { field: name });
  if (value.length > maxLength)
    throw new MfaValidationError(`${name} is longer than ${maxLength} characters`, { field: name });
  const problem = textProblem(value);
  if (problem) throw new MfaValidationError(`${name} ${problem}`, { field: name });
  return value;
}
