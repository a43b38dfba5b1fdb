import type { AttemptWindow, MfaStoredState } from '../../totp/store.js';

/** One result row, as pg returns it: `bigint` and `count(*)` arrive as strings, `integer` as numbers. */
export type PostgresRow = Record<string, unknown>;

// Every stored number is an epoch millisecond or a TOTP step, far below 2^53, so Number() is exact.
const nullableNumber = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);

/** Maps the state columns shared by `load` and `beginAttempt` to the records of the store contract. */
export function stateFromRow(row: PostgresRow): MfaStoredState {
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
            confirmed: row.pending_confirmed === true,
          },
    recoveryCodes: Number(row.recovery_codes),
  };
}

export function attemptsFromRow(row: PostgresRow): AttemptWindow {
  return { count: Number(row.attempt_count), resetAt: Number(row.attempt_reset_at) };
}
