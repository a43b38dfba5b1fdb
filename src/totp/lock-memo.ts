/**
 * Locks this server has seen, by user and bucket set, until their window ends: while one is known, a code is not
 * computed at all (no HMAC), so a locked answer costs the same whatever was typed. Bounded like the factor cache
 * (least recently used dropped first); it decides nothing on its own: the store is still asked whether the lock
 * holds (an `unlock` on another server ends it there), only the code is not looked at.
 */
export class LockMemo {
  readonly #capacity: number;
  readonly #until = new Map<string, number>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** True while a lock on `key` is known to hold at `now`. */
  has(key: string, now: number): boolean {
    const until = this.#until.get(key);
    if (until === undefined) return false;
    if (now < until) return true;
    this.#until.delete(key);
    return false;
  }

  set(key: string, until: number): void {
    if (this.#capacity === 0) return;
    this.#until.delete(key);
    this.#until.set(key, until);
    if (this.#until.size > this.#capacity) this.#until.delete(this.#until.keys().next().value!);
  }

  delete(key: string): void {
    this.#until.delete(key);
  }

  /** Forgets every lock of the user (`unlock`, `adminReset`, a success): keys start with the user id and a NUL. */
  deleteUser(userId: string): void {
    const prefix = `${userId}\0`;
    for (const key of this.#until.keys()) if (key.startsWith(prefix)) this.#until.delete(key);
  }
}
