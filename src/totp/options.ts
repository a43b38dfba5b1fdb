import type { CryptoPlugin } from 'otplib';
import { MfaConfigurationError } from '../errors.js';
import { emitRuntimeWarning, guardedEnvironment } from '../internal/environment.js';
import type { MfaEventListener } from './events.js';
import { keyringFromEnvironment, parseKeyring, type EncryptionKey, type EncryptionKeyOption } from './keyring.js';
import { MemoryMfaStore } from './memory-store.js';
import { nodeCrypto } from './node-crypto.js';
import type { MfaStore } from './store.js';

/** Options of `TotpMfaProvider`, each checked at construction; all optional. */
export interface TotpMfaProviderOptions {
  /** Where MFA state lives. Default: a new `MemoryMfaStore` (this process only, lost on restart). */
  store?: MfaStore;
  /**
   * AES-256-GCM key(s) for secrets at rest: 32 bytes as base64 text or bytes, or `{ id, key }`; several newest first
   * to rotate (the first encrypts, all decrypt). Default: `MFA_ENCRYPTION_KEY` (comma-separated, newest first).
   * Without a key the provider refuses to start when `NODE_ENV=production` and warns otherwise.
   */
  encryptionKey?: EncryptionKeyOption;
  /** Time steps (30 s each) accepted before and after the current one, for clock drift. Default 1 (±30 s). */
  window?: number;
  /** How long a setup may wait to be verified and enabled. Default 10 minutes. */
  setupTtlMs?: number;
  /**
   * Failed TOTP codes per user and client (the call context's `clientKey`), or per user when the app passes no
   * `clientKey`, in `attemptWindowMs`; past it, codes of that client fail fast (`MfaRateLimitedError`) and none is
   * computed. A replay of an accepted code is not counted; a success clears the count. A setup's confirmation has
   * its own count with this limit. Default 5.
   */
  maxAttempts?: number;
  /**
   * Failed TOTP codes per user over all clients in `attemptWindowMs`, when the app passes `clientKey`: the ceiling
   * that bounds an attacker with many addresses (see the README for the arithmetic). Default 20.
   */
  maxAttemptsPerUser?: number;
  /**
   * Failed recovery codes per user and client (or per user) in `attemptWindowMs`, counted apart from TOTP codes, so a
   * TOTP lockout never closes the recovery path. Default 10.
   */
  maxRecoveryCodeAttempts?: number;
  /** The fixed window failures are counted in, from the first one. Default 15 minutes. */
  attemptWindowMs?: number;
  /** How long a `stepUpToken` from `verify` / `verifySecondFactor` is accepted. Default 5 minutes. */
  stepUpMaxAgeMs?: number;
  /**
   * How long a trusted device ("don't ask again on this browser") lets the user skip the code: a fixed expiry from
   * when it was trusted, which use does not extend, so a stolen token has a bounded life. Default 30 days; from
   * 1 minute to 400 days (the longest cookie lifetime browsers keep).
   */
  trustedDeviceTtlMs?: number;
  /**
   * Trusted devices kept per user; trusting one more drops the oldest (event `device_revoked`, reason `limit`), so a
   * user's list stays short enough to read and a token copied long ago eventually falls out. Default 10; 1 to 100.
   */
  maxTrustedDevices?: number;
  /**
   * The otplib crypto plugin behind every TOTP code (its `hmac` and `constantTimeEqual`). Default: the built-in
   * node:crypto one. Tests pass a real plugin wrapped to count HMAC calls.
   */
  totpCrypto?: CryptoPlugin;
  /** Recovery codes handed out by `enable` and `regenerateRecoveryCodes`. Default 10. */
  recoveryCodeCount?: number;
  /**
   * How many users' factors this provider keeps, still sealed, between verifies, so that a verify on a store whose
   * `attemptAndClaim` is one operation (every built-in store) is one round trip instead of two. The store stays
   * the authority:
   * it checks, in the same operation, that the cached factor is still the current one. Default 10 000 (a few MB at
   * most); 0 turns it off.
   */
  factorCacheSize?: number;
  /**
   * Longest wait for one store call before it fails as `MfaProviderError` `store_unavailable`, so a stalled Redis or
   * PostgreSQL cannot hang a login (driver defaults wait forever on a stalled connection). The call itself cannot be
   * cancelled and may still complete: treat the error as "outcome unknown". Real time, not `now`. Default 5 000 ms;
   * 0 turns it off (then bound calls in the driver).
   */
  storeTimeoutMs?: number;
  /** The clock. Default: the system clock. Tests pass a fixed clock's `now`. */
  now?: () => Date;
  /**
   * Audit events (setup created, verified, enabled, disabled, failed, locked, unlocked, admin reset, recovery code
   * used, device trusted, used or revoked).
   */
  onEvent?: MfaEventListener;
  /**
   * Makes the secret for a new setup: base32, at least 16 bytes. Default: otplib's `generateSecret()` (20 random
   * bytes, as RFC 4226 recommends). Meant for tests with known vectors, not for production.
   */
  generateSecret?: () => string;
  /**
   * Where `MFA_ENCRYPTION_KEY` and `NODE_ENV` are read. Default: `process.env`, read at construction only; a runtime
   * that refuses it (Deno without `--allow-env`) fails with `MfaConfigurationError` naming the variable.
   */
  env?: Record<string, string | undefined>;
}

