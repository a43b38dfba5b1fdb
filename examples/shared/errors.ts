import { isMfaError } from 'saasus-mfa';

export interface ErrorBody {
  error: string;
  code: string;
  [hint: string]: unknown;
}

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  /** Extra response headers, e.g. `Retry-After` for a 429. */
  headers?: Record<string, string>;
}

/** An error of the example app itself (bad sign-up input, wrong password, unknown session): a fixed, safe message. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const NOT_FOUND: ErrorResponse = { status: 404, body: { error: 'Not found', code: 'not_found' } };

// Fixed messages: a JSON parser's own message may quote the request body back, tokens included.
const BODY_ERRORS: Record<string, string> = {
  'entity.parse.failed': 'The request body is not valid JSON',
  'entity.too.large': 'The request body is too large',
};

/**
 * The one place an error becomes an HTTP answer:
 * - an MfaError answers its own `status` with its `toJSON()` (safe by design: no secret, no token), and a 429 also
 *   says `Retry-After` in seconds, for clients that read headers rather than `retryAfterMs`;
 * - an HttpError (ours) answers its status with its fixed message;
 * - a body-parser error (malformed JSON 400, too large 413, ...) answers its 4xx with a fixed message;
 * - anything else is our bug: 500 with a fixed body, logged by name only (the raw error may carry tokens).
 */
export function errorResponse(error: unknown): ErrorResponse {
  if (isMfaError(error)) {
    if (error.status >= 500) logServerError(error);
    const response: ErrorResponse = { status: error.status, body: { ...error.toJSON() } };
    const { retryAfterMs } = error as { retryAfterMs?: unknown };
    if (typeof retryAfterMs === 'number') response.headers = { 'Retry-After': String(Math.ceil(retryAfterMs / 1000)) };
    return response;
  }
  if (error instanceof HttpError) return { status: error.status, body: { error: error.message, code: error.code } };
  const status = clientErrorStatus(error);
  if (status !== undefined) {
    const type = (error as { type?: unknown }).type;
    const message = (typeof type === 'string' && BODY_ERRORS[type]) || 'The request could not be read';
    return { status, body: { error: message, code: 'invalid_request' } };
  }
  logServerError(error);
  return { status: 500, body: { error: 'Internal error', code: 'internal_error' } };
}

/** The 4xx of an http-errors style error (body-parser, raw-body, ../shared/json-body.ts), which marks them `expose`. */
function clientErrorStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, expose } = error as { status?: unknown; expose?: unknown };
  return expose === true && typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

function logServerError(error: unknown): void {
  if (isMfaError(error)) {
    // Safe fields only; traceId is what SaaSus support asks for.
    const { upstreamStatus, type, traceId } = error as { upstreamStatus?: number; type?: string; traceId?: string };
    console.error(
      `[mfa-example] ${error.name} (${error.code}) upstream=${upstreamStatus ?? '-'} type=${type ?? '-'} trace=${traceId ?? '-'}`,
    );
    return;
  }
  console.error(`[mfa-example] unexpected ${error instanceof Error ? error.name : typeof error}`);
}
