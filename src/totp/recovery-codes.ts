import { primitives, randomInt, toBase64Url, utf8 } from '../internal/crypto/index.js';
import type { EncryptionKey } from './keyring.js';

/** Crockford's base32: no I, L, O or U, so a code read aloud or off paper is not misread. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 12 symbols of 5 bits: 60 bits per code, far beyond online guessing under the attempt limit. */
const CODE_LENGTH = 12;
const CODE_SHAPE = /^[0-9A-HJKMNP-TV-Z]{12}$/;

/** Fresh codes, shown as `XXXX-XXXX-XXXX`. Drawn with `randomInt` (Web Crypto, rejection sampling): no modulo bias. */
export function generateRecoveryCodes(count: number): string[] {
  return Array.from({ length: count }, () => {
    let code = '';
    for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
    return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`;
  });
}

/** The code as stored and compared: upper case, no separators, O read as 0 and I or L as 1. Null if it cannot be one. */
export function canonicalRecoveryCode(input: string): string | null {
  const canonical = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return CODE_SHAPE.test(canonical) ? canonical : null;
}

/**
 * Hashes recovery codes for the store. With encryption keys, a code is hashed with HMAC-SHA-256 under a key derived
 * from the current key (HKDF), so a copy of the store alone cannot even test guesses; a fast keyed hash is enough
 * because each code carries 60 random bits. Without keys (development), a salted SHA-256 stands in.
 * The user id is part of every hash: one user's hash never matches another user's code.
 */
export class RecoveryCodeHasher {
  readonly #keys: readonly { id: string; key: Uint8Array }[];

  constructor(keys: readonly EncryptionKey[]) {
    this.#keys = keys.map(({ id, key }) => ({
      id,
      key: primitives().hkdfSha256(key, utf8('saasus-mfa recovery codes'), 32),
    }));
  }

  /** The hash stored for a new code: under the current key. */
  hash(userId: string, canonicalCode: string): string {
    const current = this.#keys[0];
    return current ? this.#keyed(current, userId, canonicalCode) : this.#unkeyed(userId, canonicalCode);
  }

  /**
   * Every hash the code may be stored under: one per key of the ring (rotation). The unkeyed form only counts while
   * no key is configured, so nobody who can write to the store can plant a code of their own once keys are in use.
   */
  candidates(userId: string, canonicalCode: string): string[] {
    if (this.#keys.length === 0) return [this.#unkeyed(userId, canonicalCode)];
    return this.#keys.map((key) => this.#keyed(key, userId, canonicalCode));
  }

  #keyed(key: { id: string; key: Uint8Array }, userId: string, code: string): string {
    return `${key.id}.${toBase64Url(primitives().hmac('sha256', key.key, utf8(`${userId}\0${code}`)))}`;
  }

  #unkeyed(userId: string, code: string): string {
    return `sha256.${toBase64Url(primitives().sha256(utf8(`saasus-mfa recovery code\0${userId}\0${code}`)))}`;
  }
}

/** Fresh recovery codes for the user, and the hashes the store keeps instead of them. */
export function newRecoveryCodes(
  hasher: RecoveryCodeHasher,
  userId: string,
  count: number,
): { recoveryCodes: string[]; hashes: string[] } {
  const recoveryCodes = generateRecoveryCodes(count);
  return { recoveryCodes, hashes: recoveryCodes.map((code) => hasher.hash(userId, canonicalRecoveryCode(code)!)) };
}
