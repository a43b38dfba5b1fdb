import type { AttemptWindow, MfaStoredState } from '../../totp/store.js';
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
