import { AttemptLimiter } from './attempt-limiter.js';
import { CodeVerifier } from './code-verifier.js';
import { DeviceTokenHasher } from './device-tokens.js';
import type { MfaEvent } from './events.js';
import { SealedFactorCache } from './factor-cache.js';
import { GuardedStore } from './guarded-store.js';
import { ClientKeyHasher } from './mac.js';
import type { ResolvedTotpOptions } from './options.js';
import { RecoveryCodeCheck } from './recovery-check.js';
import { RecoveryCodeHasher } from './recovery-codes.js';
import { SecretBox } from './secret-box.js';
import { StepUpGate } from './step-up-gate.js';
import { StepUpTokens } from './step-up-token.js';
import { TrustedDevices } from './trusted-devices.js';

/** The parts of a `TotpMfaProvider`, each one concept, wired once at construction. */
export interface ProviderParts {
  box: SecretBox;
  hasher: RecoveryCodeHasher;
  /** The store behind its guard: bounded in time, failures typed, answers checked. */
  store: GuardedStore;
  limiter: AttemptLimiter;
  verifier: CodeVerifier;
  recovery: RecoveryCodeCheck;
  tokens: StepUpTokens;
  gate: StepUpGate;
  devices: TrustedDevices;
  /** Sealed factors of recent verifies; null when off (size 0). */
  cache: SealedFactorCache | null;
}

/** Builds every part of the provider from its checked options; `emit` is the app's listener, made safe. */
export function buildProviderParts(resolved: ResolvedTotpOptions, emit: (event: MfaEvent) => void): ProviderParts {
  const { factorCacheSize, window, keys } = resolved;
  const box = new SecretBox(keys);
  const hasher = new RecoveryCodeHasher(keys);
  const cache = factorCacheSize > 0 ? new SealedFactorCache(factorCacheSize) : null;
  const store = new GuardedStore(resolved.store, resolved.storeTimeoutMs);
  // The lock memo is bounded like the factor cache, with a floor so that turning the cache off keeps the memo.
  const memoSize = Math.max(factorCacheSize, 1_000);
  const limiter = new AttemptLimiter(resolved, new ClientKeyHasher(keys), emit, memoSize);
  const verifier = new CodeVerifier({ store, limiter, box, cache, window, crypto: resolved.totpCrypto });
  const recovery = new RecoveryCodeCheck({ store, limiter, hasher, cache, emit });
  const tokens = new StepUpTokens(keys, resolved.stepUpMaxAgeMs);
  const gate = new StepUpGate({ store, verifier, recovery, tokens, emit });
  const devices = new TrustedDevices({
    store,
    hasher: new DeviceTokenHasher(keys),
    tokens,
    emit,
    ttlMs: resolved.trustedDeviceTtlMs,
    maxDevices: resolved.maxTrustedDevices,
  });
  return { box, hasher, store, limiter, verifier, recovery, tokens, gate, devices, cache };
}
