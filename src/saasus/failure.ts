/**
 * A failed exchange with SaaSus, reduced to facts that are safe to keep: no header, no body text, no query string.
 * It is what `MfaProviderError.cause` (and the other mapped errors' cause) holds, instead of the axios error, whose
 * `config` carries the signed Authorization header, the access token in the body and the ID token in the URL.
 */
export type SaasusFailureKind = 'http' | 'timeout' | 'network' | 'aborted' | 'invalid_response';

export interface SaasusFailureFacts {
  kind: SaasusFailureKind;
  /** `GET`, `POST`, ... */
  method: string;
  /** Path without query, e.g. `/v1/auth/users/<id>/mfa/preference`. */
  path: string;
  status?: number | undefined;
  /** The `type` of the SaaSus error body, when it looks like an identifier. */
  type?: string | undefined;
  /** The `message` of the SaaSus error body: read by `upstreamMessageOf` to classify, never stored on the failure. */
  upstreamMessage?: string | undefined;
  traceId?: string | undefined;
  /** Node's error code for network failures (`ECONNRESET`, `ECONNREFUSED`, ...). */
  networkCode?: string | undefined;
  /** From `Retry-After`, in milliseconds. */
  retryAfterMs?: number | undefined;
  timeoutMs?: number | undefined;
  /** invalid_response only: the answer was refused for passing this many bytes, before it was read whole. */
  sizeLimitBytes?: number | undefined;
}

/**
 * Upstream messages may echo what was sent (a code, a token), so they live here, out of reach of JSON, `inspect`
 * with hidden properties, and anyone holding the error: only the error mapping reads them.
 */
const upstreamMessages = new WeakMap<SaasusFailure, string>();

/** The SaaSus error body's `message`, for classification only. */
export function upstreamMessageOf(failure: SaasusFailure): string {
  return upstreamMessages.get(failure) ?? '';
}

const IDENTIFIER = /^[A-Za-z0-9_.:-]{1,100}$/;

/** Keeps a header or body value only when it is a plain identifier (a type name, a trace id). */
export function safeIdentifier(value: unknown): string | undefined {
  return typeof value === 'string' && IDENTIFIER.test(value) ? value : undefined;
}

export class SaasusFailure extends Error {
  override readonly name = 'SaasusFailure';
  readonly kind: SaasusFailureKind;
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  readonly type: string | undefined;
  readonly traceId: string | undefined;
  readonly networkCode: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(facts: SaasusFailureFacts) {
    super(describe(facts));
    this.kind = facts.kind;
    this.method = facts.method;
    this.path = facts.path;
    this.status = facts.status;
    this.type = safeIdentifier(facts.type);
    this.traceId = safeIdentifier(facts.traceId);
    this.networkCode = safeIdentifier(facts.networkCode);
    this.retryAfterMs = facts.retryAfterMs;
    if (facts.upstreamMessage !== undefined) upstreamMessages.set(this, facts.upstreamMessage.slice(0, 500));
  }

  toJSON() {
    const { name, kind, method, path, status, type, traceId, networkCode, retryAfterMs } = this;
    return { name, message: this.message, kind, method, path, status, type, traceId, networkCode, retryAfterMs };
  }
}

function describe(facts: SaasusFailureFacts): string {
  const what = `${facts.method} ${facts.path}`;
  switch (facts.kind) {
    case 'timeout':
      return `SaaSus did not answer ${what} within ${facts.timeoutMs ?? '?'} ms`;
    case 'aborted':
      return `${what} was aborted by the caller`;
    case 'network':
      return `Could not reach SaaSus for ${what}${facts.networkCode ? ` (${safeIdentifier(facts.networkCode) ?? 'network error'})` : ''}`;
    case 'invalid_response':
      if (facts.sizeLimitBytes !== undefined)
        return `SaaSus answered ${what} with a body over ${facts.sizeLimitBytes} bytes; it was not read`;
      return `SaaSus answered ${what} with ${facts.status ?? '?'} and a body that is not the expected JSON`;
    case 'http':
      return `SaaSus answered ${what} with ${facts.status ?? '?'}${safeIdentifier(facts.type) ? ` (${facts.type})` : ''}`;
  }
}
