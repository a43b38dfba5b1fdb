/** A user's enabled factor as last read from the store: its id and its secret still sealed, never the secret. */
export interface CachedFactor {
  readonly secretId: string;
  readonly sealedSecret: string;
}

/**
 * The sealed factors of recently verified users, least recently used dropped first, so that a verify can check the
 * code before it reaches the store and then count and claim in one round trip (`MfaStore.attemptAndClaim`). It
 * holds what the store holds (ciphertext) and decides nothing: the store checks that the factor is still the cached
 * one in the same atomic operation, so an entry made stale on another server costs a fallback, never a wrong answer.
 */
export class SealedFactorCache {
  readonly capacity: number;
  // Plain `private`, not `#`: what the cache holds stays visible to util.inspect, as in MemoryMfaStore, so anyone
  // debugging (and the leak tests) can see it is sealed.
  private readonly entries = new Map<string, CachedFactor>();

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get(userId: string): CachedFactor | undefined {
    const entry = this.entries.get(userId);
    if (entry !== undefined) {
      // Map keeps insertion order: moving the entry to the end makes the first key the least recently used.
      this.entries.delete(userId);
      this.entries.set(userId, entry);
    }
    return entry;
  }

  set(userId: string, factor: CachedFactor): void {
    if (this.capacity === 0) return;
    this.entries.delete(userId);
    this.entries.set(userId, { secretId: factor.secretId, sealedSecret: factor.sealedSecret });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(userId: string): void {
    this.entries.delete(userId);
  }

  get size(): number {
    return this.entries.size;
  }
}
