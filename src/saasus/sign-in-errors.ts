import { MfaProviderError, MfaUnauthorizedError, type MfaError } from '../errors.js';
import { mapSaasusFailure } from './error-map.js';
import { SaasusFailure, upstreamMessageOf } from './failure.js';

/** The two flows of `GET /credentials`, by their `auth-flow` value. */
export type SaasusAuthFlow = 'tempCodeAuth' | 'refreshTokenAuth';

// SaaSus documents no status for a used, expired or unknown temporary code or refresh token; on Cognito these are
// NotAuthorizedException ("Invalid Refresh Token", "Refresh Token has expired") or an invalid-parameter error, and
// SaaSus may send them as a 4xx or as a 500. Matched by type first, message second, whatever the status.
const REJECTED =
  /NotAuthorized|InvalidParameter|ExpiredCode|CodeMismatch|UserNotFound|invalid_grant|expired|invalid (temp|temporary )?code|refresh token/i;
const RATE_LIMITED = /LimitExceeded|TooManyRequests|rate.?limit|throttl/i;
// Our own signature refused: the app's configuration, not the user's code.
const SIGNATURE_REFUSED = /signature|api.?key|saas.?id/i;

function matches(failure: SaasusFailure, pattern: RegExp): boolean {
  return pattern.test(failure.type ?? '') || pattern.test(upstreamMessageOf(failure));
}

/**
 * A failed `GET /credentials` as a typed error:
 *
 * | failure                                                         | error                                        |
 * |-----------------------------------------------------------------|----------------------------------------------|
 * | timeout, abort, network, unreadable body                        | as for every SaaSus call (MfaProviderError)  |
 * | 429, or a limit-exceeded type or message                        | MfaRateLimitedError                          |
 * | a signature / API key type or message                           | MfaProviderError (check credentials)         |
 * | any other 4xx but 408, or a rejected type or message at any status | MfaUnauthorizedError `rejected_temporary_code` / `rejected_refresh_token` |
 * | any other 5xx (and 408)                                         | MfaProviderError, retryable                  |
 */
export function mapSignInFailure(failure: SaasusFailure, flow: SaasusAuthFlow): MfaError {
  // The mapping of the MFA calls is shared for every row that does not depend on the call: the preference read is
  // the call signed with the API key only, as this one is.
  const shared = () => (flow === 'tempCodeAuth' ? notToResend(failure) : mapSaasusFailure(failure, 'getPreference'));
  if (failure.kind !== 'http') return shared();
  const status = failure.status ?? 0;
  if (status === 429 || matches(failure, RATE_LIMITED) || matches(failure, SIGNATURE_REFUSED)) return shared();
  if ((status >= 400 && status < 500 && status !== 408) || matches(failure, REJECTED)) {
    return flow === 'tempCodeAuth'
      ? new MfaUnauthorizedError('The sign-in code is invalid, used or expired; sign in again', {
          reason: 'rejected_temporary_code',
          cause: failure,
        })
      : new MfaUnauthorizedError('The refresh token is invalid or expired; sign in again', {
          reason: 'rejected_refresh_token',
          cause: failure,
        });
  }
  return shared();
}

// Network failures that prove the request never left this machine: resending them cannot redeem a code twice.
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/** True when the failed request provably never reached SaaSus (connection refused, DNS). */
export function neverSent(failure: unknown): boolean {
  return failure instanceof SaasusFailure && failure.kind === 'network' && NEVER_SENT.has(failure.networkCode ?? '');
}

/**
 * A temporary code is single-use: after a timeout, a reset or a 5xx the request may have redeemed it (or may still be
 * redeeming it), so the error must not tell the caller to send the same code again; sign in again instead. Only a
 * failure that proves nothing was sent keeps `retryable`.
 */
function notToResend(failure: SaasusFailure): MfaError {
  const error = mapSaasusFailure(failure, 'getPreference');
  if (!(error instanceof MfaProviderError) || !error.retryable || neverSent(failure)) return error;
  const { type, upstreamStatus, upstreamType, traceId, hint } = error;
  return new MfaProviderError(error.message, {
    type,
    upstreamStatus,
    upstreamType,
    traceId,
    hint,
    retryable: false,
    cause: failure,
  });
}
