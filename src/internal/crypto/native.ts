import type * as NodeCrypto from 'node:crypto';
import type { CryptoPrimitives } from './primitives.js';

/** The same primitives over node:crypto (OpenSSL), given the module found at run time. */
export function nativePrimitives(crypto: typeof NodeCrypto): CryptoPrimitives {
  return {
    name: 'node',
    hmac: (hash, key, data) => toBytes(crypto.createHmac(hash, key).update(data).digest()),
    sha256: (data) => toBytes(crypto.createHash('sha256').update(data).digest()),
    hkdfSha256: (key, info, length) => new Uint8Array(crypto.hkdfSync('sha256', key, new Uint8Array(0), info, length)),
    // OpenSSL's CRYPTO_memcmp; looked up on the module at each call, so a test can watch it (test/timing.test.ts).
    constantTimeEqual: (a, b) => a.length === b.length && crypto.timingSafeEqual(a, b),
    aesGcmSeal: (key, iv, plaintext, aad) => {
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
      cipher.setAAD(aad);
      const first = cipher.update(plaintext);
      const last = cipher.final();
      const ciphertext = new Uint8Array(first.length + last.length);
      ciphertext.set(first, 0);
      ciphertext.set(last, first.length);
      return { ciphertext, tag: toBytes(cipher.getAuthTag()) };
    },
    aesGcmOpen: (key, iv, ciphertext, tag, aad) => {
      // A fixed 16-byte tag length: Node would otherwise accept a truncated tag, which is easier to forge.
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
      decipher.setAAD(aad);
      decipher.setAuthTag(tag);
      const first = decipher.update(ciphertext);
      const last = decipher.final();
      // GCM is a stream mode: final() only checks the tag and returns nothing, so there is nothing to join.
      if (last.length === 0) return toBytes(first);
      const plaintext = new Uint8Array(first.length + last.length);
      plaintext.set(first, 0);
      plaintext.set(last, first.length);
      return plaintext;
    },
  };
}

/** A plain Uint8Array view of a Buffer, so no caller starts to depend on Buffer methods that Workers lack. */
const toBytes = (buffer: Uint8Array): Uint8Array => new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
