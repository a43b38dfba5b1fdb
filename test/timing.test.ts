import type * as NodeCrypto from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { signaturesEqual } from '../src/saasus/signer.js';
import { MemoryMfaStore, type UseRecoveryCode, type UseTrustedDevice } from '../src/totp/index.js';
import { nodeCrypto } from '../src/totp/node-crypto.js';
import { newUser, totpHarness, wrongCode } from './support/totp.js';

// Timing leaks: a comparison that stops at the first differing byte tells an attacker, by how long a refusal takes,
// how much of a guess was right, so a secret can be found byte by byte instead of all at once.
//
// Audit of src/ (every ===, includes, indexOf, Map/Set lookup, Buffer.equals near a secret-derived value):
// - TOTP codes: every step of the window is generated with otplib and compared with the crypto plugin's
//   constantTimeEqual, without stopping at a match (src/totp/window-match.ts; otplib's verify stops at the first);
//   the default plugin is `nodeCrypto` (src/totp/node-crypto.ts), whose comparison is node:crypto timingSafeEqual
//   where the runtime has node:crypto (an XOR-accumulate loop elsewhere).
//   Proven below by watching timingSafeEqual; test/totp-locked-timing.test.ts counts the HMACs.
// - Recovery codes: never compared in JavaScript. The typed code is hashed with HMAC-SHA-256 under a server key, and
//   the store looks the hash up (Set#has / SREM / WHERE code_hash = ANY($2)). Such a lookup may take longer for a
//   longer common prefix, but the attacker chooses the code, not its HMAC: without the key a guess cannot be steered
//   toward a stored hash, so the timing says nothing about any stored code. Proven below: the store only ever sees
//   keyed hashes.
// - Sealed secrets: AES-256-GCM; the tag is checked inside node:crypto (OpenSSL, constant-time).
// - SaaSus signatures (the fake SaaSus of saasus-mfa/testing checks them): signaturesEqual, timingSafeEqual.
// - Not secret, so plain comparisons are right: secret ids (random UUIDs the provider made, never user input), key
//   ids, user ids, the lengths of codes (always 6 digits, checked before any comparison).

// The crypto layer (src/internal/crypto) reaches node:crypto through process.getBuiltinModule, the object
// require('node:crypto') returns, and looks timingSafeEqual up on it at each call: watching that property sees
// every comparison. The real function runs: behaviour is unchanged.
const builtinCrypto = process.getBuiltinModule('node:crypto') as typeof NodeCrypto;
const timingSafeEqual = vi.spyOn(builtinCrypto, 'timingSafeEqual');

beforeEach(() => {
  timingSafeEqual.mockClear();
});

/** The byte lengths of every comparison timingSafeEqual made since the last reset. */
const compared = () =>
  timingSafeEqual.mock.calls.map(([left, right]) => [(left as Buffer).byteLength, (right as Buffer).byteLength]);

describe('timing: TOTP codes are compared in constant time', () => {
  it('a wrong login code is compared with timingSafeEqual against every code of the window (no early exit)', async () => {
    const { client, authenticator, enroll } = totpHarness(new MemoryMfaStore());
    const user = newUser();
    const { secret } = await enroll(user);
    timingSafeEqual.mockClear();
    await expect(client.verifySecondFactor(user, wrongCode(authenticator.code(secret)))).rejects.toMatchObject({
      reason: 'mismatch',
    });
    // window 1: the previous, current and next step, each compared as 6 bytes against 6 bytes.
    expect(compared()).toEqual([
      [6, 6],
      [6, 6],
      [6, 6],
    ]);
  });

  it('a right code is compared against every code of the window too: no early exit at the match', async () => {
    const { client, authenticator, enroll } = totpHarness(new MemoryMfaStore());
    const user = newUser();
    const { secret } = await enroll(user);
    timingSafeEqual.mockClear();
    await client.verifySecondFactor(user, authenticator.code(secret));
    expect(compared()).toHaveLength(3);
  });

  it('a right code, at login and when confirming a setup, is accepted through timingSafeEqual too', async () => {
    const { client, authenticator } = totpHarness(new MemoryMfaStore());
    const user = newUser();
    const setup = await client.createSetup(user);
    timingSafeEqual.mockClear();
    await client.verify(user, authenticator.code(setup.secret));
    expect(timingSafeEqual).toHaveBeenCalled();
    expect(
      timingSafeEqual.mock.results.some((result) => result.value === true),
      'the match itself came from timingSafeEqual',
    ).toBe(true);
  });

  it("the plugin's comparison answers false for values of different lengths instead of throwing, and compares strings as UTF-8", () => {
    expect(nodeCrypto.constantTimeEqual('123456', '123456')).toBe(true);
    expect(nodeCrypto.constantTimeEqual('123456', '123457')).toBe(false);
    expect(nodeCrypto.constantTimeEqual('123456', '1234567')).toBe(false);
    expect(nodeCrypto.constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true);
    expect(nodeCrypto.constantTimeEqual('é', new Uint8Array([0xc3, 0xa9]))).toBe(true);
  });
});

