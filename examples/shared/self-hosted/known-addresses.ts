/** How long an address stays known after its last successful sign-in. */
const KNOWN_FOR_MS = 30 * 24 * 60 * 60 * 1000;
/** At most this many addresses are remembered; the one signed in from longest ago is forgotten first. */
const MAX_KNOWN = 10_000;

/**
 * Client addresses that completed a password login or a sign-up recently, in this process: their next password
 * hash goes in the hash queue's `known` lane, ahead of a flood from addresses never seen to succeed. A guess at a
 * password from a botnet comes from addresses that have not signed in; a person's laptop has.
 *
 * A mitigation, not a guarantee: an attacker who signs in to accounts of their own from many addresses gets those
 * addresses known too (each still throttled per address). Per process, like the throttle.
 */
export class KnownAddresses {
  readonly #lastSuccess = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Remembers a successful sign-in from `address` (moves it to the newest end). */
  remember(address: string): void {
    this.#lastSuccess.delete(address);
    this.#lastSuccess.set(address, this.now());
    // A Map iterates in insertion order: the first key is the address known the longest time ago.
    if (this.#lastSuccess.size > MAX_KNOWN) this.#lastSuccess.delete(this.#lastSuccess.keys().next().value!);
  }

  has(address: string): boolean {
    const at = this.#lastSuccess.get(address);
    return at !== undefined && this.now() - at < KNOWN_FOR_MS;
  }
}
