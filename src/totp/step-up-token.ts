import { fromBase64, toBase64Url } from '../internal/crypto/index.js';
import type { EncryptionKey } from './keyring.js';
import { deriveKey, mac, macEqual, randomKey } from './mac.js';

/** What a valid token says: which factor it was issued for. The user it was issued to is checked by the MAC. */
export interface StepUpClaim {
  /** The `secretId` of the factor whose code (or recovery code) was checked. */
  secretId: string;
}

const VERSION = 's1';
const SECRET_ID = /^[A-Za-z0-9-]{1,128}$/;

/**
 * Step-up tokens: proof that a user passed a second-factor check moments ago, checked without a store round trip.
 *
 * Format: `s1.<secretId>.<issuedAt, base36>.<HMAC-SHA-256, base64url>`. The MAC covers the user id, the factor's
 * `secretId` and the issue time, under a key derived (HKDF) from the newest encryption key, so a token is only
 * accepted for the user it was issued to, for the factor it names (a disable and re-enrolment gives a new
 * `secretId`), and for `maxAgeMs`. The user id is bound, not carried: a token shows nobody whose it is.
 *
 * Without a configured encryption key, a random per-process key stands in: tokens then work only on the server that
 * issued them, and none survive a restart (development only, like the rest of that mode). On a key rotation, tokens
 * issued under the previous key stop working: they live minutes, a user just confirms again.
 */
export class StepUpTokens {
  readonly #key: Uint8Array;
  readonly #maxAgeMs: number;

  constructor(keys: readonly EncryptionKey[], maxAgeMs: number) {
    this.#key = keys[0] ? deriveKey(keys[0].key, 'step-up token') : randomKey();
    this.#maxAgeMs = maxAgeMs;
  }

  issue(userId: string, secretId: string, now: number): string {
    const issuedAt = Math.floor(now).toString(36);
    return `${VERSION}.${secretId}.${issuedAt}.${toBase64Url(this.#mac(userId, secretId, issuedAt))}`;
  }

  /** The factor the token was issued for, or null: malformed, forged, for another user, expired or from the future. */
  check(token: string, userId: string, now: number): StepUpClaim | null {
    const [version, secretId, issuedAtText, tag, extra] = token.split('.');
    if (version !== VERSION || secretId === undefined || !SECRET_ID.test(secretId) || extra !== undefined) return null;
    if (issuedAtText === undefined || !/^[0-9a-z]{1,12}$/.test(issuedAtText) || tag === undefined) return null;
    const expected = this.#mac(userId, secretId, issuedAtText);
    // Always compared, in constant time, before anything about the time is looked at.
    const given = fromBase64(tag) ?? new Uint8Array(0);
    if (!macEqual(given, expected) || tag !== toBase64Url(expected)) return null;
    const issuedAt = Number.parseInt(issuedAtText, 36);
    // A small allowance for servers whose clocks differ a little; a token from further in the future is refused.
    if (!(issuedAt <= now + 60_000 && now - issuedAt < this.#maxAgeMs)) return null;
    return { secretId };
  }

  #mac(userId: string, secretId: string, issuedAt: string): Uint8Array {
    return mac(this.#key, `saasus-mfa step-up\0${userId}\0${secretId}\0${issuedAt}`);
  }
}
