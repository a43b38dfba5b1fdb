import type { AttemptWindow, MfaStoredState } from '../../totp/store.js';
import type { TrustedDeviceRecord } from '../../totp/store-devices.js';
import { stateFromColumns } from '../shared/state-columns.js';

/** One result row, as pg returns it: `bigint` and `count(*)` arrive as strings, `integer` as numbers. */
export type PostgresRow = Record<string, unknown>;

/**
 * Maps the state columns of `load` (or the same keys in a function's `state` object) to the records of the store
 * contract; PostgreSQL's booleans arrive as booleans.
 */
export function stateFromRow(row: PostgresRow): MfaStoredState {
  return stateFromColumns(row, (value) => value === true);
}

/** A function's `jsonb` answer: pg parses it; a driver that hands over the text gets it parsed here. */
export function answerOf(value: unknown): PostgresRow {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (typeof parsed !== 'object' || parsed === null) throw new TypeError('the store function answered no object');
  return parsed as PostgresRow;
}

/** The `attempts` array of a function's answer (one window per limit, in the limits' order). */
export function windowsOf(answer: PostgresRow): AttemptWindow[] {
  const list = Array.isArray(answer.attempts) ? (answer.attempts as PostgresRow[]) : [];
  return list.map((window) => ({
    bucket: String(window.bucket),
    count: Number(window.count),
    resetAt: Number(window.resetAt),
  }));
}

/** A device as a function's `jsonb` or `listDevices` answers it (bigint times arrive as numbers or strings). */
export function deviceOf(value: unknown): TrustedDeviceRecord {
  const row = answerOf(value);
  return {
    id: String(row.id),
    label: String(row.label),
    secretId: String(row.secretId),
    createdAt: Number(row.createdAt),
    lastUsedAt: Number(row.lastUsedAt),
    expiresAt: Number(row.expiresAt),
  };
}

/** A `jsonb` array of devices (already oldest first). */
export function devicesOf(value: unknown): TrustedDeviceRecord[] {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (!Array.isArray(parsed)) throw new TypeError('the store function answered no list of devices');
  return parsed.map(deviceOf);
}
