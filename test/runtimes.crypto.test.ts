import { describe, expect, it } from 'vitest';
import { fromBase64, fromHex, toBase64Url, toHex, utf8 } from '../src/internal/crypto/bytes.js';
import { nativePrimitives } from '../src/internal/crypto/native.js';
import { nodeCrypto } from '../src/internal/crypto/node-builtin.js';
import { portablePrimitives } from '../src/internal/crypto/portable.js';
import { primitives } from '../src/internal/crypto/primitives.js';
import { randomInt } from '../src/internal/crypto/random.js';

// The two crypto paths must be interchangeable: a secret sealed on Node opens on Workers, a recovery code hashed on
// Bun matches on Deno. Each primitive is checked against a published vector on both paths, and across them.
const native = nativePrimitives(nodeCrypto()!);
const both = [native, portablePrimitives];

describe('crypto layer: node:crypto and the portable path give the same bytes', () => {
  it('finds node:crypto on Node through process.getBuiltinModule, and uses it', () => {
    expect(nodeCrypto()).toBeDefined();
    expect(primitives().name).toBe('node');
  });

  it.each(both)('HMAC-SHA-256 matches RFC 4231 test case 2 ($name)', (impl) => {
    const mac = impl.hmac('sha256', utf8('Jefe'), utf8('what do ya want for nothing?'));
    expect(toHex(mac)).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it.each(both)('HMAC-SHA-1 matches RFC 2202 test case 2 ($name)', (impl) => {
    expect(toHex(impl.hmac('sha1', utf8('Jefe'), utf8('what do ya want for nothing?')))).toBe(
      'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79',
    );
  });

  it.each(both)('HKDF-SHA-256 matches RFC 5869 test case 3, empty salt and info ($name)', (impl) => {
    const ikm = new Uint8Array(22).fill(0x0b);
    expect(toHex(impl.hkdfSha256(ikm, new Uint8Array(0), 42))).toBe(
      '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
    );
  });

  it('AES-256-GCM: what one path seals the other opens, with the same ciphertext and tag', () => {
    const key = fromHex('feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308');
    const iv = fromHex('cafebabefacedbaddecaf888');
    const aad = utf8('saasus-mfa:v1:k1:user-1');
    const plaintext = utf8('JBSWY3DPEHPK3PXP');
    const fromNode = native.aesGcmSeal(key, iv, plaintext, aad);
    const fromPortable = portablePrimitives.aesGcmSeal(key, iv, plaintext, aad);
    expect(toHex(fromPortable.ciphertext)).toBe(toHex(fromNode.ciphertext));
    expect(toHex(fromPortable.tag)).toBe(toHex(fromNode.tag));
    expect(portablePrimitives.aesGcmOpen(key, iv, fromNode.ciphertext, fromNode.tag, aad)).toEqual(plaintext);
    expect(native.aesGcmOpen(key, iv, fromPortable.ciphertext, fromPortable.tag, aad)).toEqual(plaintext);
  });

  it.each(both)('tampering: a flipped tag bit or other authenticated data is refused ($name)', (impl) => {
    const key = new Uint8Array(32).fill(1);
    const iv = new Uint8Array(12).fill(2);
    const { ciphertext, tag } = impl.aesGcmSeal(key, iv, utf8('secret'), utf8('user-1'));
    const forged = tag.slice();
    forged[0]! ^= 1;
    expect(() => impl.aesGcmOpen(key, iv, ciphertext, forged, utf8('user-1'))).toThrow();
    expect(() => impl.aesGcmOpen(key, iv, ciphertext, tag, utf8('user-2'))).toThrow();
  });

  it.each(both)('constant-time equality: same, different, different length ($name)', (impl) => {
    expect(impl.constantTimeEqual(utf8('123456'), utf8('123456'))).toBe(true);
    expect(impl.constantTimeEqual(utf8('123456'), utf8('123457'))).toBe(false);
    expect(impl.constantTimeEqual(utf8('123456'), utf8('1234567'))).toBe(false);
  });
});

describe('crypto layer: bytes without Buffer', () => {
  it('base64url and base64 agree with Buffer on random inputs of every length', () => {
    for (let length = 0; length < 70; length++) {
      const bytes = new Uint8Array(length).map(() => randomInt(256));
      expect(toBase64Url(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
      expect(fromBase64(Buffer.from(bytes).toString('base64'))).toEqual(bytes);
      expect(fromBase64(Buffer.from(bytes).toString('base64url'))).toEqual(bytes);
    }
  });

  it('refuses text that is not base64 instead of skipping characters as Buffer does', () => {
    expect(fromBase64('ab$c')).toBeUndefined();
    expect(fromBase64('a=b')).toBeUndefined();
  });

  it('randomInt has no modulo bias: every value of a non-power-of-two range is drawn about equally often', () => {
    const counts = new Array<number>(32 + 1).fill(0);
    for (let i = 0; i < 33_000; i++) counts[randomInt(33)]!++;
    // Expected 1 000 each; a biased draw (2^32 mod 33 != 0) would not show here, but a broken limit would (a value
    // never drawn, or one drawn twice as often).
    for (const count of counts) expect(count).toBeGreaterThan(800);
    for (const count of counts) expect(count).toBeLessThan(1_200);
  });
});
