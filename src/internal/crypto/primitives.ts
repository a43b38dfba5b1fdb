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
 * `nodejs_compat`). Measured on Node 20 (bench/runtime-crypto.ts, node / portable): HMAC-SHA1 1.9x, HMAC-SHA256 2.6x,
 * AES-GCM seal 3.5x and open 4.8x faster on node:crypto, so those keep the Node path. SHA-256 of a short input is
 * faster in JavaScript (0.74x: no call into C), so it is portable everywhere. The constant-time comparison stays on
 * `timingSafeEqual` although the loop is faster (50 ns against 20 ns, beside a 2 µs HMAC): OpenSSL's is constant-time
 * by construction, a JavaScript loop only as long as the JIT keeps it so. The outputs are the same bytes on either
 * path, which test/runtimes.crypto.test.ts checks.
 */
export function primitives(): CryptoPrimitives {
  if (!chosen) {
    const node = nodeCrypto();
    chosen = node ? { ...nativePrimitives(node), sha256: portablePrimitives.sha256 } : portablePrimitives;
  }
  return chosen;
}
