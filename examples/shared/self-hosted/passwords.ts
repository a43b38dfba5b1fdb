import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * scrypt from node:crypto (a memory-hard KDF, RFC 7914) with one of OWASP's minimum settings (N=2^15, r=8, p=3:
 * 32 MiB, about 0.2 s of one core). The parameters are stored with each hash, so raising them later leaves old
 * hashes readable.
 */
const COST = { N: 2 ** 15, r: 8, p: 3 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** scrypt needs 128·N·r bytes (32 MiB here), which is exactly Node's default cap: give it room. */
const MAX_MEMORY = 64 * 1024 * 1024;

function derive(password: string, salt: Buffer, cost: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, { ...cost, maxmem: MAX_MEMORY }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** `scrypt$N$r$p$<salt>$<hash>`, base64url; a fresh random salt every time. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** A hash of a password nobody knows, made once: an unknown username costs the same scrypt as a wrong password. */
let dummyHash: Promise<string> | undefined;

/**
 * True when `password` matches `stored`. With no stored hash (unknown user) it still runs scrypt on a dummy hash and
 * answers false, so the response time does not tell which usernames exist.
 */
export async function passwordMatches(password: string, stored: string | undefined): Promise<boolean> {
  dummyHash ??= hashPassword(randomBytes(32).toString('base64url'));
  const [scheme, N, r, p, salt, hash] = (stored ?? (await dummyHash)).split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(N), r: Number(r), p: Number(p) });
  // Constant-time comparison: how many leading bytes match must not show in the timing.
  return stored !== undefined && actual.length === expected.length && timingSafeEqual(actual, expected);
}
