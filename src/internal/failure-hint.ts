/** A driver's error code: `ECONNREFUSED`, a PostgreSQL SQLSTATE (`42P01`), ioredis's `ERR_...`. Never free text. */
const SAFE_CODE = /^[A-Z0-9_]{2,40}$/;
/** The error prefix Redis puts first in every error reply (`NOAUTH`, `NOPERM`, `READONLY`, `WRONGTYPE`, ...). */
const REDIS_PREFIX = /^([A-Z]{2,20})(?: |$)/;

/** The class of whatever was thrown: the error's `name`, or the `typeof` of a thrown non-error. */
export function failureClass(error: unknown): string {
  if (error instanceof Error) return SAFE_CODE.test(error.name) || /^\w{1,60}$/.test(error.name) ? error.name : 'Error';
  return typeof error;
}

/** A non-secret code on the error (Node's `code`, pg's SQLSTATE, the prefix of a Redis error reply), if any. */
export function failureCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message, name } = error as { code?: unknown; message?: unknown; name?: unknown };
  if (typeof code === 'string' && SAFE_CODE.test(code)) return code;
  // ioredis's ReplyError has no code; the reply's first word is the code Redis assigned, the rest may quote keys.
  if (name === 'ReplyError' && typeof message === 'string') return REDIS_PREFIX.exec(message)?.[1];
  return undefined;
}

/**
 * A safe, diagnosable trace of a failure: its class and, when it has one, a non-secret code (`Error ECONNREFUSED`,
 * `error 42P01` from pg, whose errors are named `error`, `ReplyError NOPERM`). Never the message, which may quote keys,
 * SQL values or a secret.
 */
export function failureHint(error: unknown): string {
  const code = failureCode(error);
  return code === undefined ? failureClass(error) : `${failureClass(error)} ${code}`;
}
