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

export interface MfaErrorOptions {
  cause?: unknown;
}

/** The safe body an HTTP adapter may send: `{ error, code }` plus a few non-secret hints. */
export interface MfaErrorBody {
  error: string;
  code: MfaErrorCode;
  reason?: string;
  retryAfterMs?: number;
}

export class MfaError extends Error {
  override readonly name: string = 'MfaError';
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
  constructor(message: string, field?: string, options?: MfaErrorOptions) {
    super(message, 'invalid_request', 400, false, options);
    this.field = field;
  }
}

export type InvalidCodeReason = 'mismatch' | 'replayed' | 'expired_setup';

/** The code was well formed but wrong, already used, or for a setup that no longer exists. */
export class MfaInvalidCodeError extends MfaError {
  override readonly name = 'MfaInvalidCodeError';
  readonly reason: InvalidCodeReason;
  constructor(
    message = 'The verification code is incorrect',
    reason: InvalidCodeReason = 'mismatch',
    options?: MfaErrorOptions,
  ) {
    super(message, 'invalid_code', 400, false, options);
    this.reason = reason;
  }
  override toJSON(): MfaErrorBody {
    return { ...super.toJSON(), reason: this.reason };
  }
}

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
  readonly reason: UnauthorizedReason;
  constructor(message: string, reason: UnauthorizedReason, options?: MfaErrorOptions) {
    super(message, 'unauthorized', 401, false, options);
    this.reason = reason;
  }
  override toJSON(): MfaErrorBody {
    return { ...super.toJSON(), reason: this.reason };
  }
}

export class MfaNotFoundError extends MfaError {
  override readonly name = 'MfaNotFoundError';
  constructor(message = 'The user was not found', options?: MfaErrorOptions) {
    super(message, 'not_found', 404, false, options);
  }
}

/** The lifecycle step is not allowed now: enabling an unverified setup, or a factor that is already enabled. */
export class MfaConflictError extends MfaError {
  override readonly name = 'MfaConflictError';
  constructor(message: string, code: 'not_verified' | 'already_enabled', options?: MfaErrorOptions) {
    super(message, code, 409, false, options);
  }
}

/** Too many attempts or requests. `retryAfterMs` says when to try again, when known. */
export class MfaRateLimitedError extends MfaError {
  override readonly name = 'MfaRateLimitedError';
  readonly retryAfterMs: number | undefined;
  constructor(message = 'Too many attempts; try again later', retryAfterMs?: number, options?: MfaErrorOptions) {
    super(message, 'rate_limited', 429, true, options);
    this.retryAfterMs = retryAfterMs;
  }
  override toJSON(): MfaErrorBody {
    const body = super.toJSON();
    return this.retryAfterMs === undefined ? body : { ...body, retryAfterMs: this.retryAfterMs };
  }
}

export interface MfaProviderErrorDetails {
  /** HTTP status the provider answered with; undefined when no answer arrived (timeout, network). */
  upstreamStatus?: number | undefined;
  /** The provider's error type (`type` in a SaaSus error body), or `timeout`, `network`, `aborted`, `invalid_response`. */
  type?: string | undefined;
  /** The provider's trace id, to quote to its support. */
  traceId?: string | undefined;
  retryable?: boolean;
}

/** The provider failed or could not be reached. Adapters answer 502; details stay on the error for logs. */
export class MfaProviderError extends MfaError {
  override readonly name = 'MfaProviderError';
  readonly upstreamStatus: number | undefined;
  readonly type: string | undefined;
  readonly traceId: string | undefined;
  constructor(message: string, details: MfaProviderErrorDetails = {}, options?: MfaErrorOptions) {
    super(message, 'provider_error', 502, details.retryable ?? true, options);
    this.upstreamStatus = details.upstreamStatus;
    this.type = details.type;
    this.traceId = details.traceId;
  }
}

/** The SDK is set up wrongly (a missing credential, a bad option). Thrown at construction where possible. */
export class MfaConfigurationError extends MfaError {
  override readonly name = 'MfaConfigurationError';
  constructor(message: string, options?: MfaErrorOptions) {
    super(message, 'configuration_error', 500, false, options);
  }
}
