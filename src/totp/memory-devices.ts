import type { StoredTrustedDevice, TrustedDeviceRecord } from './store-devices.js';

/* The memory store's trusted devices: the contract's ordering and limit rules (store-devices.ts), in one place. */

/**
 * Stores `device`, drops the expired, then the oldest while over `maxDevices` (never `device` itself); answers the
 * dropped ones, oldest first, without their hashes.
 */
export function addWithinLimit(
  devices: Map<string, StoredTrustedDevice>,
  device: StoredTrustedDevice,
  maxDevices: number,
  now: number,
): TrustedDeviceRecord[] {
  devices.set(device.id, { ...device });
  for (const [id, stored] of devices) if (stored.expiresAt <= now) devices.delete(id);
  const dropped: TrustedDeviceRecord[] = [];
  for (const oldest of oldestFirst([...devices.values()])) {
    if (devices.size <= maxDevices) break;
    if (oldest.id === device.id) continue;
    devices.delete(oldest.id);
    dropped.push(withoutHash(oldest));
  }
  return dropped;
}

/** Oldest first: by `createdAt`, then by `id` (the contract's order for listing and for dropping over the limit). */
export function oldestFirst<T extends TrustedDeviceRecord>(devices: T[]): T[] {
  return devices.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** A device as listed: a copy, without the token's hash. */
export function withoutHash({
  id,
  label,
  secretId,
  createdAt,
  lastUsedAt,
  expiresAt,
}: TrustedDeviceRecord): TrustedDeviceRecord {
  return { id, label, secretId, createdAt, lastUsedAt, expiresAt };
}
