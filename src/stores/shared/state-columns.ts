import type { MfaStoredState } from '../../totp/store.js';

/** A result row by column name, as the SQL drivers return it. */
export type ColumnRow = Record<string, unknown>;

// Every stored number is an epoch millisecond, a TOTP step or a count, far below 2^53: Number() is exact, and it
// also reads what a driver hands over as a string (pg's bigint, count(*)) or a bigint (SQLite with safe integers).
/** A nullable stored number (`lastStep`, a window's end) as a number or null. */
export const nullableNumber = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);

/**
 * The state columns the SQL stores share (`factor_*`, `pending_*`, `recovery_codes`: PostgreSQL and SQLite name them
 * alike) as the records of the store contract. `confirmed` is given by the caller: each database writes a boolean
 * its own way.
 */
export function stateFromColumns(row: ColumnRow, confirmed: (value: unknown) => boolean): MfaStoredState {
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
            confirmed: confirmed(row.pending_confirmed),
          },
    recoveryCodes: Number(row.recovery_codes),
  };
}
