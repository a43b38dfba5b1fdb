import type { CryptoPlugin } from 'otplib';
import { describe, expect, it } from 'vitest';
import { MfaConfigurationError } from '../src/index.js';
import { nodeCrypto } from '../src/totp/node-crypto.js';
import { MemoryMfaStore, TotpMfaProvider, type TotpMfaProviderOptions } from '../src/totp/index.js';
import { TEST_KEY } from './support/totp.js';
import { warningsDuring } from './support/process-warnings.js';

// Every option is checked once, at construction, so a misconfiguration fails at startup and says which option and
// which range. Written against the mutation report: no test read the messages, nor tried the exact bounds.

const DAY_MS = 86_400_000;

/** Each integer option, its range as documented, and nothing else set. */
const ranges: [keyof TotpMfaProviderOptions, number, number][] = [
  ['window', 0, 10],
  ['setupTtlMs', 1_000, DAY_MS],
  ['maxAttempts', 1, 1_000],
  ['maxAttemptsPerUser', 1, 100_000],
  ['maxRecoveryCodeAttempts', 1, 1_000],
  ['attemptWindowMs', 1_000, DAY_MS],
  ['stepUpMaxAgeMs', 1_000, DAY_MS],
  ['trustedDeviceTtlMs', 60_000, 400 * DAY_MS],
  ['maxTrustedDevices', 1, 100],
  ['recoveryCodeCount', 1, 100],
  ['factorCacheSize', 0, 10_000_000],
  ['storeTimeoutMs', 0, 600_000],
];

/** What `build` throws: the test fails if it returns. */
function thrown(build: () => unknown): Error {
  try {
    build();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

/** `build` fails with a configuration error of exactly `message`. */
function expectRefusal(build: () => unknown, message: string, label?: string) {
  const error = thrown(build);
  expect(error, label).toBeInstanceOf(MfaConfigurationError);
  expect(error.message, label).toBe(message);
}

const provider = (options: Record<string, unknown>) =>
  new TotpMfaProvider({ store: new MemoryMfaStore(), encryptionKey: TEST_KEY, ...options } as TotpMfaProviderOptions);

// First in the file: the warning is sent once per process (per test file here), by the first provider without a key.
it('without a key outside production, the process warning says what is missing and that it is for development only', async () => {
  const warnings = await warningsDuring(() => new TotpMfaProvider({ store: new MemoryMfaStore(), env: {} }));
  const noKey = warnings.filter((warning) => warning.code === 'SAASUS_MFA_NO_ENCRYPTION_KEY');
  expect(noKey.map((warning) => warning.message)).toEqual([
    'saasus-mfa: no encryptionKey (MFA_ENCRYPTION_KEY); TOTP secrets are stored unencrypted. Fine for development only.',
  ]);
});

describe('a misconfigured integer option fails at startup, naming the option and its range', () => {
  it.each(ranges)('%s: accepted from %d to %d exactly, refused one past either bound', (name, min, max) => {
    const message = `${name} must be an integer from ${min} to ${max}`;
    expect(() => provider({ [name]: min }), `${name} = ${min}`).not.toThrow();
    expect(() => provider({ [name]: max }), `${name} = ${max}`).not.toThrow();
    for (const wrong of [min - 1, max + 1, min + 0.5, String(min), Number.NaN]) {
      expectRefusal(() => provider({ [name]: wrong }), message, `${name} = ${String(wrong)}`);
    }
  });
});

describe('a misconfigured provider fails at startup with a message that says what is wrong', () => {
  it('options that are not an object', () => {
    for (const options of [null, 'totp', 42]) {
      expectRefusal(() => new TotpMfaProvider(options as never), 'TotpMfaProvider options must be an object');
    }
  });

  it('a totpCrypto that lacks hmac or constantTimeEqual (either one) is not a crypto plugin', () => {
    const { hmac, constantTimeEqual } = nodeCrypto;
    for (const totpCrypto of [{}, { name: 'x', hmac }, { name: 'x', constantTimeEqual }, { name: 'x', hmac: 1 }]) {
      const build = () => provider({ totpCrypto: totpCrypto as unknown as CryptoPlugin });
      expectRefusal(build, 'totpCrypto must be an otplib crypto plugin', JSON.stringify(Object.keys(totpCrypto)));
    }
    expect(() => provider({ totpCrypto: { name: 'x', hmac, constantTimeEqual } })).not.toThrow();
  });

  it('a now that is not a function', () => {
    for (const now of [new Date(), 'now', 0]) {
      expectRefusal(() => provider({ now }), 'now must be a function returning a Date');
    }
  });
});
