import { MfaConfigurationError } from '../errors.js';
import { fromBase64, fromUtf8, primitives, randomBytes, toBase64Url, utf8 } from '../internal/crypto/index.js';
import { storeCorrupt } from '../internal/provider-failures.js';
import type { EncryptionKey } from './keyring.js';

/**
 * Seals TOTP secrets for the store with AES-256-GCM.
 *
 * Format: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts). The same bytes on every runtime: node:crypto where
 * present, the pure-JavaScript AES-GCM elsewhere (src/internal/crypto), so a store sealed on Node opens on Workers. The key id says which key of the ring opens it, so
 * keys rotate: new secrets are sealed with the first key, old ones still open with theirs. The user id and key id
 * are authenticated data: a sealed secret copied onto another user's record (by someone who can write to the
 * store but has no key) does not open.
 *
 * Without any key, secrets are stored as `plain.<base32>`: development only (the provider refuses that in
 * production). Once keys are configured a `plain.` value is refused: otherwise anyone able to write to the store
 * could plant a secret of their own choosing on a user's record.
 */
export class SecretBox {
  readonly #keys: readonly EncryptionKey[];

  constructor(keys: readonly EncryptionKey[]) {
    this.#keys = keys;
  }

  get encrypts(): boolean {
    return this.#keys.length > 0;
  }

  seal(userId: string, secret: string): string {
    const current = this.#keys[0];
    if (!current) return `plain.${secret}`;
    const iv = randomBytes(12);
    const { ciphertext, tag } = primitives().aesGcmSeal(
      current.key,
      iv,
      utf8(secret),
      additionalData(userId, current.id),
    );
    return ['v1', current.id, toBase64Url(iv), toBase64Url(tag), toBase64Url(ciphertext)].join('.');
  }

  /** True when the sealed secret should be sealed again: keys are configured and it was sealed with an older one. */
  isStale(sealed: string): boolean {
    const current = this.#keys[0];
    return current !== undefined && sealed.split('.', 2)[1] !== current.id;
  }

  open(userId: string, sealed: string): string {
    if (sealed.startsWith('plain.')) {
      if (this.encrypts) throw storeCorrupt('A stored MFA secret is not encrypted, but encryption keys are configured');
      return sealed.slice('plain.'.length);
    }
    const [version, keyId, iv, tag, ciphertext, extra] = sealed.split('.');
    if (version !== 'v1' || !keyId || !iv || !tag || ciphertext === undefined || extra !== undefined) {
      throw storeCorrupt('A stored MFA secret is malformed');
    }
    const key = this.#keys.find((candidate) => candidate.id === keyId);
    if (!key) {
      // The key that sealed this secret was removed from the ring: an operator mistake, not the user's. The id comes
      // from the store, so it is quoted only when it has the shape of a key id.
      const named = /^[A-Za-z0-9_-]{1,32}$/.test(keyId) ? `key id "${keyId}"` : 'a key id';
      throw new MfaConfigurationError(`The MFA secret was sealed with ${named} that is not in encryptionKey any more`);
    }
    try {
      const [ivBytes, tagBytes, cipherBytes] = [fromBase64(iv), fromBase64(tag), fromBase64(ciphertext)];
      // A 12-byte nonce and a full 16-byte tag only: a truncated tag is easier to forge.
      if (ivBytes?.length !== 12 || tagBytes?.length !== 16 || !cipherBytes) throw new Error('malformed');
      const plaintext = primitives().aesGcmOpen(key.key, ivBytes, cipherBytes, tagBytes, additionalData(userId, keyId));
      try {
        return fromUtf8(plaintext);
      } finally {
        plaintext.fill(0); // the bytes of the secret do not wait for the garbage collector
      }
    } catch {
      throw storeCorrupt('A stored MFA secret failed its integrity check');
    }
  }
}

function additionalData(userId: string, keyId: string): Uint8Array {
  return utf8(`saasus-mfa:v1:${keyId}:${userId}`);
}
