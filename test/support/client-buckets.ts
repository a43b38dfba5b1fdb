import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { TEST_KEY } from './totp.js';

/**
 * The name of a client's attempt bucket, computed independently of the SDK (node:crypto, the documented
 * construction): HMAC-SHA-256 under HKDF-SHA-256(key, info 'saasus-mfa client key'), or without a key a
 * domain-separated SHA-256; 128 bits, lower-case hex.
 */
export const CLIENT = '203.0.113.7';

export function keyedBucket(clientKey: string): string {
  const key = Buffer.from(
    hkdfSync('sha256', Buffer.from(TEST_KEY, 'base64'), Buffer.alloc(0), 'saasus-mfa client key', 32),
  );
  return `code:c:${createHmac('sha256', key).update(clientKey).digest('hex').slice(0, 32)}`;
}

export function unkeyedBucket(clientKey: string): string {
  return `code:c:${createHash('sha256').update(`saasus-mfa client key\0${clientKey}`).digest('hex').slice(0, 32)}`;
}
