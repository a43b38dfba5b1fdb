import type { PostgresTables } from './schema.js';

/**
 * One SQL statement per store operation; every value is a bind parameter, only the validated names are text. The
 * deciding operations are calls of the functions in functions.ts and device-functions.ts (functions.ts says why);
 * the rest are plain statements, each atomic on its own: `load` and `listDevices` read one snapshot, `savePending`
 * is one upsert of one row, and `clearAttempts` and `deleteExpired` are deletes that a concurrent count can only
 * follow, never undo.
 */
export interface PostgresStatements {
  load: string;
  savePending: string;
  clearAttempts: string;
  deleteExpired: string;
  attemptAndClaim: string;
  useRecoveryCode: string;
  activatePending: string;
  replaceCodes: string;
  deleteFactor: string;
  trustDevice: string;
  useDevice: string;
  listDevices: string;
  revokeDevice: string;
  revokeDevices: string;
}

export function postgresStatements(t: PostgresTables): PostgresStatements {
  const state = `
  f.secret_id AS factor_secret_id, f.sealed_secret AS factor_sealed_secret, f.last_step AS factor_last_step,
  f.enabled_at AS factor_enabled_at,
  p.secret_id AS pending_secret_id, p.sealed_secret AS pending_sealed_secret, p.last_step AS pending_last_step,
  p.confirmed AS pending_confirmed, p.created_at AS pending_created_at, p.expires_at AS pending_expires_at,
  (SELECT count(*) FROM ${t.recoveryCodes} r WHERE r.user_id = $1) AS recovery_codes`;
  const joins = `LEFT JOIN ${t.factors} f ON f.user_id = $1 LEFT JOIN ${t.pending} p ON p.user_id = $1`;

  return {
    load: `SELECT ${state} FROM (SELECT 1) AS one ${joins}`,

    savePending: `
INSERT INTO ${t.pending} (user_id, secret_id, sealed_secret, last_step, confirmed, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (user_id) DO UPDATE SET secret_id = EXCLUDED.secret_id, sealed_secret = EXCLUDED.sealed_secret,
  last_step = EXCLUDED.last_step, confirmed = EXCLUDED.confirmed, created_at = EXCLUDED.created_at,
  expires_at = EXCLUDED.expires_at`,

    clearAttempts: `DELETE FROM ${t.attempts} WHERE user_id = $1`,

    // Rows that can no longer matter. A window that restarts meanwhile has a later reset_at: the re-check after the
    // row lock keeps it.
    deleteExpired: `
WITH ended AS (
  DELETE FROM ${t.attempts} WHERE reset_at <= $1::bigint RETURNING 1
), stale AS (
  DELETE FROM ${t.pending} WHERE expires_at + $2::bigint <= $1::bigint RETURNING 1
), expired AS (
  DELETE FROM ${t.trustedDevices} WHERE expires_at <= $1::bigint RETURNING 1
)
SELECT (SELECT count(*) FROM ended)::int AS attempts, (SELECT count(*) FROM stale)::int AS pending_setups,
  (SELECT count(*) FROM expired)::int AS trusted_devices`,

    attemptAndClaim: `SELECT ${t.attemptAndClaim}($1, $2, $3, $4::bigint, $5, $6::bigint, $7::bigint, $8::text[], $9::integer[]) AS answer`,
    useRecoveryCode: `SELECT ${t.useRecoveryCode}($1, $2::text[], $3::bigint, $4::bigint, $5::text[], $6::integer[]) AS answer`,
    activatePending: `SELECT ${t.activatePending}($1, $2, $3::text[], $4::bigint) AS done`,
    replaceCodes: `SELECT ${t.replaceCodes}($1, $2::text[], $3) AS done`,
    deleteFactor: `SELECT ${t.deleteFactor}($1, $2) AS done`,

    trustDevice: `SELECT ${t.trustDevice}($1, $2, $3, $4, $5, $6::bigint, $7::bigint, $8::bigint, $9::integer, $10::bigint) AS answer`,
    useDevice: `SELECT ${t.useDevice}($1, $2::text[], $3::bigint) AS answer`,
    revokeDevice: `SELECT ${t.revokeDevice}($1, $2) AS answer`,
    revokeDevices: `SELECT ${t.revokeDevices}($1, $2::bigint) AS answer`,
    // A plain read: one statement sees one snapshot of the factor and the devices.
    listDevices: `
SELECT d.device_id AS id, d.label, d.secret_id AS "secretId", d.created_at AS "createdAt",
  d.last_used_at AS "lastUsedAt", d.expires_at AS "expiresAt"
FROM ${t.trustedDevices} d JOIN ${t.factors} f ON f.user_id = d.user_id AND f.secret_id = d.secret_id
WHERE d.user_id = $1 AND d.expires_at > $2::bigint
ORDER BY d.created_at, d.device_id COLLATE "C"`,
  };
}
