import type { MfaProviderError } from '../../errors.js';
import { invalidResponse } from '../../internal/provider-failures.js';
import type {
  AttemptClaimResult,
  AttemptWindow,
  MfaStoredState,
  RecoveryCodeUse,
  StoredFactor,
  StoredPendingSetup,
} from '../../totp/store.js';

/*
 * Script replies back to the records of store.ts. Numbers come back as the decimal strings the store was given and
 * are parsed here; a missing or non-numeric field is absent, never NaN. An enabled factor that cannot be read fails
 * loudly rather than reading as "no factor", which would switch MFA off for that user.
 */

/**
 * A reply outside what the scripts answer (a corrupt record, a client adapter's slip): a typed error that names only
 * the part, never a value, and is never retried (the same call would answer the same).
 */
export function malformed(what: string): MfaProviderError {
  return invalidResponse(`RedisMfaStore: unexpected ${what} in a Redis reply`);
}

/** An integer reply or a decimal string; anything else (nil, '', 'abc', a table) is absent. */
export function parseNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || value.trim() === '') return null;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : null;
}

export const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

export function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw malformed(what);
  return value;
}

/** FACTOR_FIELDS order. */
function parseFactor(reply: unknown): StoredFactor | null {
  const [secretId, sealedSecret, lastStep, enabledAt] = list(reply, 'factor');
  // Only a hash with no field at all is "no factor"; a partial one is corrupt, and reading it as absent would turn
  // MFA off for the user.
  if ([secretId, sealedSecret, lastStep, enabledAt].every((field) => field === null || field === undefined))
    return null;
  if (text(secretId) === null) throw malformed('factor record');
  const enabled = parseNumber(enabledAt);
  if (text(sealedSecret) === null || enabled === null) throw malformed('factor record');
  return {
    secretId: secretId as string,
    sealedSecret: sealedSecret as string,
    lastStep: parseNumber(lastStep),
    enabledAt: enabled,
  };
}

/** PENDING_FIELDS order. An unreadable setup is absent: it could not be confirmed anyway. */
function parsePending(reply: unknown): StoredPendingSetup | null {
  const [secretId, sealedSecret, lastStep, createdAt, expiresAt, confirmed] = list(reply, 'pending setup');
  const created = parseNumber(createdAt);
  const expires = parseNumber(expiresAt);
  if (text(secretId) === null || text(sealedSecret) === null || created === null || expires === null) return null;
  return {
    secretId: secretId as string,
    sealedSecret: sealedSecret as string,
    lastStep: parseNumber(lastStep),
    createdAt: created,
    expiresAt: expires,
    confirmed: confirmed === '1',
  };
}

export function parseCount(value: unknown, what: string): number {
  const count = parseNumber(value);
  if (count === null || !Number.isInteger(count)) throw malformed(what);
  return count;
}

/** `read_state` in scripts.ts: { factor fields, pending fields, recovery code count }. */
export function parseState(reply: unknown): MfaStoredState {
  const [factor, pending, recoveryCodes] = list(reply, 'state');
  return {
    factor: parseFactor(factor),
    pending: parsePending(pending),
    recoveryCodes: parseCount(recoveryCodes, 'recovery code count'),
  };
}

/** A script's windows: { { bucket, count, resetAt }, ... }, one per limit, in the limits' order. */
function parseWindows(reply: unknown): AttemptWindow[] {
  return list(reply, 'attempt windows').map((entry) => {
    const [bucket, count, resetAt] = list(entry, 'attempt window');
    const reset = parseNumber(resetAt);
    if (typeof bucket !== 'string' || reset === null) throw malformed('attempt window');
    return { bucket, count: parseCount(count, 'attempt count'), resetAt: reset };
  });
}

/** ATTEMPT_AND_CLAIM: { outcome, windows, state when stale }. */
export function parseAttemptClaim(reply: unknown): AttemptClaimResult {
  const [outcome, windows, state] = list(reply, 'claim');
  if (outcome === 'claimed') return { outcome };
  if (outcome === 'stale') return { outcome, attempts: parseWindows(windows), state: parseState(state) };
  if (outcome === 'locked' || outcome === 'replayed' || outcome === 'mismatch')
    return { outcome, attempts: parseWindows(windows) };
  throw malformed('claim outcome');
}

/** USE_RECOVERY_CODE: { 'used', remaining, secretId }, { 'no_factor' }, or { 'locked' | 'mismatch', windows }. */
export function parseRecoveryCodeUse(reply: unknown): RecoveryCodeUse {
  const [outcome, detail, secretId] = list(reply, 'recovery code use');
  if (outcome === 'used') {
    if (typeof secretId !== 'string' || secretId === '') throw malformed('factor id');
    return { outcome, remaining: parseCount(detail, 'recovery code count'), secretId };
  }
  if (outcome === 'no_factor') return { outcome };
  if (outcome === 'locked' || outcome === 'mismatch') return { outcome, attempts: parseWindows(detail) };
  throw malformed('recovery code outcome');
}
