/**
 * The crypto layer's two implementations side by side, in one run: node:crypto (OpenSSL) versus the pure-JavaScript
 * path (noble) that runtimes without node:crypto use. It decides where the Node fast path is kept
 * (src/internal/crypto/primitives.ts). Run: npx tsx bench/runtime-crypto.ts (also under bun or deno: the same file).
 * Prints figures only; nothing here is an assertion.
 */
import { nativePrimitives } from '../src/internal/crypto/native.js';
import { nodeCrypto } from '../src/internal/crypto/node-builtin.js';
import { portablePrimitives } from '../src/internal/crypto/portable.js';
import type { CryptoPrimitives } from '../src/internal/crypto/primitives.js';

const node = nodeCrypto();
if (!node) throw new Error('this runtime has no node:crypto: there is nothing to compare the portable path with');
const implementations: CryptoPrimitives[] = [nativePrimitives(node), portablePrimitives];

const key20 = new Uint8Array(20).fill(7);
const key32 = new Uint8Array(32).fill(9);
const counter = new Uint8Array(8).fill(1);
const iv = new Uint8Array(12).fill(3);
const aad = new TextEncoder().encode('saasus-mfa:v1:key:user-1');
const secret = new TextEncoder().encode('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
const sealedBy = new Map(implementations.map((impl) => [impl.name, impl.aesGcmSeal(key32, iv, secret, aad)]));
const code = new TextEncoder().encode('123456');

const work: Record<string, (impl: CryptoPrimitives) => unknown> = {
  'HMAC-SHA1, 8-byte counter (one TOTP code)': (impl) => impl.hmac('sha1', key20, counter),
  'HMAC-SHA256 (recovery code hash)': (impl) => impl.hmac('sha256', key32, secret),
  'SHA-256 (key id)': (impl) => impl.sha256(secret),
  'AES-256-GCM seal (32-char secret)': (impl) => impl.aesGcmSeal(key32, iv, secret, aad),
  'AES-256-GCM open': (impl) => {
    const { ciphertext, tag } = sealedBy.get(impl.name)!;
    return impl.aesGcmOpen(key32, iv, ciphertext, tag, aad);
  },
  'HKDF-SHA256 (once per key, at construction)': (impl) => impl.hkdfSha256(key32, aad, 32),
  'constant-time equal, 6 bytes': (impl) => impl.constantTimeEqual(code, code),
};

/** Operations per second over about 300 ms, after a warm-up. */
function opsPerSecond(fn: () => unknown): number {
  for (let i = 0; i < 2_000; i++) fn();
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < 300) {
    for (let i = 0; i < 500; i++) fn();
    count += 500;
    elapsed = performance.now() - start;
  }
  return (count / elapsed) * 1000;
}

const runtime =
  (globalThis as { Bun?: { version: string } }).Bun?.version !== undefined
    ? `bun ${(globalThis as unknown as { Bun: { version: string } }).Bun.version}`
    : (globalThis as { Deno?: { version: { deno: string } } }).Deno
      ? `deno ${(globalThis as unknown as { Deno: { version: { deno: string } } }).Deno.version.deno}`
      : `node ${process.version}`;
console.log(`crypto layer on ${runtime}: node:crypto vs portable (noble), ops/s, ratio = node / portable`);
for (const [name, fn] of Object.entries(work)) {
  const [nodeOps, portableOps] = implementations.map((impl) => opsPerSecond(() => fn(impl)));
  console.log(
    `${name.padEnd(46)} node ${Math.round(nodeOps!).toLocaleString('en').padStart(10)}  ` +
      `portable ${Math.round(portableOps!).toLocaleString('en').padStart(10)}  ratio ${(nodeOps! / portableOps!).toFixed(2)}`,
  );
}
