import type { CryptoPlugin } from 'otplib';
import { constantTimeEqual, primitives, randomBytes, utf8, type HashName } from '../internal/crypto/index.js';

const HASH_NAMES: Record<string, HashName> = { sha1: 'sha1', sha256: 'sha256', sha512: 'sha512' };

/**
 * otplib's crypto plugin over this package's crypto layer: node:crypto's HMAC where the runtime has node:crypto (Node,
 * Bun, Deno; about four times faster than otplib's default pure-JavaScript HMAC, and a login check computes up to
 * three), the same noble HMAC otplib would use elsewhere (Workers without `nodejs_compat`). Codes are identical (same
 * RFC 4226 HMAC), which the RFC vector tests check. The name is kept from when it was node:crypto only.
 */
export const nodeCrypto: CryptoPlugin = {
  name: 'node',
  // No `algorithms` list: it would only repeat otplib's own three (sha1, sha256, sha512), and with one otplib filters
  // its list against it (a new array) on every verify and every HMAC: measured at about 15% of verifySync. otplib
  // still refuses any other name.
  hmac(algorithm, key, data) {
    const name = HASH_NAMES[String(algorithm).toLowerCase().replace(/[-_]/, '')];
    if (!name) throw new Error(`Unsupported HMAC algorithm ${String(algorithm)}`);
    return primitives().hmac(name, key, data);
  },
  randomBytes(length) {
    return randomBytes(length);
  },
  constantTimeEqual(a, b) {
    return constantTimeEqual(typeof a === 'string' ? utf8(a) : a, typeof b === 'string' ? utf8(b) : b);
  },
};
