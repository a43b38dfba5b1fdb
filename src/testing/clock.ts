/** A clock that only moves when told to: drives TOTP steps and signature minutes in tests without sleeping. */
export interface FixedClock {
  /** The clock's current time. A bound function: pass it as `now` to providers. */
  readonly now: () => Date;
  /** Milliseconds since the epoch. */
  readonly nowMs: () => number;
  /** Moves the clock to `time` (a Date or epoch ms), forwards or back. */
  set(time: Date | number): void;
  /** Moves the clock by `ms` milliseconds (negative moves it back). */
  advance(ms: number): void;
}

/** Default start: 2025-01-02T15:04:00Z, the minute of the SAASUSSIGV1 test vectors. */
export function createFixedClock(start: Date | number = Date.UTC(2025, 0, 2, 15, 4, 0)): FixedClock {
  let current = typeof start === 'number' ? start : start.getTime();
  return {
    now: () => new Date(current),
    nowMs: () => current,
    set(time) {
      current = typeof time === 'number' ? time : time.getTime();
    },
    advance(ms) {
      current += ms;
    },
  };
}

/** The real system clock, in the same shape. */
export const systemClock: Pick<FixedClock, 'now' | 'nowMs'> = { now: () => new Date(), nowMs: () => Date.now() };
