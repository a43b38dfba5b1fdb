import { HttpError } from '../handlers/answer.js';

/** How much password hashing may run at once, and how much may wait. */
export interface HashQueueLimits {
  /** Hashes running at once. Default 2: half of libuv's 4 threads, so file reads (the page) and DNS still get one. */
  concurrency: number;
  /** Hashes waiting for a turn; one more is refused with 503. Default 16 (about 2 s of waiting at 0.2 s a hash). */
  maxQueued: number;
}

export const DEFAULT_HASH_QUEUE: HashQueueLimits = { concurrency: 2, maxQueued: 16 };

/** Before the first hash is timed: about what scrypt N=2^15, r=8, p=3 takes on one core. */
const FIRST_GUESS_MS = 200;

/**
 * Runs password hashes (scrypt, on libuv's thread pool) at most `concurrency` at a time, first come first served, with
 * at most `maxQueued` waiting. When the queue is full the request is refused at once with 503 `server_busy` and a
 * `Retry-After` estimated from the queue and the measured hash time, before any work: a flood of logins costs a few
 * microseconds each instead of 32 MiB and 0.2 s of a thread, and the thread pool keeps room for everything else.
 */
export class HashQueue {
  readonly limits: HashQueueLimits;
  readonly #waiting: Array<() => void> = [];
  #running = 0;
  /** Moving average of a hash's duration, for Retry-After. */
  #averageMs = FIRST_GUESS_MS;

  constructor(limits: Partial<HashQueueLimits> = {}) {
    this.limits = { ...DEFAULT_HASH_QUEUE, ...limits };
    const { concurrency, maxQueued } = this.limits;
    if (!(Number.isSafeInteger(concurrency) && concurrency > 0 && Number.isSafeInteger(maxQueued) && maxQueued >= 0))
      throw new Error('A hash queue needs a positive whole concurrency and a whole, non-negative queue length');
  }

  /** Hashes running now and waiting now (for tests and the benchmark). */
  get load(): { running: number; queued: number } {
    return { running: this.#running, queued: this.#waiting.length };
  }

  /** Runs `hash` when a slot is free; rejects with 503 at once when the queue is full. */
  async run<T>(hash: () => Promise<T>): Promise<T> {
    if (this.#running >= this.limits.concurrency) {
      if (this.#waiting.length >= this.limits.maxQueued) throw this.#busy();
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running++;
    }
    const started = performance.now();
    try {
      return await hash();
    } finally {
      this.#averageMs = 0.8 * this.#averageMs + 0.2 * (performance.now() - started);
      // The slot passes straight to the next waiter (the running count stays), or is freed.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }

  #busy(): HttpError {
    const waitMs = Math.ceil(((this.#waiting.length + this.#running) / this.limits.concurrency) * this.#averageMs);
    return new HttpError(503, 'server_busy', 'The server is busy signing other people in; try again shortly', {
      retryAfterMs: Math.max(1000, waitMs),
    });
  }
}
