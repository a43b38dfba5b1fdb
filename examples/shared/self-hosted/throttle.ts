import { HttpError } from '../handlers/answer.js';

/** How many requests one client address may make in a window. */
export interface ThrottleLimit {
  /** Requests allowed per window and address. */
  limit: number;
  /** Length of the window, in ms. */
  windowMs: number;
}

/** Above this many tracked addresses, every request sweeps the ended windows first (memory stays bounded). */
const SWEEP_ABOVE = 10_000;

/**
 * A fixed-window counter per client address, in this process: the first request of an address opens a window of
 * `windowMs`, and past `limit` requests in it the address gets 429 `rate_limited` with `Retry-After` until the window
 * ends. Cheap on purpose (a Map lookup): it runs before the password hash, so a refused request costs no scrypt.
 *
 * Per process: two servers behind a load balancer each allow `limit`. An app of your own with several servers would
 * keep this counter in its Redis (INCR + PEXPIRE), as the SDK keeps its attempt counters.
 */
export class FixedWindowThrottle {
  readonly #windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    readonly limits: ThrottleLimit,
    private readonly now: () => number = Date.now,
  ) {
    if (!(Number.isSafeInteger(limits.limit) && limits.limit > 0 && limits.windowMs > 0))
      throw new Error('A throttle needs a positive whole limit and a positive window');
  }

  /** Counts one request of `address`; throws the 429 when the address is past its limit. */
  take(address: string): void {
    const now = this.now();
    if (this.#windows.size > SWEEP_ABOVE) this.#sweep(now);
    let window = this.#windows.get(address);
    if (!window || now >= window.resetAt) {
      window = { count: 0, resetAt: now + this.limits.windowMs };
      this.#windows.set(address, window);
    }
    window.count++;
    if (window.count > this.limits.limit) {
      throw new HttpError(429, 'rate_limited', 'Too many requests from this address; try again later', {
        retryAfterMs: window.resetAt - now,
      });
    }
  }

  #sweep(now: number): void {
    for (const [address, window] of this.#windows) if (now >= window.resetAt) this.#windows.delete(address);
  }
}
