/* The base of every error the SDK throws; the subclasses are in errors.ts. */

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
  | 'step_up_required'
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
  /**
   * The subclass's `reason`, only for {@link MfaInvalidCodeError}, {@link MfaUnauthorizedError} and
   * {@link MfaStepUpRequiredError}.
   */
  reason?: string;
  /** Only for {@link MfaInvalidCodeError}, when the self-hosted provider knows it: failed codes left before a lock. */
  attemptsRemaining?: number;
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
