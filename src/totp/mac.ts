import { constantTimeEqual, primitives, randomBytes, toHex, utf8 } from '../internal/crypto/index.js';
import type { EncryptionKey } from './keyring.js';

/*
 * The keyed MACs of the login policy (step-up tokens, client-key bucket names), on the runtime-neutral crypto layer
 * (node:crypto where the runtime has it, pure JavaScript elsewhere), in one file.
 */

/** A 32-byte key for `purpose`, derived with HKDF-SHA-256 from a configured encryption key. */
export function deriveKey(key: Uint8Array, purpose: string): Uint8Array {
  return primitives().hkdfSha256(key, utf8(`saasus-mfa ${purpose}`), 32);
}

/** 32 random bytes: the per-process key used when no encryption key is configured. */
export function randomKey(): Uint8Array {
  return randomBytes(32);
}

/** HMAC-SHA-256 of `message` under `key`. */
export function mac(key: Uint8Array, message: string): Uint8Array {
  return primitives().hmac('sha256', key, utf8(message));
}

/** Equal bytes, compared in constant time (different lengths are simply unequal). */
export function macEqual(left: Uint8Array, right: Uint8Array): boolean {
  return left.length === right.length && constantTimeEqual(left, right);
}

/**
 * Names a client for its attempt bucket without storing the client's address or device id: a keyed hash under a
 * key derived from the newest encryption key (the same on every server), truncated to 128 bits, in lower-case hex
 * (bucket names are lower case). Without a key (development only) an unkeyed, domain-separated SHA-256 stands in,
 * so that every server still names the same client alike.
 */
export class ClientKeyHasher {
  readonly #key: Uint8Array | null;

  constructor(keys: readonly EncryptionKey[]) {
    this.#key = keys[0] ? deriveKey(keys[0].key, 'client key') : null;
  }

  hash(clientKey: string): string {
    const digest =
      this.#key === null ? primitives().sha256(utf8(`saasus-mfa client key\0${clientKey}`)) : mac(this.#key, clientKey);
    return toHex(digest.subarray(0, 16));
  }
}
