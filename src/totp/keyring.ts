import { MfaConfigurationError } from '../errors.js';
import { fromBase64, fromHex, primitives, toBase64Url, utf8 } from '../internal/crypto/index.js';

/** A 32-byte key as base64 (or base64url) text, 64 hex digits, or bytes, optionally with an explicit id. */
export type EncryptionKeyInput =
  | string
  | Uint8Array
  | {
      /** The key's id, recorded with every secret it seals: 1-32 characters of A-Z, a-z, 0-9, `_` or `-`, unique. */
      id: string;
      /** The 32-byte key, in any of the forms above. A secret: never logged. */
      key: string | Uint8Array;
    };

/** One key, or several newest first: the first encrypts, all of them decrypt (key rotation). */
export type EncryptionKeyOption = EncryptionKeyInput | readonly EncryptionKeyInput[];

export interface EncryptionKey {
  readonly id: string;
  readonly key: Uint8Array;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
/**
 * `openssl rand -hex 32` is as common as `-base64 32`. Sixty-four hex digits are also valid base64, but they would
 * decode to 48 bytes, never to a 32-byte key (whose base64 form is 43 or 44 characters), so reading them as hex cannot
 * change the meaning of any key that worked before.
 */
const HEX_KEY = /^[0-9A-Fa-f]{64}$/;

function keyBytes(value: string | Uint8Array, position: number): Uint8Array {
  const where = `encryptionKey${position === 0 ? '' : `[${position}]`}`;
  let bytes: Uint8Array | undefined;
  if (typeof value === 'string') {
    const text = value.trim();
    if (HEX_KEY.test(text)) return fromHex(text);
    bytes = BASE64.test(text) ? fromBase64(text) : undefined;
    if (!bytes)
      throw new MfaConfigurationError(
        `${where} must be 32 bytes as base64 text or 64 hex digits (generate one with: openssl rand -base64 32)`,
      );
  } else if (value instanceof Uint8Array) {
    bytes = new Uint8Array(value);
  } else {
    throw new MfaConfigurationError(`${where} must be a base64 or hex string, or a Buffer`);
  }
  if (bytes.length !== 32)
    throw new MfaConfigurationError(`${where} must be exactly 32 bytes (AES-256); got ${bytes.length}`);
  return bytes;
}

/**
 * A stable id for a key that was given without one: a short hash of it, so old ciphertexts find their key again after
 * a restart without the app naming keys. A one-way, domain-separated hash reveals nothing usable about the key.
 */
function derivedKeyId(key: Uint8Array): string {
  const label = utf8('saasus-mfa key id\0');
  const input = new Uint8Array(label.length + key.length);
  input.set(label, 0);
  input.set(key, label.length);
  return toBase64Url(primitives().sha256(input)).slice(0, 10);
}

/** Parses the `encryptionKey` option (or `MFA_ENCRYPTION_KEY`, comma-separated, newest first) into a keyring. */
export function parseKeyring(option: EncryptionKeyOption | undefined): EncryptionKey[] {
  if (option === undefined) return [];
  // A string with commas is a ring, as in MFA_ENCRYPTION_KEY, so `encryptionKey: process.env.MFA_ENCRYPTION_KEY`
  // keeps working when a second key is added for rotation.
  const inputs: readonly EncryptionKeyInput[] = Array.isArray(option)
    ? option
    : typeof option === 'string' && option.includes(',')
      ? splitKeyList(option)
      : [option as EncryptionKeyInput];
  const keys = inputs.map((input, position): EncryptionKey => {
    if (typeof input === 'object' && input !== null && !(input instanceof Uint8Array)) {
      if (typeof input.id !== 'string' || !KEY_ID.test(input.id)) {
        throw new MfaConfigurationError('an encryption key id must be 1-32 characters of A-Z, a-z, 0-9, "_" or "-"');
      }
      return { id: input.id, key: keyBytes(input.key, position) };
    }
    const key = keyBytes(input, position);
    return { id: derivedKeyId(key), key };
  });
  // A key option that was given but holds no key (" , ", []) is a mistake, not a request to store secrets in clear.
  if (keys.length === 0) throw new MfaConfigurationError('encryptionKey was given but holds no key');
  const ids = new Set(keys.map((k) => k.id));
  if (ids.size !== keys.length) throw new MfaConfigurationError('encryption key ids must be unique');
  return keys;
}

/** Reads `MFA_ENCRYPTION_KEY`: one base64 or hex key, or several separated by commas, newest first. */
export function keyringFromEnvironment(env: Record<string, string | undefined>): EncryptionKeyInput[] | undefined {
  const text = env.MFA_ENCRYPTION_KEY?.trim();
  if (!text) return undefined;
  return splitKeyList(text);
}

function splitKeyList(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}
