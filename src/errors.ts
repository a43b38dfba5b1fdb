/**
 * Typed errors. One base class, one flat level of subclasses.
 *
 * Rules every error here keeps:
 * - no secret, access token, ID token, API key, signature, TOTP code or recovery code in the message, any field,
 *   the JSON form or the exposed `cause` (the SaaSus provider attaches a redacted summary, never the axios error);
 * - `status` is the HTTP status an adapter should answer with, `toJSON()` is the body it may send.
 */

import { MfaError, type MfaErrorBody, type MfaErrorOptions } from './error-base.js';

export { MfaError, isMfaError } from './error-base.js';
export type { MfaErrorBody, MfaErrorCode, MfaErrorOptions } from './error-base.js';

/** Input refused before any request: a bad user id, a malformed code, a wrong type. */
export class MfaValidationError extends MfaError {
  override readonly name = 'MfaValidationError';
  /** The input field at fault (`userId`, `code`, `accessToken`, ...): a name, never its value. */
  readonly field: string | undefined;
  constructor(message: string, options: MfaErrorOptions & { field?: string | undefined } = {}) {
    super(message, 'invalid_request', 400, false, options);
    this.field = options.field;
  }
}

/** Why a well-formed code was refused: wrong (`mismatch`), already used (`replayed`), or its setup expired. */
export type InvalidCodeReason = 'mismatch' | 'replayed' | 'expired_setup';

/** The code was well formed but wrong, already used, or for a setup that no longer exists. */
export class MfaInvalidCodeError extends MfaError {
  override readonly name = 'MfaInvalidCodeError';
  /** Why the code was refused. Default `mismatch`. */
  readonly reason: InvalidCodeReason;
  /**
   * Failed codes the user (on this client, when the app passed `clientKey`) may still send before the attempt limit
   * locks them out, counted after this one; set by the self-hosted provider, undefined when not known (SaaSus).
   * A page can show it ("2 attempts left"). A replay does not lower it.
   */
  readonly attemptsRemaining: number | undefined;
  constructor(
    message = 'The verification code is incorrect',
    options: MfaErrorOptions & { reason?: InvalidCodeReason; attemptsRemaining?: number | undefined } = {},
  ) {
    super(message, 'invalid_code', 400, false, options);
    this.reason = options.reason ?? 'mismatch';
    this.attemptsRemaining = options.attemptsRemaining;
  }
  override toJSON(): MfaErrorBody {
    const body: MfaErrorBody = { ...super.toJSON(), reason: this.reason };
    return this.attemptsRemaining === undefined ? body : { ...body, attemptsRemaining: this.attemptsRemaining };
  }
}

/** Which credential was missing or rejected: the access token, ID token, sign-in temporary code or refresh token. */
export type UnauthorizedReason =
  | 'missing_access_token'
  | 'rejected_access_token'
  | 'missing_id_token'
  | 'rejected_id_token'
  | 'rejected_temporary_code'
  | 'missing_refresh_token'
  | 'rejected_refresh_token';

/** The user's access token (or ID token) is missing, expired or rejected. */
export class MfaUnauthorizedError extends MfaError {
  override readonly name = 'MfaUnauthorizedError';
  /** Which credential was missing or rejected (never the credential itself). */
  readonly reason: UnauthorizedReason;
  constructor(message: string, options: MfaErrorOptions & { reason: UnauthorizedReason }) {
    super(message, 'unauthorized', 401, false, options);
    this.reason = options.reason;
  }
  override toJSON(): MfaErrorBody {
    return { ...super.toJSON(), reason: this.reason };
  }
}

/** Nothing to act on: SaaSus does not know the user, or (self-hosted) MFA is not enabled or no setup is pending. */
export class MfaNotFoundError extends MfaError {
  override readonly name = 'MfaNotFoundError';
  constructor(message = 'The user was not found', options: MfaErrorOptions = {}) {
    super(message, 'not_found', 404, false, options);
  }
}

/** The lifecycle step is not allowed now: enabling an unverified setup, or a factor that is already enabled. */
export type ConflictReason = 'not_verified' | 'already_enabled';

/** The lifecycle step is out of order; `code` and `reason` say which (`not_verified` or `already_enabled`). */
export class MfaConflictError extends MfaError {
  override readonly name = 'MfaConflictError';
  /** Same as `code`: which step is out of order. */
  readonly reason: ConflictReason;
  constructor(message: string, options: MfaErrorOptions & { reason: ConflictReason }) {
    super(message, options.reason, 409, false, options);
    this.reason = options.reason;
  }
}

/** Too many attempts or requests. `retryAfterMs` says when to try again, when known. */
export class MfaRateLimitedError extends MfaError {
  override readonly name = 'MfaRateLimitedError';
  /** ms until a retry may succeed; undefined when the limiter (or SaaSus) did not say. */
  readonly retryAfterMs: number | undefined;
  constructor(
    message = 'Too many attempts; try again later',
    options: MfaErrorOptions & { retryAfterMs?: number | undefined } = {},
  ) {
    super(message, 'rate_limited', 429, true, options);
    this.retryAfterMs = options.retryAfterMs;
  }
  override toJSON(): MfaErrorBody {
    const body = super.toJSON();
    return this.retryAfterMs === undefined ? body : { ...body, retryAfterMs: this.retryAfterMs };
  }
}

