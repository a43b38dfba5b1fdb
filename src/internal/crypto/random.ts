/**
 * Randomness from `globalThis.crypto` (Web Crypto's CSPRNG), present on Node 20+, Bun, Deno and Workers alike; Node's
 * own `randomBytes` draws from the same source, so there is no faster path to keep.
 */

/** The part of Web Crypto used here (the DOM types are not in this package's compile). */
interface WebCryptoRandom {
  getRandomValues<T extends Uint8Array | Uint32Array>(array: T): T;
  randomUUID(): string;
}

const webCrypto = (): WebCryptoRandom => {
  const crypto = (globalThis as { crypto?: WebCryptoRandom }).crypto;
  if (typeof crypto?.getRandomValues !== 'function') throw new Error('This runtime has no crypto.getRandomValues');
  return crypto;
};

/** `length` random bytes. */
export function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  // getRandomValues fills at most 65 536 bytes per call.
  for (let offset = 0; offset < length; offset += 65_536) {
    webCrypto().getRandomValues(bytes.subarray(offset, Math.min(length, offset + 65_536)));
  }
  return bytes;
}

/** A uniform integer in [0, max), max at most 2^32, by rejection sampling: no modulo bias. */
export function randomInt(max: number): number {
  if (!Number.isInteger(max) || max < 1 || max > 2 ** 32) throw new RangeError('randomInt needs 1 <= max <= 2^32');
  // The largest multiple of max that fits in 32 bits: values at or above it would favour the low results.
  const limit = 2 ** 32 - (2 ** 32 % max);
  const word = new Uint32Array(1);
  for (;;) {
    webCrypto().getRandomValues(word);
    if (word[0]! < limit) return word[0]! % max;
  }
}

/** A random (version 4) UUID. */
export function randomUUID(): string {
  return webCrypto().randomUUID();
}
