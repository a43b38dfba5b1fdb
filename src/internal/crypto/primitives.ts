import { nativePrimitives } from './native.js';
import { nodeCrypto } from './node-builtin.js';
import { portablePrimitives } from './portable.js';

/** The hash functions otplib may ask for. */
export type HashName = 'sha1' | 'sha256' | 'sha512';

/** The synchronous primitives this package needs, in one of two implementations (node:crypto or pure JavaScript). */
export interface CryptoPrimitives {
  /** `node` or `portable`: which implementation this is. */
  readonly name: 'node' | 'portable';
  hmac(hash: HashName, key: Uint8Array, data: Uint8Array): Uint8Array;
  sha256(data: Uint8Array): Uint8Array;
  /** HKDF-SHA-256 with an empty salt. */
  hkdfSha256(key: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  /** AES-256-GCM with a 16-byte tag. */
  aesGcmSeal(
    key: Uint8Array,
    iv: Uint8Array,
    plaintext: Uint8Array,
    aad: Uint8Array,
  ): { ciphertext: Uint8Array; tag: Uint8Array };
  /** True when both hold the same bytes, in time that depends on the length only. */
  constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean;
  /** Throws when the tag does not match. */
  aesGcmOpen(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array, aad: Uint8Array): Uint8Array;
}

let chosen: CryptoPrimitives | undefined;

/**
 * node:crypto where the runtime has it (Node, Bun, Deno), else the pure-JavaScript primitives (Workers without
 * `nodejs_compat`). The Node path is kept because it is measurably faster on every primitive used here
 * (bench/runtime-crypto.ts prints the ratios); the outputs are the same bytes, which test/runtimes.crypto.test.ts checks.
 */
export function primitives(): CryptoPrimitives {
  if (!chosen) {
    const node = nodeCrypto();
    chosen = node ? nativePrimitives(node) : portablePrimitives;
  }
  return chosen;
}