/** Why a step-up proof was refused: none was given (`missing`), or the token cannot be used (`invalid`). */
export type StepUpReason = 'missing' | 'invalid';

/**
 * An account change (`disable`, `regenerateRecoveryCodes`) needs a fresh second factor: a current code or recovery
 * code, or a `stepUpToken` from a recent `verify` / `verifySecondFactor`. Status 403, not 401: the session is valid
 * (and the official SaaSus front end treats a 401 as "signed out"); the user only has to prove the factor again.
 * `invalid` covers a malformed, forged or expired token, and one issued to another user or for another factor, on
 * purpose without saying which. Nothing was changed.
 */
export class MfaStepUpRequiredError extends MfaError {
  override readonly name = 'MfaStepUpRequiredError';
  /** Why the proof was refused (see {@link StepUpReason}). */
  readonly reason: StepUpReason;
  constructor(
    message = 'Confirm with a current code or a recovery code first',
    options: MfaErrorOptions & { reason?: StepUpReason } = {},
  ) {
    super(message, 'step_up_required', 403, false, options);
    this.reason = options.reason ?? 'missing';
  }
  override toJSON(): MfaErrorBody {
    return { ...super.toJSON(), reason: this.reason };
  }
}

/**
 * What went wrong, as a closed set an app can switch on:
 * - SaaSus: `upstream` (SaaSus answered with an error status; its own type is in `upstreamType`), `timeout`,
 *   `network`, `aborted` (the caller's signal), `invalid_response` (an answer that is not the expected JSON);
 * - self-hosted: `store_unavailable` (down, too slow, or an outcome that cannot be confirmed), `store_corrupt` (a stored
 *   secret fails its integrity check), `invalid_response` (a store or custom provider answered outside its contract);
 * - `unexpected`: a failure of none of these kinds (a bug, in the SDK or in a custom provider or store).
 */
export type MfaProviderErrorType =
  | 'upstream'
  | 'timeout'
  | 'network'
  | 'aborted'
  | 'invalid_response'
  | 'store_unavailable'
  | 'store_corrupt'
  | 'unexpected';

/** Options of {@link MfaProviderError}: the failure kind and the non-secret details kept for logs. */
export interface MfaProviderErrorOptions extends MfaErrorOptions {
  /** What kind of failure this is. */
  type: MfaProviderErrorType;
  /** HTTP status the provider answered with; undefined when no answer arrived (timeout, network). */
  upstreamStatus?: number | undefined;
  /** The provider's own error type (`type` in a SaaSus error body), when it looks like an identifier. */
  upstreamType?: string | undefined;
  /** The provider's trace id, to quote to its support. */
  traceId?: string | undefined;
  /** A safe, diagnosable trace of an underlying failure: its class and a non-secret code, never its message. */
  hint?: string | undefined;
  /** Default: true for `store_unavailable`, `timeout`, `network` and `upstream`, false otherwise. */
  retryable?: boolean;
}

const RETRYABLE_BY_DEFAULT: ReadonlySet<MfaProviderErrorType> = new Set([
  'store_unavailable',
  'timeout',
  'network',
  'upstream',
]);

/**
 * The provider failed or could not be reached. Adapters answer 502; details stay on the error for logs.
 * `toJSON()` carries none of them: `type`, `hint` and the upstream fields describe the deployment (which store,
 * which driver, which SaaSus error), which is for the app's logs, not for an HTTP client.
 */
export class MfaProviderError extends MfaError {
  override readonly name = 'MfaProviderError';
  /** What kind of failure this is (see {@link MfaProviderErrorType}). */
  readonly type: MfaProviderErrorType;
  /** HTTP status the provider answered with; undefined when no answer arrived (timeout, network). */
  readonly upstreamStatus: number | undefined;
  /** The provider's own error type (`type` in a SaaSus error body), when it looks like an identifier. */
  readonly upstreamType: string | undefined;
  /** The provider's trace id, to quote to its support. */
  readonly traceId: string | undefined;
  /** A safe, diagnosable trace of an underlying failure: its class and a non-secret code, never its message. */
  readonly hint: string | undefined;
  constructor(message: string, options: MfaProviderErrorOptions) {
    super(message, 'provider_error', 502, options.retryable ?? RETRYABLE_BY_DEFAULT.has(options.type), options);
    this.type = options.type;
    this.upstreamStatus = options.upstreamStatus;
    this.upstreamType = options.upstreamType;
    this.traceId = options.traceId;
    this.hint = options.hint;
  }
}

/** The SDK is set up wrongly (a missing credential, a bad option). Thrown at construction where possible. */
export class MfaConfigurationError extends MfaError {
  override readonly name = 'MfaConfigurationError';
  constructor(message: string, options?: MfaErrorOptions) {
    super(message, 'configuration_error', 500, false, options);
  }
}
