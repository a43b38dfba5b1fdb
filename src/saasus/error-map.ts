import {
  MfaConflictError,
  MfaInvalidCodeError,
  MfaNotFoundError,
  MfaProviderError,
  MfaRateLimitedError,
  MfaUnauthorizedError,
  type MfaError,
} from '../errors.js';
import { type SaasusFailure, upstreamMessageOf } from './failure.js';

/** The SaaSus operations, named after what the provider asks of them. */
export type SaasusOperation =
  | 'getPreference'
  | 'enableSoftwareToken'
  | 'enableEmail'
  | 'updatePreference'
  | 'createSecretCode'
  | 'registerSoftwareToken'
  | 'getUserInfo';

/** Operations that carry the end user's access token: a 401 there is about that token, not about our signature. */
const USER_TOKEN_OPERATIONS: ReadonlySet<SaasusOperation> = new Set(['createSecretCode', 'registerSoftwareToken']);

// The public reference documents only 500 (and 401 for userinfo). SaaSus runs on Cognito, so its exception names
// and messages are matched too, by type first and message second, whatever the status.
const CODE_MISMATCH = /CodeMismatch|EnableSoftwareTokenMFA|code mismatch|invalid code|verification code|wrong code/i;
const RATE_LIMITED = /LimitExceeded|TooManyRequests|TooManyFailedAttempts|rate.?limit|throttl/i;
const TOKEN_REJECTED = /NotAuthorized|access token|token (has )?expired|invalid token|expired token/i;
const USER_NOT_FOUND = /UserNotFound|user not found|user does not exist/i;
const NOT_VERIFIED =
  /not (been )?verified|has not verified|verify .*before|SoftwareTokenMFANotFound|EnableSoftwareTokenMFA|no software token/i;

function matches(failure: SaasusFailure, pattern: RegExp): boolean {
  return pattern.test(failure.type ?? '') || pattern.test(upstreamMessageOf(failure));
}

/**
 * The one mapping table from a SaaSus failure to a typed error (the README shows it as a table). Rows in order:
 *
 * | failure                                                    | error                                   |
 * |------------------------------------------------------------|-----------------------------------------|
 * | no answer in time                                          | MfaProviderError type `timeout`, retryable |
 * | aborted by the caller's signal                             | MfaProviderError type `aborted`         |
 * | connection refused, reset, DNS failure                     | MfaProviderError type `network`, retryable |
 * | 2xx with a body that is not the expected JSON              | MfaProviderError type `invalid_response` |
 * | verify: code-mismatch type or message, any 4xx or 5xx      | MfaInvalidCodeError (reason `mismatch`) |
 * | 429, or a limit-exceeded type or message                   | MfaRateLimitedError with `retryAfterMs` |
 * | 401/403 or token-rejected type, on a call with the user's access token | MfaUnauthorizedError `rejected_access_token` |
 * | 401/403 on userinfo                                        | MfaUnauthorizedError `rejected_id_token` |
 * | 401/403 on a call signed only with the API key             | MfaProviderError (check credentials), not retryable |
 * | 404, or a user-not-found type                              | MfaNotFoundError                        |
 * | enable: any 400, or a not-verified type or message          | MfaConflictError `not_verified`         |
 * | any other 5xx                                              | MfaProviderError, retryable             |
 * | any other 4xx                                              | MfaProviderError, not retryable         |
 */
export function mapSaasusFailure(failure: SaasusFailure, operation: SaasusOperation): MfaError {
  const cause = failure;
  // SaaSus's own error type travels in `upstreamType`; `type` is always one of MfaProviderErrorType.
  const upstream = { upstreamStatus: failure.status, upstreamType: failure.type, traceId: failure.traceId, cause };
  switch (failure.kind) {
    case 'timeout':
      return new MfaProviderError('SaaSus did not answer in time', { ...upstream, type: 'timeout', retryable: true });
    case 'aborted':
      return new MfaProviderError('The request to SaaSus was aborted', {
        ...upstream,
        type: 'aborted',
        retryable: false,
      });
    case 'network':
      return new MfaProviderError('Could not reach SaaSus', { ...upstream, type: 'network', retryable: true });
    case 'invalid_response':
      return new MfaProviderError('SaaSus answered with an unexpected body', {
        ...upstream,
        type: 'invalid_response',
        retryable: true,
      });
    case 'http':
      break;
  }
  const status = failure.status ?? 0;
  if (operation === 'registerSoftwareToken' && status >= 400 && matches(failure, CODE_MISMATCH)) {
    return new MfaInvalidCodeError('The verification code is incorrect', { reason: 'mismatch', cause });
  }
  if (status === 429 || matches(failure, RATE_LIMITED)) {
    return new MfaRateLimitedError('Too many attempts at SaaSus; try again later', {
      retryAfterMs: failure.retryAfterMs,
      cause,
    });
  }
  if (status === 401 || status === 403 || matches(failure, TOKEN_REJECTED)) {
    if (USER_TOKEN_OPERATIONS.has(operation)) {
      return new MfaUnauthorizedError('The access token was rejected; sign in again', {
        reason: 'rejected_access_token',
        cause,
      });
    }
    if (operation === 'getUserInfo') {
      return new MfaUnauthorizedError('The ID token was rejected; sign in again', {
        reason: 'rejected_id_token',
        cause,
      });
    }
    return new MfaProviderError(
      'SaaSus refused the API credentials (check SAASUS_SAAS_ID, SAASUS_API_KEY, SAASUS_SECRET_KEY and the clock)',
      { ...upstream, type: 'upstream', retryable: false },
    );
  }
  if (status === 404 || matches(failure, USER_NOT_FOUND))
    return new MfaNotFoundError('The user was not found at SaaSus', { cause });
  // Enabling the authenticator app has no other way to fail with a 400 than the state: SaaSus answers 400
  // EnableSoftwareTokenMFAException ("No software token registered") when no authenticator was verified. E-mail MFA
  // has no setup step, so its 400 (custom domain not configured, say) stays SaaSus's own answer.
  if (operation === 'enableSoftwareToken' && (status === 400 || matches(failure, NOT_VERIFIED))) {
    return new MfaConflictError('Verify a code from the authenticator app before enabling MFA', {
      reason: 'not_verified',
      cause,
    });
  }
  const retryable = status >= 500 || status === 408;
  return new MfaProviderError(`SaaSus answered with status ${status}`, { ...upstream, type: 'upstream', retryable });
}
