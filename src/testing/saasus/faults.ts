/** The SaaSus operations the fake serves, named as the provider names them. */
export type FakeSaasusOperation =
  | 'getPreference'
  | 'updatePreference'
  | 'createSecretCode'
  | 'registerSoftwareToken'
  | 'getUserInfo'
  | 'exchangeTemporaryCode'
  | 'refreshSession';

/** How an injected failure answers. */
export type FakeSaasusFailure =
  /** An HTTP answer: `body` as JSON, or `text` as-is (an HTML error page, a truncated body). */
  | {
      /** The HTTP status to answer with. */
      status: number;
      /** Sent as JSON; ignored when `text` is given. Neither: an empty body. */
      body?: unknown;
      /** Sent as-is, with `contentType`. */
      text?: string;
      /** Content type of `text`. Default `text/html`. */
      contentType?: string;
      /** Extra answer headers (e.g. `Retry-After`); a random `X-SaaSus-Trace-Id` is set unless given here. */
      headers?: Record<string, string>;
    }
  /** The connection drops before any answer. */
  | {
      /** The only kind: a network error. */
      network: 'reset';
    }
  /** The normal answer, after a delay (past the client's timeout, say). */
  | {
      /** How long to wait before answering, in ms. */
      delayMs: number;
    };

/** Failures queued by `failNext`, taken oldest first by the operation they name (or by any, with `'*'`). */
export class FaultQueue {
  private readonly entries: Array<{
    operation: FakeSaasusOperation | '*';
    failure: FakeSaasusFailure;
    remaining: number;
  }> = [];

  push(operation: FakeSaasusOperation | '*', failure: FakeSaasusFailure, times: number): void {
    this.entries.push({ operation, failure, remaining: times });
  }

  take(operation: FakeSaasusOperation): FakeSaasusFailure | undefined {
    const index = this.entries.findIndex((entry) => entry.operation === operation || entry.operation === '*');
    if (index === -1) return undefined;
    const entry = this.entries[index]!;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.entries.splice(index, 1);
    return entry.failure;
  }

  clear(): void {
    this.entries.length = 0;
  }
}
