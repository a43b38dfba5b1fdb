import type { MfaTrustedDevice, MfaVerifyResult } from '../types.js';
import { invalidResponse } from './provider-failures.js';

/* What MfaClient accepts from a provider as a success: anything less fails closed. */

/** The login check's step-up token; a provider that gives none broke the `verifySecondFactor` contract. */
export function stepUpTokenOf(result: { stepUpToken?: unknown }): string {
  if (typeof result.stepUpToken !== 'string' || result.stepUpToken === '')
    throw invalidResponse('The provider did not return a step-up token');
  return result.stepUpToken;
}

/** A provider that resolves without saying `verified: true` has not verified anything: fail closed. */
export function confirmed(result: MfaVerifyResult | undefined): asserts result is MfaVerifyResult {
  if (result?.verified !== true) {
    throw invalidResponse('The provider did not confirm the code');
  }
}

/** A device token as the self-hosted provider issues it: `d1.` and base64url. Anything else is not one. */
const DEVICE_TOKEN = /^d1\.[A-Za-z0-9_-]{43}$/;

/** The token of a device the provider says it trusted: without one, the device was not stored, so no success. */
export function deviceTokenOf(grant: { deviceToken?: unknown } | undefined): string {
  const deviceToken = grant?.deviceToken;
  if (typeof deviceToken !== 'string' || !DEVICE_TOKEN.test(deviceToken))
    throw invalidResponse('The provider did not return a device token');
  return deviceToken;
}

/**
 * `needsSecondFactor`'s answer from a device check: the code can be skipped only on an explicit `trusted: true`;
 * otherwise whether MFA is on, which must be a boolean (an answer that says neither cannot open a login).
 */
export function needsCodeAfter(check: { trusted?: unknown; mfaEnabled?: unknown } | undefined): boolean {
  if (check?.trusted === true) return false;
  if (check?.trusted !== false || typeof check.mfaEnabled !== 'boolean')
    throw invalidResponse('The provider did not answer whether the device is trusted');
  return check.mfaEnabled;
}

const isDate = (value: unknown): value is Date => value instanceof Date && Number.isFinite(value.getTime());

/** The provider's device list, as copies with only the public fields (never a hash or a factor id that slipped in). */
export function trustedDevicesOf(value: unknown): MfaTrustedDevice[] {
  if (!Array.isArray(value)) throw invalidResponse('The provider did not return a list of trusted devices');
  return value.map((device: unknown) => {
    const { id, label, createdAt, lastUsedAt, expiresAt } = (device ?? {}) as Record<string, unknown>;
    if (typeof id !== 'string' || typeof label !== 'string' || !isDate(createdAt) || !isDate(lastUsedAt))
      throw invalidResponse('The provider returned a trusted device that is not readable');
    if (!isDate(expiresAt)) throw invalidResponse('The provider returned a trusted device that is not readable');
    return {
      id,
      label,
      createdAt: new Date(createdAt),
      lastUsedAt: new Date(lastUsedAt),
      expiresAt: new Date(expiresAt),
    };
  });
}

/** A yes/no answer (`revokeTrustedDevice`): anything but a boolean is a provider's slip. */
export function booleanOf(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') throw invalidResponse(`The provider did not say whether ${what}`);
  return value;
}

/** A count (`revokeTrustedDevices`): a whole number ≥ 0. */
export function countOf(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw invalidResponse(`The provider did not say how many ${what}`);
  return value;
}
