import type { AttemptWindow, MfaStoredState } from '../../totp/store.js';
import type { TrustedDeviceRecord } from '../../totp/store-devices.js';
import { nullableNumber, stateFromColumns } from '../shared/state-columns.js';
import type { SqliteRow } from './driver.js';

/** Maps the state columns (the same names as the PostgreSQL store's) to the records of the store contract. */
export function stateFromRow(row: SqliteRow): MfaStoredState {
  // SQLite has no boolean: 1 or 0 (a bigint 1n with safe integers).
  return stateFromColumns(row, (value) => Number(value) === 1);
}

/** The windows statement's rows at `now`: a bucket without a row, or whose window has ended, reads as none. */
export function windowsFromRows(rows: readonly SqliteRow[], now: number): AttemptWindow[] {
  return rows.map((row) => {
    const resetAt = nullableNumber(row.reset_at);
    return resetAt !== null && now < resetAt
      ? { bucket: String(row.bucket), count: Number(row.count), resetAt }
      : { bucket: String(row.bucket), count: 0, resetAt: 0 };
  });
}

/** A device row as the device statements select it (`id`, `label`, `secret_id` and the three times). */
export function deviceFromRow(row: SqliteRow): TrustedDeviceRecord {
  return {
    id: String(row.id),
    label: String(row.label),
    secretId: String(row.secret_id),
    createdAt: Number(row.created_at),
    lastUsedAt: Number(row.last_used_at),
    expiresAt: Number(row.expires_at),
  };
}

/** Oldest first (`createdAt`, then `id`): a RETURNING clause answers its rows in no promised order. */
export function oldestFirst(devices: TrustedDeviceRecord[]): TrustedDeviceRecord[] {
  return devices.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
