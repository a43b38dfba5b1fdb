/**
 * Typed errors. One base class, one flat level of subclasses.
 *
 * Rules every error here keeps:
 * - no secret, access token, ID token, API key, signature, TOTP code or recovery code in the message, any field,
 *   the JSON form or the exposed `cause` (the SaaSus provider attaches a redacted summary, never the axios error);
 * - `status` is the HTTP status an adapter should answer with, `toJSON()` is the body it may send.
 */

/** Brand checked by `isMfaError`, so the guard works across two copies of the package (see ky's `isHTTPError`). */
const MFA_ERROR_BRAND = Symbol.for('saasus-mfa.error');

/** The stable, machine-readable `code` of an {@link MfaError}: one per subclass, two for {@link MfaConflictError}. */
export type MfaErrorCode =
  | 'invalid_request'
  | 'invalid_code'
  | 'unauthorized'
  | 'not_found'
  | 'not_verified'
  | 'already_enabled'
  | 'rate_limited'
  | 'provider_error'
  | 'configuration_error';

/** Options every error constructor takes. */
export interface MfaErrorOptions {
  /** The underlying failure, kept as the standard `cause`; the SDK passes a redacted summary, never a raw error. */
  cause?: unknown;
}

/** The safe body an HTTP adapter may send: `{ error, code }` plus a few non-secret hints. */
export interface MfaErrorBody {
  /** The error's `message`: human-readable, never a secret. */
  error: string;
  /** The error's {@link MfaError.code}. */
  code: MfaErrorCode;
  /** The subclass's `reason`, only for {@link MfaInvalidCodeError} and {@link MfaUnauthorizedError}. */
  reason?: string;
  /** Only for {@link MfaRateLimitedError}, when the wait is known: ms until a retry may succeed. */
  retryAfterMs?: number;
}

/**
 * Base class of every error the SDK throws; switch on `code` (or `instanceof` a subclass), answer with `status`, send
 * `toJSON()`. Use {@link isMfaError} rather than `instanceof MfaError` where two copies of the package may meet.
 */
export class MfaError extends Error {
  /** The class name (`MfaError`, `MfaValidationError`, ...), set on each subclass so it survives minification. */
  override readonly name: string = 'MfaError';
  /** Stable machine-readable code, fixed per subclass (see {@link MfaErrorCode}). */
  readonly code: MfaErrorCode;
  /** HTTP status an adapter should answer with. */
  readonly status: number;
  /** True when the same call may succeed if tried again later. */
  readonly retryable: boolean;

  constructor(message: string, code: MfaErrorCode, status: number, retryable: boolean, options?: MfaErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = status;
    this.retryable = retryable;
    Object.defineProperty(this, MFA_ERROR_BRAND, { value: true });
  }

  /** The safe body an adapter may send: `{ error, code }`, plus `reason` or `retryAfterMs` where a subclass has one. */
  toJSON(): MfaErrorBody {
    return { error: this.message, code: this.code };
  }
}

/** True for any error thrown by saasus-mfa, even one from another copy of the package. */
export function isMfaError(value: unknown): value is MfaError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MFA_ERROR_BRAND] === true;
}

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
  constructor(
    message = 'The verification code is incorrect',
    options: MfaErrorOptions & { reason?: InvalidCodeReason } = {},
  ) {
    super(message, 'invalid_code', 400, false, options);
    this.reason = options.reason ?? 'mismatch';
  }
  override toJSON(): MfaErrorBody {
    return { ...super.toJSON(), reason: this.reason };
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
