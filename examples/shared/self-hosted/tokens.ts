import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes, base64url: a session token or a login challenge. Shown to the client once. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * What the store keeps instead of the token: a copy of the store alone (a backup, a dump) cannot be replayed as
 * sessions. A plain SHA-256 is enough here because the token has 256 random bits; passwords need scrypt.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}
