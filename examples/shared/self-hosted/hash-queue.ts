import { HttpError } from '../handlers/answer.js';

/** How much password hashing may run at once, and how much may wait. */
export interface HashQueueLimits {
  /** Hashes running at once. Default 2: half of libuv's 4 threads, so file reads (the page) and DNS still get one. */
  concurrency: number;
  /** Hashes waiting for a turn, in each lane; one more is refused with 503. Default 16. */
  maxQueued: number;
}

export const DEFAULT_HASH_QUEUE: HashQueueLimits = { concurrency: 2, maxQueued: 16 };

/**
 * Who is waiting: `known` for a client address that signed in successfully before (known-addresses.ts), served
 * first; `other` for everyone else, unknown users and new devices alike. The lane depends on the address only, never
 * on the username, so how long a login waits says nothing about which accounts exist.
 */
export type HashLane = 'known' | 'other';

/** Before the first hash is timed: about what scrypt N=2^15, r=8, p=3 takes on one core. */
const FIRST_GUESS_MS = 200;

/**
 * Runs password hashes (scrypt, on libuv's thread pool) at most `concurrency` at a time, `known` lane first, each lane
 * first come first served, with at most `maxQueued` waiting per lane. When a lane is full the request is refused at
 * once with 503 `server_busy` and a `Retry-After` estimated from the queue and the measured hash time, before any
 * work: a flood of logins costs a few microseconds each instead of 32 MiB and 0.2 s of a thread, the thread pool keeps
 * room for everything else, and people who signed in from their address before go ahead of the flood.
 */
export class HashQueue {
  readonly limits: HashQueueLimits;
  readonly #waiting: Record<HashLane, Array<() => void>> = { known: [], other: [] };
  #running = 0;
  /** Moving average of a hash's duration, for Retry-After. */
  #averageMs = FIRST_GUESS_MS;

  constructor(limits: Partial<HashQueueLimits> = {}) {
    this.limits = { ...DEFAULT_HASH_QUEUE, ...limits };
    const { concurrency, maxQueued } = this.limits;
    if (!(Number.isSafeInteger(concurrency) && concurrency > 0 && Number.isSafeInteger(maxQueued) && maxQueued >= 0))
      throw new Error('A hash queue needs a positive whole concurrency and a whole, non-negative queue length');
  }

  /** Hashes running now and waiting now, both lanes (for tests and the benchmark). */
  get load(): { running: number; queued: number } {
    return { running: this.#running, queued: this.#waiting.known.length + this.#waiting.other.length };
  }

  /** Runs `hash` when a slot is free; rejects with 503 at once when the lane is full. */
  async run<T>(hash: () => Promise<T>, lane: HashLane = 'other'): Promise<T> {
    if (this.#running >= this.limits.concurrency) {
      const waiting = this.#waiting[lane];
      if (waiting.length >= this.limits.maxQueued) throw this.#busy(lane);
      await new Promise<void>((resolve) => waiting.push(resolve));
    } else {
      this.#running++;
    }
    const started = performance.now();
    try {
      return await hash();
    } finally {
      this.#averageMs = 0.8 * this.#averageMs + 0.2 * (performance.now() - started);
      // The slot passes straight to the next waiter, known lane first (the running count stays), or is freed.
      const next = this.#waiting.known.shift() ?? this.#waiting.other.shift();
      if (next) next();
      else this.#running--;
    }
  }

  #busy(lane: HashLane): HttpError {
    const ahead = this.#running + this.#waiting.known.length + (lane === 'other' ? this.#waiting.other.length : 0);
    const waitMs = Math.ceil((ahead / this.limits.concurrency) * this.#averageMs);
    return new HttpError(503, 'server_busy', 'The server is busy signing other people in; try again shortly', {
      retryAfterMs: Math.max(1000, waitMs),
    });
  }
}
