import { invalidResponse } from '../internal/provider-failures.js';
import type {
  TrustDevice,
  TrustDeviceResult,
  TrustedDeviceRecord,
  TrustedDeviceUse,
  UseTrustedDevice,
} from './store-devices.js';

/*
 * The checks `GuardedStore` makes on the answers of the trusted-device operations: what comes out is what the types
 * say, or an `invalid_response`. A slip never reads as `trusted`: a login that a custom store cannot confirm asks for
 * the code, by failing closed.
 */

const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';
const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** A device record with every field of the right type (and never its hash: a store must not answer it). */
export function checkedDevice(value: unknown): TrustedDeviceRecord {
  const { id, label, secretId, createdAt, lastUsedAt, expiresAt } = (value ?? {}) as Record<string, unknown>;
  if (
    typeof value !== 'object' ||
    value === null ||
    !isText(id) ||
    !isText(label) ||
    !isText(secretId) ||
    !isTime(createdAt) ||
    !isTime(lastUsedAt) ||
    !isTime(expiresAt)
  )
    throw invalidResponse('The MFA store answered a trusted device that is not readable');
  return { id, label, secretId, createdAt, lastUsedAt, expiresAt };
}

/** A list of device records (`listTrustedDevices`, `revokeTrustedDevices`, `dropped`). */
export function checkedDevices(value: unknown): TrustedDeviceRecord[] {
  if (!Array.isArray(value)) throw invalidResponse('The MFA store answered a trusted device list that is not a list');
  return value.map(checkedDevice);
}

/** `revokeTrustedDevice`: the removed record, or null. */
export function checkedDeviceOrNull(value: unknown): TrustedDeviceRecord | null {
  return value === null ? null : checkedDevice(value);
}

/** `trustDevice`: stored (with what was dropped over the limit, never the new device itself), or stale. */
export function checkedTrustResult(value: unknown, request: TrustDevice): TrustDeviceResult {
  const { outcome, dropped } = (value ?? {}) as Record<string, unknown>;
  if (outcome === 'stale') return { outcome };
  if (outcome !== 'trusted') throw invalidResponse('The MFA store answered an unknown trust outcome');
  const records = checkedDevices(dropped);
  if (records.some((record) => record.id === request.device.id))
    throw invalidResponse('The MFA store dropped the device it was asked to trust');
  return { outcome, dropped: records };
}

/**
 * `useTrustedDevice`: `trusted` only with a readable record that still counts at `now`, for a request that gave a
 * hash to match; `untrusted` only with a boolean `factorEnabled`. Anything else fails closed.
 */
export function checkedDeviceUse(value: unknown, request: UseTrustedDevice): TrustedDeviceUse {
  const { outcome, device, factorEnabled } = (value ?? {}) as Record<string, unknown>;
  if (outcome === 'untrusted') {
    if (typeof factorEnabled !== 'boolean')
      throw invalidResponse('The MFA store answered an untrusted device without saying whether MFA is on');
    return { outcome, factorEnabled };
  }
  if (outcome !== 'trusted') throw invalidResponse('The MFA store answered an unknown trusted device outcome');
  if (request.candidateHashes.length === 0)
    throw invalidResponse('The MFA store trusted a device token it was not given');
  const record = checkedDevice(device);
  if (!(request.now < record.expiresAt)) throw invalidResponse('The MFA store trusted an expired device');
  return { outcome, device: record };
}
