import { MfaProviderError, type MfaProviderErrorType } from '../errors.js';
import { failureClass, failureHint } from './failure-hint.js';

/*
 * Every MfaProviderError the SDK raises on its own (the SaaSus answers have theirs in src/saasus/error-map.ts) is
 * built here, so each default message is written once and every one carries the same kind of safe hint.
 */

/** A store, a custom provider or SaaSus answered outside its contract. Never retried: the same call answers the same. */
export function invalidResponse(message: string, retryable = false): MfaProviderError {
  return new MfaProviderError(message, { type: 'invalid_response', retryable });
}

/** The store did not answer within `storeTimeoutMs`: the outcome is unknown, which is never a success. */
export function storeTimedOut(storeName: string, limitMs: number): MfaProviderError {
  return new MfaProviderError(`The MFA store (${storeName}) did not answer within ${limitMs} ms`, {
    type: 'store_unavailable',
    retryable: true,
  });
}

/** The store's driver threw: down, cut off, or refusing. The message names only the class of what was thrown. */
export function storeUnavailable(storeName: string, error: unknown): MfaProviderError {
  return new MfaProviderError(`The MFA store (${storeName}) failed (${failureClass(error)})`, {
    type: 'store_unavailable',
    retryable: true,
    hint: failureHint(error),
  });
}

/** A stored record cannot be trusted (a sealed secret failing its integrity check, say). */
export function storeCorrupt(message: string, cause?: unknown): MfaProviderError {
  return new MfaProviderError(message, { type: 'store_corrupt', retryable: false, cause });
}

/** Something that is not an MfaError escaped a provider: a bug somewhere, described by its class only. */
export function unexpectedFailure(where: string, error: unknown): MfaProviderError {
  return new MfaProviderError(`${where} failed unexpectedly (${failureClass(error)})`, {
    type: 'unexpected',
    retryable: false,
    hint: failureHint(error),
  });
}

export type { MfaProviderErrorType };
