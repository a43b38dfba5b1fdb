import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { MfaConfigurationError } from '../errors.js';
import { storeCorrupt } from '../internal/provider-failures.js';
import type { EncryptionKey } from './keyring.js';

/**
 * Seals TOTP secrets for the store with AES-256-GCM.
 *
 * Format: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts). The key id says which key of the ring opens it, so
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
    const cipher = createCipheriv('aes-256-gcm', current.key, iv, { authTagLength: 16 });
    cipher.setAAD(additionalData(userId, current.id));
    const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return [
      'v1',
      current.id,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      ciphertext.toString('base64url'),
    ].join('.');
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
      const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
      decipher.setAAD(additionalData(userId, keyId));
      // A fixed 16-byte tag length: Node would otherwise accept a truncated tag, which is easier to forge.
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw storeCorrupt('A stored MFA secret failed its integrity check');
    }
  }
}

function additionalData(userId: string, keyId: string): Buffer {
  return Buffer.from(`saasus-mfa:v1:${keyId}:${userId}`, 'utf8');
}
