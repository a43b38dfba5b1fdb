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

/**
 * The `cause` of an error the SaaSus provider throws: which call failed and how, in non-secret facts only. Its
 * `message` names the method, path and status (or the timeout or network code), never a body or a header.
 */
export class SaasusFailure extends Error {
  /** Always `SaasusFailure`. */
  override readonly name = 'SaasusFailure';
  /** How the exchange failed: an error status (`http`), `timeout`, `network`, `aborted` or `invalid_response`. */
  readonly kind: SaasusFailureKind;
  /** HTTP method of the failed call: `GET`, `POST`, `PUT` or `PATCH`. */
  readonly method: string;
  /** Path of the failed call without its query (so never the ID token), e.g. `/v1/auth/users/<id>/mfa/preference`. */
  readonly path: string;
  /** HTTP status SaaSus answered with; undefined when no answer arrived (timeout, network, aborted). */
  readonly status: number | undefined;
  /** The `type` of the SaaSus error body, only when it is a plain identifier. */
  readonly type: string | undefined;
  /** The `X-SaaSus-Trace-Id` of the answer, only when it is a plain identifier. */
  readonly traceId: string | undefined;
  /** Node's error code for a network failure (`ECONNRESET`, `ECONNREFUSED`, ...), only when a plain identifier. */
  readonly networkCode: string | undefined;
  /** From the answer's `Retry-After`, in ms; undefined when absent. */
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

  /** The same facts as plain data, for a log line; no secret, no body, no header. */
  toJSON() {
    const { name, kind, method, path, status, type, traceId, networkCode, retryAfterMs } = this;
    return {
      /** Always `SaasusFailure`. */
      name,
      /** The failure's `message`: method, path and status, never a body. */
      message: this.message,
      /** See {@link SaasusFailure.kind}. */
      kind,
      /** See {@link SaasusFailure.method}. */
      method,
      /** See {@link SaasusFailure.path}. */
      path,
      /** See {@link SaasusFailure.status}. */
      status,
      /** See {@link SaasusFailure.type}. */
      type,
      /** See {@link SaasusFailure.traceId}. */
      traceId,
      /** See {@link SaasusFailure.networkCode}. */
      networkCode,
      /** See {@link SaasusFailure.retryAfterMs}. */
      retryAfterMs,
    };
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