describe('timing: recovery codes are never compared in JavaScript, only looked up by keyed hash', () => {
  /** A store an app could write (the MfaStore interface), noting what the provider asks it to look up. */
  class RecordingStore extends MemoryMfaStore {
    readonly lookups: string[][] = [];
    override useRecoveryCode(request: UseRecoveryCode) {
      this.lookups.push([...request.candidateHashes]);
      return super.useRecoveryCode(request);
    }
  }

  it('the store is given HMAC-SHA-256 hashes of the typed code, never the code, and a near-miss guess hashes to something unrelated', async () => {
    const store = new RecordingStore();
    const { client, enroll } = totpHarness(store);
    const user = newUser();
    const { recoveryCodes } = await enroll(user);
    const code = recoveryCodes[0]!;
    const nearMiss = code.slice(0, -1) + (code.endsWith('0') ? '1' : '0');

    await expect(client.verifySecondFactor(user, nearMiss)).rejects.toMatchObject({ code: 'invalid_code' });
    await expect(client.verifySecondFactor(user, code)).resolves.toMatchObject({ method: 'recovery_code' });

    const [missHashes, hitHashes] = store.lookups;
    for (const hash of [...missHashes!, ...hitHashes!]) {
      expect(hash).toMatch(/^[^.]+\.[A-Za-z0-9_-]{43}$/); // key id, then 32 bytes of HMAC in base64url
      expect(hash).not.toContain(code.replace(/-/g, ''));
    }
    // Eleven of twelve characters right, and the hash shares nothing useful with the right one: a lookup's timing
    // cannot lead a guess toward a stored code.
    const [miss, hit] = [missHashes![0]!.split('.')[1]!, hitHashes![0]!.split('.')[1]!];
    const commonPrefix = [...miss].findIndex((char, i) => char !== hit[i]);
    expect(commonPrefix).toBeLessThan(4);
  });
});

describe('timing: device tokens are never compared in JavaScript, only looked up by keyed hash', () => {
  /** A store an app could write, noting what the provider asks it to look up at login. */
  class RecordingStore extends MemoryMfaStore {
    readonly lookups: string[][] = [];
    override useTrustedDevice(request: UseTrustedDevice) {
      this.lookups.push([...request.candidateHashes]);
      return super.useTrustedDevice(request);
    }
  }

  it('the store is given HMAC-SHA-256 hashes bound to the user, never the token, and a one-character change hashes to something unrelated', async () => {
    const store = new RecordingStore();
    const { client, authenticator, enroll } = totpHarness(store);
    const user = newUser();
    const { secret } = await enroll(user);
    const { deviceToken } = await client.verifySecondFactor(user, authenticator.code(secret), {
      trustDevice: { label: 'Firefox' },
    });
    const token = deviceToken!;
    const nearMiss = token.slice(0, -1) + (token.endsWith('A') ? 'E' : 'A');
    expect(await client.needsSecondFactor(user, { deviceToken: nearMiss })).toBe(true);
    expect(await client.needsSecondFactor(user, { deviceToken: token })).toBe(false);
    const [missHashes, hitHashes] = store.lookups;
    for (const hash of [...missHashes!, ...hitHashes!]) {
      expect(hash).toMatch(/^[^.]+\.[A-Za-z0-9_-]{43}$/);
      expect(hash).not.toContain(token.slice(3, 20));
    }
    const [miss, hit] = [missHashes![0]!.split('.')[1]!, hitHashes![0]!.split('.')[1]!];
    expect([...miss].findIndex((char, i) => char !== hit[i])).toBeLessThan(4);
  });
});

describe('timing: SaaSus signatures (checked by the fake SaaSus in saasus-mfa/testing)', () => {
  it('are compared with timingSafeEqual, and a different length is refused without throwing', () => {
    const sig = 'a'.repeat(64);
    expect(signaturesEqual(sig, sig)).toBe(true);
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
    expect(signaturesEqual(sig, `${sig}0`)).toBe(false);
    expect(signaturesEqual(sig, 'b'.repeat(64))).toBe(false);
  });
});
