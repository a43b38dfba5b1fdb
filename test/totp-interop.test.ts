import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { MemoryMfaStore } from '../src/totp/index.js';
import { STEP_MS, newUser, totpHarness } from './support/totp.js';

// Interop: codes from an independent TOTP implementation (oathtool, OATH Toolkit) must be accepted, and the
// RFC 6238 Appendix B vectors must pass through the same verify path the app uses.

function oathtoolAvailable(): boolean {
  try {
    execFileSync('oathtool', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env.MFA_REQUIRE_SERVICES === '1')
      throw new Error('oathtool is required (MFA_REQUIRE_SERVICES=1): apt-get install -y oathtool');
    console.warn(
      '\n  SKIPPED: the oathtool interop tests, because oathtool is not installed (apt-get install -y oathtool).\n',
    );
    return false;
  }
}

/** The code oathtool computes for a base32 secret at a given instant (the secret goes in as an argument, test only). */
const oathtool = (secret: string, ms: number) =>
  execFileSync('oathtool', ['--totp', '--base32', '-N', `@${Math.floor(ms / 1000)}`, secret], {
    encoding: 'utf8',
  }).trim();

describe.skipIf(!oathtoolAvailable())('interop with oathtool', () => {
  it('accepts oathtool codes through setup, enable and login, one step either side too', async () => {
    const { client, clock } = totpHarness(new MemoryMfaStore());
    const user = newUser();
    const { secret, otpauthUri } = await client.createSetup(user);
    expect(new URL(otpauthUri).searchParams.get('secret')).toBe(secret);
    await client.verify(user, oathtool(secret, clock.nowMs()));
    await client.enable(user);
    clock.advance(STEP_MS);
    expect(await client.verifySecondFactor(user, oathtool(secret, clock.nowMs()))).toMatchObject({ verified: true });
    clock.advance(3 * STEP_MS);
    expect(
      await client.verifySecondFactor(user, oathtool(secret, clock.nowMs() + STEP_MS)),
      'a phone one step fast',
    ).toMatchObject({ verified: true });
    clock.advance(3 * STEP_MS);
    await expect(
      client.verifySecondFactor(user, oathtool(secret, clock.nowMs() - 2 * STEP_MS)),
      'two steps slow',
    ).rejects.toMatchObject({ reason: 'mismatch' });
  });

  it('oathtool agrees with our code for 50 random secrets and instants', async () => {
    for (let i = 0; i < 50; i++) {
      const { client, clock } = totpHarness(new MemoryMfaStore());
      clock.set(Date.UTC(2020, 0, 1) + Math.floor(Math.random() * 20 * 365 * 86_400_000));
      const user = newUser();
      const { secret } = await client.createSetup(user);
      await expect(client.verify(user, oathtool(secret, clock.nowMs()))).resolves.toEqual({ verified: true });
    }
  });
});

// RFC 6238 Appendix B, SHA-1 rows: secret "12345678901234567890" (ASCII). Our codes have 6 digits; a 6-digit TOTP is
// the 8-digit value mod 10^6, i.e. its last six digits.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const RFC_VECTORS: [seconds: number, eightDigits: string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('RFC 6238 Appendix B vectors through TotpMfaProvider', () => {
  it.each(RFC_VECTORS)('at T=%i s the code %s (last six digits) verifies', async (seconds, eightDigits) => {
    const { client, clock } = totpHarness(new MemoryMfaStore(), { window: 0, generateSecret: () => RFC_SECRET });
    clock.set(seconds * 1000);
    const user = newUser();
    await client.createSetup(user);
    await expect(client.verify(user, eightDigits.slice(2))).resolves.toEqual({ verified: true });
  });

  it('the RFC secret is the base32 form of the ASCII string', () => {
    expect(Buffer.from('12345678901234567890')).toEqual(Buffer.from(base32Decode(RFC_SECRET)));
  });
});

function base32Decode(text: string): number[] {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of text) bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  return Array.from({ length: Math.floor(bits.length / 8) }, (_, i) => parseInt(bits.slice(i * 8, i * 8 + 8), 2));
}
