import { isMfaError, type MfaError } from '../errors.js';
import { unexpectedFailure } from '../internal/provider-failures.js';
import type { MfaCallContext } from '../types.js';
import type { SaasusRequestOptions } from './api.js';
import { SaasusFailure } from './failure.js';
import type { SaasusLogger } from './logger.js';
import { type RetryPolicy, withRetries } from './retry.js';

export interface SaasusCallSettings {
  timeoutMs: number;
  retryPolicy: RetryPolicy;
  logger: SaasusLogger | undefined;
}

/** One SaaSus call: its operation name (for logs and the error map) and how its failures become typed errors. */
export interface SaasusCall<T> {
  operation: string;
  ctx: MfaCallContext;
  send: (options: SaasusRequestOptions) => Promise<T>;
  mapFailure: (failure: SaasusFailure) => MfaError;
}

/** Marks a failure that must not be retried, so that `withRetries` rethrows it at once; unwrapped right after. */
class FinalFailure {
  constructor(readonly failure: unknown) {}
}

/**
 * How every SaaSus request runs, MFA and sign-in alike: one time limit per attempt combined with the caller's signal,
 * retries (capped back-off, full jitter, `Retry-After`) only where the call is safe to repeat, and every failure
 * turned into a typed error in one place.
 */
export class SaasusCalls {
  constructor(private readonly settings: SaasusCallSettings) {}

  /**
   * An idempotent call (GET): retried on retryable failures, within the caller's signal. `mayRetry` narrows that
   * further (the single-use code exchange retries only failures that prove nothing was sent).
   */
  retried<T>(call: SaasusCall<T>, mayRetry: (failure: unknown) => boolean = () => true): Promise<T> {
    const { retryPolicy, logger } = this.settings;
    const attempt = async () => {
      try {
        return await this.#attempt(call);
      } catch (failure) {
        throw mayRetry(failure) ? failure : new FinalFailure(failure);
      }
    };
    return this.#typed(call, () =>
      withRetries(attempt, retryPolicy, call.ctx.signal, ({ attempt: n, delayMs, failure }) =>
        logger?.warn?.('saasus retry', {
          operation: call.operation,
          attempt: n,
          delayMs,
          kind: failure.kind,
          status: failure.status,
        }),
      ),
    );
  }

  /** POST, PUT, PATCH: never retried. A verify or enable that reached SaaSus but lost its answer must not run twice. */
  once<T>(call: SaasusCall<T>): Promise<T> {
    return this.#typed(call, () => this.#attempt(call));
  }

  /** One attempt with its own time limit, combined with the caller's signal. */
  #attempt<T>({ ctx, send }: SaasusCall<T>): Promise<T> {
    const { timeoutMs } = this.settings;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout;
    return send({ signal, timeoutMs, referer: ctx.referer });
  }

  async #typed<T>(call: SaasusCall<T>, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (thrown) {
      const error = thrown instanceof FinalFailure ? thrown.failure : thrown;
      if (error instanceof SaasusFailure) throw call.mapFailure(error);
      if (isMfaError(error)) throw error;
      throw unexpectedFailure(`The SaaSus call (${call.operation})`, error);
    }
  }
}
