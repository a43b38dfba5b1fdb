import type { TrustDeviceResult, TrustedDeviceRecord, TrustedDeviceUse } from '../../totp/store-devices.js';
import { list, malformed, parseNumber } from './replies.js';

/*
 * The device scripts' replies (device-scripts.ts) back to the records of store-devices.ts. Whatever does not have the
 * exact shape a script answers is a typed error, never a device, a `trusted` or an empty list: an adapter's slip or a
 * corrupt record must not let a user skip the code, nor hide a device from its owner's list.
 */

/** DEVICE_FIELDS order: id, label, secretId, createdAt, lastUsedAt, expiresAt. */
function parseDevice(reply: unknown): TrustedDeviceRecord {
  const [id, label, secretId, createdAt, lastUsedAt, expiresAt] = list(reply, 'trusted device');
  const [created, lastUsed, expires] = [parseNumber(createdAt), parseNumber(lastUsedAt), parseNumber(expiresAt)];
  if (typeof id !== 'string' || id === '' || typeof label !== 'string' || typeof secretId !== 'string')
    throw malformed('trusted device');
  if (created === null || lastUsed === null || expires === null) throw malformed('trusted device time');
  return { id, label, secretId, createdAt: created, lastUsedAt: lastUsed, expiresAt: expires };
}

function parseDevices(reply: unknown): TrustedDeviceRecord[] {
  return list(reply, 'trusted device list').map(parseDevice);
}

/** TRUST_DEVICE: { 'trusted', dropped } or { 'stale' }. */
export function parseTrustDevice(reply: unknown): TrustDeviceResult {
  const [outcome, dropped] = list(reply, 'device trust');
  if (outcome === 'trusted') return { outcome, dropped: parseDevices(dropped) };
  if (outcome === 'stale') return { outcome };
  throw malformed('device trust outcome');
}

/** USE_TRUSTED_DEVICE: { 'trusted', device } or { 'untrusted', 1 | 0 }. */
export function parseTrustedDeviceUse(reply: unknown): TrustedDeviceUse {
  const [outcome, detail] = list(reply, 'device use');
  if (outcome === 'trusted') return { outcome, device: parseDevice(detail) };
  if (outcome === 'untrusted' && (detail === 1 || detail === 0)) return { outcome, factorEnabled: detail === 1 };
  throw malformed('device use outcome');
}

/** LIST_TRUSTED_DEVICES: the devices, oldest first. */
export const parseTrustedDevices = parseDevices;

/** REVOKE_TRUSTED_DEVICE: { 'revoked', device } or { 'none' }. */
export function parseRevokedDevice(reply: unknown): TrustedDeviceRecord | null {
  const [outcome, device] = list(reply, 'device revocation');
  if (outcome === 'revoked') return parseDevice(device);
  if (outcome === 'none') return null;
  throw malformed('device revocation outcome');
}

/** REVOKE_TRUSTED_DEVICES: { 'revoked', those that counted }. */
export function parseRevokedDevices(reply: unknown): TrustedDeviceRecord[] {
  const [outcome, devices] = list(reply, 'device revocation');
  if (outcome !== 'revoked') throw malformed('device revocation outcome');
  return parseDevices(devices);
}
