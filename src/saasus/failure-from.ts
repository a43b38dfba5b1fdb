import type { SaasusRequestOptions } from './api.js';
import { SaasusFailure } from './failure.js';
import { parseRetryAfter } from './retry.js';

/** One header from an axios response's headers (lower-case names), first value when repeated. */
export function headerValue(headers: unknown, name: string): string | undefined {
  const value = (headers as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : Array.isArray(value) ? String(value[0]) : undefined;
}

/** A non-2xx answer becomes a failure: status, the body's `type` and `message` (if JSON), trace id, Retry-After. */
export function failureFromAnswer(
  method: string,
  path: string,
  status: number,
  body: unknown,
  headers: unknown,
): SaasusFailure {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  return new SaasusFailure({
    kind: 'http',
    method,
    path,
    status,
    type: typeof fields.type === 'string' ? fields.type : undefined,
    upstreamMessage: typeof fields.message === 'string' ? fields.message : undefined,
    traceId: headerValue(headers, 'x-saasus-trace-id'),
    retryAfterMs: parseRetryAfter(headerValue(headers, 'retry-after')),
  });
}

/**
 * Largest answer read from SaaSus. Its MFA and userinfo answers are a few hundred bytes; without a cap axios buffers
 * whatever arrives (a misrouted download, a hostile proxy) in full before we can refuse it.
 */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

/** axios's error for an answer over `maxContentLength` (its code, ERR_BAD_RESPONSE, also covers a broken stream). */
function isOversizedAnswer(error: unknown): boolean {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message.startsWith('maxContentLength size of');
}

/** A thrown axios error (no answer) becomes a failure: the signal says whether it was our timeout or the caller. */
export function failureFromThrown(
  error: unknown,
  method: string,
  path: string,
  options: SaasusRequestOptions,
): SaasusFailure {
  // Not a network failure: the same request would bring the same oversized answer, so a GET is not retried for it.
  if (isOversizedAnswer(error))
    return new SaasusFailure({ kind: 'invalid_response', method, path, sizeLimitBytes: MAX_RESPONSE_BYTES });
  if (options.signal.aborted) {
    const timedOut = (options.signal.reason as { name?: string } | undefined)?.name === 'TimeoutError';
    return new SaasusFailure({ kind: timedOut ? 'timeout' : 'aborted', method, path, timeoutMs: options.timeoutMs });
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') {
    return new SaasusFailure({ kind: 'timeout', method, path, timeoutMs: options.timeoutMs });
  }
  return new SaasusFailure({ kind: 'network', method, path, networkCode: typeof code === 'string' ? code : undefined });
}
