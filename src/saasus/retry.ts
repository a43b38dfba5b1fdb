import { SaasusFailure } from './failure.js';

export interface RetryPolicy {
  /** Extra attempts after the first. */
  maxRetries: number;
  /** First back-off; doubled per attempt, then full jitter. */
  baseDelayMs: number;
  /** Cap on any single wait, `Retry-After` included: a longer `Retry-After` ends the retries instead. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 2, baseDelayMs: 250, maxDelayMs: 5_000 };

const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/** Whether a failure of an idempotent call is worth another attempt. */
export function isRetryableFailure(failure: unknown): failure is SaasusFailure {
  if (!(failure instanceof SaasusFailure)) return false;
  if (failure.kind === 'timeout' || failure.kind === 'network') return true;
  return failure.kind === 'http' && RETRYABLE_STATUSES.has(failure.status ?? 0);
}

/** Capped exponential back-off with full jitter (wait a random time in [0, min(cap, base * 2^attempt)]). */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs an idempotent call, retrying retryable failures. Only GETs come here: POST, PUT and PATCH are never retried,
 * since a verify or an enable that reached SaaSus but lost its answer must not run twice.
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  onRetry?: (info: { attempt: number; delayMs: number; failure: SaasusFailure }) => void,
): Promise<T> {
  for (let attemptIndex = 0; ; attemptIndex += 1) {
    try {
      return await attempt();
    } catch (failure) {
      if (attemptIndex >= policy.maxRetries || !isRetryableFailure(failure) || signal?.aborted) throw failure;
      const retryAfter = failure.retryAfterMs;
      if (retryAfter !== undefined && retryAfter > policy.maxDelayMs) throw failure;
      const delayMs = retryAfter ?? backoffDelay(attemptIndex, policy);
      onRetry?.({ attempt: attemptIndex + 1, delayMs, failure });
      try {
        await sleep(delayMs, signal);
      } catch {
        // The caller gave up while we waited: an abort, reported like one that happened mid-request.
        throw new SaasusFailure({ kind: 'aborted', method: failure.method, path: failure.path });
      }
    }
  }
}

// All three HTTP-date forms (IMF-fixdate, RFC 850, asctime) start with a day name. Date.parse alone reads "-1",
// "1.5" or two joined headers ("120, 5") as dates long past, which would mean "retry now" instead of backing off.
const HTTP_DATE_START = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /i;

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!HTTP_DATE_START.test(trimmed)) return undefined;
  // asctime names no zone but means GMT; Date.parse would read it as local time.
  const date = Date.parse(/GMT$/i.test(trimmed) ? trimmed : `${trimmed} GMT`);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
