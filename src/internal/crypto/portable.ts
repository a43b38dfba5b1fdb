import { gcm } from '@noble/ciphers/aes.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { constantTimeEqual } from './equal.js';
import type { CryptoPrimitives, HashName } from './primitives.js';

const HASHES = { sha1, sha256, sha512 } as const;

/**
 * The primitives in audited pure JavaScript (noble), for runtimes without node:crypto. Pure JavaScript because the
 * callers are synchronous (otplib's `verifySync`, the secret box) and Web Crypto is asynchronous only; noble is what
 * otplib itself defaults to. Randomness still comes from the runtime (`crypto.getRandomValues`).
 */
export const portablePrimitives: CryptoPrimitives = {
  name: 'portable',
  hmac: (hash: HashName, key, data) => hmac(HASHES[hash], key, data),
  sha256: (data) => sha256(data),
  hkdfSha256: (key, info, length) => hkdf(sha256, key, new Uint8Array(0), info, length),
  constantTimeEqual,
  aesGcmSeal: (key, iv, plaintext, aad) => {
    const sealed = gcm(key, iv, aad).encrypt(plaintext);
    return { ciphertext: sealed.subarray(0, sealed.length - 16), tag: sealed.subarray(sealed.length - 16) };
  },
  aesGcmOpen: (key, iv, ciphertext, tag, aad) => {
    const joined = new Uint8Array(ciphertext.length + tag.length);
    joined.set(ciphertext, 0);
    joined.set(tag, ciphertext.length);
    return gcm(key, iv, aad).decrypt(joined);
  },
};