export interface ResolvedTotpOptions {
  store: MfaStore;
  keys: EncryptionKey[];
  window: number;
  setupTtlMs: number;
  maxAttempts: number;
  maxAttemptsPerUser: number;
  maxRecoveryCodeAttempts: number;
  attemptWindowMs: number;
  stepUpMaxAgeMs: number;
  trustedDeviceTtlMs: number;
  maxTrustedDevices: number;
  totpCrypto: CryptoPlugin;
  recoveryCodeCount: number;
  factorCacheSize: number;
  storeTimeoutMs: number;
  now: () => Date;
}

function integer(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new MfaConfigurationError(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

let warnedAboutMissingKey = false;

const DAY_MS = 24 * 60 * 60_000;

/** What a store must implement (contract v2), checked once at construction. */
const REQUIRED_STORE_METHODS = [
  'load',
  'savePending',
  'attemptAndClaim',
  'activatePending',
  'useRecoveryCode',
  'replaceRecoveryCodes',
  'deleteFactor',
  'clearAttempts',
  'trustDevice',
  'useTrustedDevice',
  'listTrustedDevices',
  'revokeTrustedDevice',
  'revokeTrustedDevices',
] as const;

/** Checks every option once, at construction, so a misconfiguration fails at startup rather than at a user's login. */
export function resolveTotpOptions(options: TotpMfaProviderOptions): ResolvedTotpOptions {
  if (typeof options !== 'object' || options === null)
    throw new MfaConfigurationError('TotpMfaProvider options must be an object');
  const env =
    options.env ?? guardedEnvironment('TotpMfaProvider', { MFA_ENCRYPTION_KEY: 'encryptionKey', NODE_ENV: 'env' });
  const store = options.store ?? new MemoryMfaStore();
  const missing = REQUIRED_STORE_METHODS.filter(
    (method) => typeof (store as unknown as Record<string, unknown>)[method] !== 'function',
  );
  // A store written for the first contract (beginAttempt, claimStep, consumeRecoveryCode) is named as such.
  if (missing.length > 0) {
    throw new MfaConfigurationError(
      `store must implement MfaStore (contract v2: MemoryMfaStore, RedisMfaStore, PostgresMfaStore, SqliteMfaStore); it lacks ${missing.join(', ')}`,
    );
  }
  const totpCrypto = options.totpCrypto ?? nodeCrypto;
  if (typeof totpCrypto?.hmac !== 'function' || typeof totpCrypto.constantTimeEqual !== 'function')
    throw new MfaConfigurationError('totpCrypto must be an otplib crypto plugin');
  if (options.now !== undefined && typeof options.now !== 'function')
    throw new MfaConfigurationError('now must be a function returning a Date');
  const keys = parseKeyring(options.encryptionKey ?? keyringFromEnvironment(env));
  if (keys.length === 0) {
    if (env.NODE_ENV === 'production') {
      throw new MfaConfigurationError(
        'TotpMfaProvider needs encryptionKey (or MFA_ENCRYPTION_KEY) when NODE_ENV=production: TOTP secrets must not be stored in clear',
      );
    }
    if (!warnedAboutMissingKey) {
      warnedAboutMissingKey = true;
      emitRuntimeWarning(
        'saasus-mfa: no encryptionKey (MFA_ENCRYPTION_KEY); TOTP secrets are stored unencrypted. Fine for development only.',
        'SAASUS_MFA_NO_ENCRYPTION_KEY',
      );
    }
  }
  return {
    store,
    keys,
    window: integer(options.window, 'window', 1, 0, 10),
    setupTtlMs: integer(options.setupTtlMs, 'setupTtlMs', 10 * 60_000, 1_000, 24 * 60 * 60_000),
    maxAttempts: integer(options.maxAttempts, 'maxAttempts', 5, 1, 1_000),
    maxAttemptsPerUser: integer(options.maxAttemptsPerUser, 'maxAttemptsPerUser', 20, 1, 100_000),
    maxRecoveryCodeAttempts: integer(options.maxRecoveryCodeAttempts, 'maxRecoveryCodeAttempts', 10, 1, 1_000),
    attemptWindowMs: integer(options.attemptWindowMs, 'attemptWindowMs', 15 * 60_000, 1_000, 24 * 60 * 60_000),
    stepUpMaxAgeMs: integer(options.stepUpMaxAgeMs, 'stepUpMaxAgeMs', 5 * 60_000, 1_000, 24 * 60 * 60_000),
    trustedDeviceTtlMs: integer(options.trustedDeviceTtlMs, 'trustedDeviceTtlMs', 30 * DAY_MS, 60_000, 400 * DAY_MS),
    maxTrustedDevices: integer(options.maxTrustedDevices, 'maxTrustedDevices', 10, 1, 100),
    totpCrypto,
    recoveryCodeCount: integer(options.recoveryCodeCount, 'recoveryCodeCount', 10, 1, 100),
    factorCacheSize: integer(options.factorCacheSize, 'factorCacheSize', 10_000, 0, 10_000_000),
    storeTimeoutMs: integer(options.storeTimeoutMs, 'storeTimeoutMs', 5_000, 0, 10 * 60_000),
    now: options.now ?? (() => new Date()),
  };
}
