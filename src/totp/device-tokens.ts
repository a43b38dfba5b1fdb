import { primitives, randomBytes, toBase64Url, utf8 } from '../internal/crypto/index.js';
import type { EncryptionKey } from './keyring.js';
import { deriveKey } from './mac.js';

/**
 * A trusted device's token: `d1.` and 32 random bytes in base64url (256 bits, 46 characters). The browser keeps it
 * (in a cookie); the store keeps only its keyed hash. `d1` versions the format, so a later one can be told apart.
 */
const DEVICE_TOKEN = /^d1\.[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/** A fresh device token: shown once, to be set as the browser's cookie. */
export function newDeviceToken(): string {
  return `d1.${toBase64Url(randomBytes(32))}`;
}

/**
 * Whether `value` has the exact shape of a device token (`d1.` and the canonical base64url of 32 bytes: the last
 * character carries only 4 bits, so 16 of the 64 letters can end one). Anything else is never hashed.
 */
export function isDeviceTokenShape(value: unknown): value is string {
  return typeof value === 'string' && DEVICE_TOKEN.test(value);
}

/**
 * Hashes device tokens for the store, exactly like `RecoveryCodeHasher` hashes recovery codes: HMAC-SHA-256 under a
 * key derived (HKDF, `saasus-mfa trusted device`) from each configured encryption key, as `<keyId>.<base64url>`;
 * without keys (development) an unkeyed, domain-separated SHA-256 as `sha256.<base64url>`. A fast hash is enough:
 * the token carries 256 random bits, so a copy of the store cannot be searched for it.
 *
 * The user id is part of every hash: a token stolen from one user never matches another user's device, even if
 * the app looked it up under the wrong id.
 */
export class DeviceTokenHasher {
  readonly #keys: readonly { id: string; key: Uint8Array }[];

  constructor(keys: readonly EncryptionKey[]) {
    this.#keys = keys.map(({ id, key }) => ({ id, key: deriveKey(key, 'trusted device') }));
  }

  /** The hash stored for a new device: under the newest key. */
  hash(userId: string, token: string): string {
    const newest = this.#keys[0];
    return newest ? this.#keyed(newest, userId, token) : this.#unkeyed(userId, token);
  }

  /**
   * Every hash the token may be stored under, newest key first (a device trusted before a rotation still counts
   * while its key is configured). None for what is not a token: the store is still asked (same round trip, and it
   * answers whether MFA is on), but nothing can match. The unkeyed form only counts while no key is configured, so
   * nobody who can write to the store can plant a device of their own once keys are in use.
   */
  candidates(userId: string, token: string): string[] {
    if (!isDeviceTokenShape(token)) return [];
    if (this.#keys.length === 0) return [this.#unkeyed(userId, token)];
    return this.#keys.map((key) => this.#keyed(key, userId, token));
  }

  #keyed(key: { id: string; key: Uint8Array }, userId: string, token: string): string {
    return `${key.id}.${toBase64Url(primitives().hmac('sha256', key.key, utf8(`${userId}\0${token}`)))}`;
  }

  #unkeyed(userId: string, token: string): string {
    return `sha256.${toBase64Url(primitives().sha256(utf8(`saasus-mfa trusted device\0${userId}\0${token}`)))}`;
  }
}
