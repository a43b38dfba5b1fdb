import type { AttemptWindow, MfaStoredState } from '../../totp/store.js';

/** One result row, as pg returns it: `bigint` and `count(*)` arrive as strings, `integer` as numbers. */
export type PostgresRow = Record<string, unknown>;

// Every stored number is an epoch millisecond or a TOTP step, far below 2^53, so Number() is exact.
const nullableNumber = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);

/**
 * Maps the state columns of `load` (or the same keys in a function's `state` object) to the records of the store
 * contract.
 */
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
