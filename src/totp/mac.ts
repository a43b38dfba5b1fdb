import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EncryptionKey } from './keyring.js';

/*
 * The keyed MACs of the login policy (step-up tokens, client-key bucket names), in one file so the crypto they use
 * has one place to change when the core stops assuming node:crypto.
 */

/** A 32-byte key for `purpose`, derived with HKDF-SHA-256 from a configured encryption key. */
export function deriveKey(key: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `saasus-mfa ${purpose}`, 32));
}

/** 32 random bytes: the per-process key used when no encryption key is configured. */
export function randomKey(): Buffer {
  return randomBytes(32);
}

/** HMAC-SHA-256 of `message` under `key`. */
export function mac(key: Buffer, message: string): Buffer {
  return createHmac('sha256', key).update(message, 'utf8').digest();
}

/** Equal bytes, compared in constant time (different lengths are simply unequal). */
export function macEqual(left: Buffer, right: Buffer): boolean {
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Names a client for its attempt bucket without storing the client's address or device id: a keyed hash under a
 * key derived from the newest encryption key (the same on every server), truncated to 128 bits, in lower-case hex
 * (bucket names are lower case). Without a key (development only) an unkeyed, domain-separated SHA-256 stands in,
 * so that every server still names the same client alike.
 */
export class ClientKeyHasher {
  readonly #key: Buffer | null;

  constructor(keys: readonly EncryptionKey[]) {
    this.#key = keys[0] ? deriveKey(keys[0].key, 'client key') : null;
  }

  hash(clientKey: string): string {
    const digest =
      this.#key === null
        ? createHash('sha256').update(`saasus-mfa client key\0${clientKey}`, 'utf8').digest()
        : mac(this.#key, clientKey);
    return digest.subarray(0, 16).toString('hex');
  }
}
