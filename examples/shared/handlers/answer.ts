import { isMfaError, type MfaError } from 'saasus-mfa';

/**
 * What a handler answers, in no framework's types: the adapter writes the status, the headers and, when there is
 * one, the body as JSON. Express, Koa and a Fetch `Response` can all be built from it.
 */
export interface HttpAnswer {
  status: number;
  /** Sent as JSON; absent for an answer without a body (204). */
  body?: unknown;
  /** Extra response headers, e.g. `Retry-After` for a 429. */
  headers?: Record<string, string>;
}

/** 200 with a JSON body. */
export const ok = (body: unknown): HttpAnswer => ({ status: 200, body });

/**
 * A refusal of the example app itself (bad sign-up input, wrong password, unknown session, unreadable body): the
 * message is fixed by the example, never built from the request, so it is safe to send as it is.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  /** For a 429 or 503 of the example's own: ms until a retry may succeed, sent as `retryAfterMs` and `Retry-After`. */
  readonly retryAfterMs: number | undefined;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    { retryAfterMs }: { retryAfterMs?: number } = {},
  ) {
    super(message);
    this.retryAfterMs = retryAfterMs;
  }
}

export const NOT_FOUND: HttpAnswer = { status: 404, body: { error: 'Not found', code: 'not_found' } };

const INTERNAL_ERROR: HttpAnswer = { status: 500, body: { error: 'Internal error', code: 'internal_error' } };

const MISCONFIGURED = { error: 'The server is not set up correctly; its log says why', code: 'configuration_error' };

/**
 * The one place a failure becomes an HTTP answer. The SDK throws only `MfaError`s, and the example only
 * `HttpError`s, so there are two cases and a last resort:
 * - an MfaError answers its own `status` with its `toJSON()` (safe by design: no secret, no token), and a 429 also
 *   says `Retry-After` in seconds, for clients that read headers rather than `retryAfterMs`;
 * - an HttpError answers its status with its fixed message (and a 5xx is logged, by that message only);
 * - anything else is a bug of the example: 500 with a fixed body, logged by name only (the raw error may carry tokens).
 */
export function answerFor(error: unknown): HttpAnswer {
  if (isMfaError(error)) {
    if (error.status >= 500) logMfaError(error);
    // A configuration error is for whoever runs the server (its message names tables, Redis users, options): the
    // client gets a fixed body, the log gets the message.
    const body = error.code === 'configuration_error' ? MISCONFIGURED : error.toJSON();
    const answer: HttpAnswer = { status: error.status, body };
    const seconds = retryAfterSeconds(error);
    if (seconds !== undefined) answer.headers = { 'Retry-After': seconds };
    return answer;
  }
  if (error instanceof HttpError) {
    // A 5xx of our own (a store down) is for whoever runs the server too; its message is fixed, so it may be logged.
    // A 503 "busy" is load, not a fault: not logged, or a flood would also flood the log.
    if (error.status >= 500 && error.status !== 503)
      console.error(`[mfa-example] ${error.name} (${error.code}) ${error.message}`);
    const seconds = retryAfterSeconds(error);
    return {
      status: error.status,
      body:
        error.retryAfterMs === undefined
          ? { error: error.message, code: error.code }
          : { error: error.message, code: error.code, retryAfterMs: error.retryAfterMs },
      ...(seconds === undefined ? {} : { headers: { 'Retry-After': seconds } }),
    };
  }
  console.error(`[mfa-example] unexpected ${error instanceof Error ? error.name : typeof error}`);
  return INTERNAL_ERROR;
}

/** `retryAfterMs` of a `rate_limited` (or busy) error, rounded up to whole seconds as the header wants them. */
function retryAfterSeconds(error: MfaError | HttpError): string | undefined {
  const { retryAfterMs } = error as { retryAfterMs?: unknown };
  return typeof retryAfterMs === 'number' ? String(Math.ceil(retryAfterMs / 1000)) : undefined;
}

/**
 * Safe fields only: an MfaError's message never holds a secret or a token, `hint` is the failure's class and a
 * non-secret code (`Error ECONNREFUSED`, a SQLSTATE), and traceId is what SaaSus support asks for.
 */
function logMfaError(error: MfaError): void {
  const { upstreamStatus, upstreamType, type, hint, traceId } = error as {
    upstreamStatus?: number;
    upstreamType?: string;
    type?: string;
    hint?: string;
    traceId?: string;
  };
  const upstream = `upstream=${upstreamStatus ?? '-'}${upstreamType ? ` ${upstreamType}` : ''}`;
  console.error(
    `[mfa-example] ${error.name} (${error.code}) ${error.message} type=${type ?? '-'} hint=${hint ?? '-'} ${upstream} trace=${traceId ?? '-'}`,
  );
}
