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

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Base64url without padding, as `Buffer#toString('base64url')` writes it (a table, no `btoa` and replaces). */
export function toBase64Url(bytes: Uint8Array): string {
  let text = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    text += BASE64URL[n >> 18]! + BASE64URL[(n >> 12) & 63]! + BASE64URL[(n >> 6) & 63]! + BASE64URL[n & 63]!;
  }
  if (i < bytes.length) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8);
    text += BASE64URL[n >> 18]! + BASE64URL[(n >> 12) & 63]!;
    if (i + 1 < bytes.length) text += BASE64URL[(n >> 6) & 63]!;
  }
  return text;
}

/** The 6-bit value of each base64 and base64url character by char code, -1 for anything else. */
const SEXTETS = (() => {
  const table = new Int8Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  table[43] = table[45] = 62; // + -
  table[47] = table[95] = 63; // / _
  return table;
})();

/**
 * Decodes base64 or base64url, padded or not, as `Buffer.from(text, 'base64')` does for well-formed input. Returns
 * undefined for text that is not base64 at all (Buffer would silently skip such characters). A table lookup per
 * character, no regular expression or `atob`: it runs on every verify (three parts of the sealed secret).
 */
export function fromBase64(text: string): Uint8Array | undefined {
  let end = text.length;
  // Up to two '=' at the end only, as /^[A-Za-z0-9+/_-]*={0,2}$/ allows.
  if (end > 0 && text.charCodeAt(end - 1) === 61) end--;
  if (end > 0 && text.charCodeAt(end - 1) === 61) end--;
  // A single leftover character carries under one byte: Buffer drops it, and so does this.
  const usable = end % 4 === 1 ? end - 1 : end;
  const bytes = new Uint8Array(Math.floor((usable * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let out = 0;
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? SEXTETS[code]! : -1;
    if (value < 0) return undefined;
    if (i >= usable) continue; // the dropped leftover must still be a base64 character
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[out++] = (buffer >> bits) & 0xff;
    }
  }
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
