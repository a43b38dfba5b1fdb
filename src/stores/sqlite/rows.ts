import type { AttemptWindow, MfaStoredState } from '../../totp/store.js';
import type { SqliteRow } from './driver.js';

// Every stored number is an epoch millisecond, a TOTP step or a count, far below 2^53: Number() is exact, and it
// also reads a driver's bigint (better-sqlite3 with safeIntegers, bun with safeIntegers) correctly.
const nullableNumber = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);

/** Maps the state columns (the same names as the PostgreSQL store's) to the records of the store contract. */
export function stateFromRow(row: SqliteRow): MfaStoredState {
  return {
    factor:
      row.factor_secret_id === null || row.factor_secret_id === undefined
        ? null
        : {
            secretId: String(row.factor_secret_id),
            sealedSecret: String(row.factor_sealed_secret),
            lastStep: nullableNumber(row.factor_last_step),
            enabledAt: Number(row.factor_enabled_at),
          },
    pending:
      row.pending_secret_id === null || row.pending_secret_id === undefined
        ? null
        : {
            secretId: String(row.pending_secret_id),
            sealedSecret: String(row.pending_sealed_secret),
            lastStep: nullableNumber(row.pending_last_step),
            createdAt: Number(row.pending_created_at),
            expiresAt: Number(row.pending_expires_at),
            // SQLite has no boolean: 1 or 0 (a bigint 1n with safe integers).
            confirmed: Number(row.pending_confirmed) === 1,
          },
    recoveryCodes: Number(row.recovery_codes),
  };
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
