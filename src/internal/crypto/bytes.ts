/**
 * Byte helpers without `Buffer`, which Workers lack without `nodejs_compat`. `TextEncoder`, `btoa` and `atob` are
 * on every runtime this package supports.
 */

const encoder = new TextEncoder();
// fatal: a secret that does not decode is corrupt, and must not come back with replacement characters in it.
const decoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 bytes of a string. */
export const utf8 = (text: string): Uint8Array => encoder.encode(text);

/** The string UTF-8 bytes encode; throws (TypeError) on bytes that are not UTF-8. */
export const fromUtf8 = (bytes: Uint8Array): string => decoder.decode(bytes);

/** Base64url without padding, as `Buffer#toString('base64url')` writes it. */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const BASE64_ANY = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * Decodes base64 or base64url, padded or not, as `Buffer.from(text, 'base64')` does for well-formed input. Returns
 * undefined for text that is not base64 at all (Buffer would silently skip such characters).
 */
export function fromBase64(text: string): Uint8Array | undefined {
  if (!BASE64_ANY.test(text)) return undefined;
  const standard = text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  // A single leftover character carries under one byte: Buffer drops it, and so does this.
  const usable = standard.length % 4 === 1 ? standard.slice(0, -1) : standard;
  let binary: string;
  try {
    binary = atob(usable + '='.repeat((4 - (usable.length % 4)) % 4));
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Bytes of an even-length hex string (the caller checks its shape). */
export function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (let i = 0; i < bytes.length; i++) hex += bytes[i]!.toString(16).padStart(2, '0');
  return hex;
}

/** The bytes of both arrays, one after the other. */
export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}
