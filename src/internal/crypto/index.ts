import { primitives } from './primitives.js';

export { concatBytes, fromBase64, fromHex, fromUtf8, toBase64Url, toHex, utf8 } from './bytes.js';
export { primitives, type CryptoPrimitives, type HashName } from './primitives.js';
export { randomBytes, randomInt, randomUUID } from './random.js';

/** Constant-time equality of two byte strings (node:crypto's timingSafeEqual where present). */
export const constantTimeEqual = (a: Uint8Array, b: Uint8Array): boolean => primitives().constantTimeEqual(a, b);
