import type { PostgresTables } from './schema.js';

/**
 * One SQL statement per store operation; every value is a bind parameter, only the validated table names are text.
 * The three that rewrite the set of recovery codes are in factor-statements.ts.
 *
 * Why one statement is atomic under READ COMMITTED: an UPDATE or DELETE that meets a row locked by a concurrent
 * writer waits, then re-checks its WHERE against the committed version (and skips the row if it no longer matches);
 * INSERT ... ON CONFLICT DO UPDATE always updates the latest version. Everything else in the statement reads the
 * snapshot taken when it started.
 *
 * Every statement locks rows in the order pending → factor → recovery codes → attempts, so no two statements can
 * wait on each other in a cycle (a deadlock, which PostgreSQL resolves by failing one of them). Data-modifying CTEs
 * run in an unspecified order unless one reads another's output, so a CTE that must come later reads the earlier one.
 */
export interface PostgresStatements {
  load: string;
  beginAttempt: string;
  savePending: string;
  deleteExpired: string;
  claimFactor: string;
  claimPending: string;
  attemptAndClaim: string;
  consumeRecoveryCode: string;
}

export function postgresStatements(t: PostgresTables): PostgresStatements {
  const state = `
  f.secret_id AS factor_secret_id, f.sealed_secret AS factor_sealed_secret, f.last_step AS factor_last_step,
  f.enabled_at AS factor_enabled_at,
  p.secret_id AS pending_secret_id, p.sealed_secret AS pending_sealed_secret, p.last_step AS pending_last_step,
  p.confirmed AS pending_confirmed, p.created_at AS pending_created_at, p.expires_at AS pending_expires_at,
  (SELECT count(*) FROM ${t.recoveryCodes} r WHERE r.user_id = $1) AS recovery_codes`;
  const joins = `LEFT JOIN ${t.factors} f ON f.user_id = $1 LEFT JOIN ${t.pending} p ON p.user_id = $1`;

  // Only a factor claim clears the attempts: a setup's creator knows its secret and must not be able to reset the
  // count that protects the factor.
  const claim = (table: string, confirm: string, clearAttempts: boolean) => `
WITH claimed AS (
  UPDATE ${table} SET last_step = $3::bigint, sealed_secret = COALESCE($4::text, sealed_secret)${confirm}
  WHERE user_id = $1 AND secret_id = $2 AND (last_step IS NULL OR last_step < $3::bigint)
  RETURNING 1
)${
    clearAttempts
      ? `, cleared AS (
  DELETE FROM ${t.attempts} WHERE user_id = $1 AND EXISTS (SELECT 1 FROM claimed)
)`
      : ''
  }
SELECT count(*)::int AS claimed FROM claimed`;

  return {
    load: `SELECT ${state} FROM (SELECT 1) AS one ${joins}`,

    beginAttempt: `
WITH counted AS (
  INSERT INTO ${t.attempts} AS a (user_id, count, reset_at) VALUES ($1, 1, $2::bigint + $3::bigint)
  ON CONFLICT (user_id) DO UPDATE SET
    count = CASE WHEN a.reset_at <= $2::bigint THEN 1 ELSE a.count + 1 END,
    reset_at = CASE WHEN a.reset_at <= $2::bigint THEN EXCLUDED.reset_at ELSE a.reset_at END
  RETURNING a.count, a.reset_at
)
SELECT counted.count AS attempt_count, counted.reset_at AS attempt_reset_at, ${state} FROM counted ${joins}`,

    savePending: `
INSERT INTO ${t.pending} (user_id, secret_id, sealed_secret, last_step, confirmed, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (user_id) DO UPDATE SET secret_id = EXCLUDED.secret_id, sealed_secret = EXCLUDED.sealed_secret,
  last_step = EXCLUDED.last_step, confirmed = EXCLUDED.confirmed, created_at = EXCLUDED.created_at,
  expires_at = EXCLUDED.expires_at`,

    // Rows that can no longer matter. A window that restarts meanwhile has a later reset_at: the re-check after the
    // row lock keeps it.
    deleteExpired: `
WITH ended AS (
  DELETE FROM ${t.attempts} WHERE reset_at <= $1::bigint RETURNING 1
), stale AS (
  DELETE FROM ${t.pending} WHERE expires_at + $2::bigint <= $1::bigint RETURNING 1
)
SELECT (SELECT count(*) FROM ended)::int AS attempts, (SELECT count(*) FROM stale)::int AS pending_setups`,

    claimFactor: claim(t.factors, '', true),
    claimPending: claim(t.pending, ', confirmed = true', false),

    // $1 user, $2 secretId, $3 step or null (count only), $4 resealed secret or null, $5 now, $6 windowMs, $7 maxAttempts.
    // beginAttempt and a factor claim in one statement. The factor row is locked first (lock order: factor before
    // attempts), so `held` is its latest committed version and stays so: whether the step can be claimed is known
    // before the attempt is counted. One upsert then counts the attempt (exact under concurrency, as in beginAttempt)
    // and, if the count is within the limit and the step claimable, clears it in the same write: count 0 in a window
    // that ended at 0, so the next attempt, whatever its clock, starts a full window from 1, as after a delete (a
    // window ending at this caller's `now` would let a server whose clock is behind count into a window that ends at
    // once). (A sibling CTE cannot delete a row another CTE of the same statement writes.) The claim itself runs only
    // on that cleared count. `current` tells a stale factor apart; the state columns are the snapshot's, as in
    // beginAttempt.
    attemptAndClaim: `
WITH held AS MATERIALIZED (
  SELECT h.secret_id = $2 AS current, h.last_step FROM ${t.factors} h WHERE h.user_id = $1 FOR UPDATE
), claimable AS (
  -- An aggregate over held, not EXISTS: with a null step the planner folds the condition to false and would drop an
  -- EXISTS, and held (the factor lock) would then run after the attempts upsert, against the lock order (measured:
  -- deadlocks between concurrent calls). An aggregate always reads every row of held first.
  SELECT count(*) FILTER (WHERE current AND $3::bigint IS NOT NULL AND (last_step IS NULL OR last_step < $3::bigint)) > 0 AS ok
  FROM held
), counted AS (
  INSERT INTO ${t.attempts} AS a (user_id, count, reset_at)
  SELECT $1, CASE WHEN ok AND 1 <= $7::int THEN 0 ELSE 1 END,
    CASE WHEN ok AND 1 <= $7::int THEN 0 ELSE $5::bigint + $6::bigint END FROM claimable
  ON CONFLICT (user_id) DO UPDATE SET
    count = CASE
      WHEN EXCLUDED.count = 0 AND (CASE WHEN a.reset_at <= $5::bigint THEN 1 ELSE a.count + 1 END) <= $7::int THEN 0
      WHEN a.reset_at <= $5::bigint THEN 1 ELSE a.count + 1 END,
    reset_at = CASE
      WHEN EXCLUDED.count = 0 AND (CASE WHEN a.reset_at <= $5::bigint THEN 1 ELSE a.count + 1 END) <= $7::int THEN 0
      WHEN a.reset_at <= $5::bigint THEN $5::bigint + $6::bigint ELSE a.reset_at END
  RETURNING a.count, a.reset_at
), claimed AS (
  UPDATE ${t.factors} SET last_step = $3::bigint, sealed_secret = COALESCE($4::text, sealed_secret)
  WHERE user_id = $1 AND secret_id = $2 AND $3::bigint IS NOT NULL AND (last_step IS NULL OR last_step < $3::bigint)
    AND (SELECT count FROM counted) = 0
  RETURNING 1
)
SELECT counted.count AS attempt_count, counted.reset_at AS attempt_reset_at,
  (SELECT count(*) FROM claimed)::int AS claimed, (SELECT count(*) FROM held WHERE current)::int AS current,
  ${state} FROM counted ${joins}`,

    // The first candidate found is picked from the snapshot, then deleted by key: a concurrent consumer of the same
    // code waits on the row lock, finds it gone and deletes nothing. `remaining` is counted in the same snapshot, so
    // it can be one too high if another code of the same user is consumed at the very same moment.
    consumeRecoveryCode: `
WITH gone AS (
  DELETE FROM ${t.recoveryCodes} WHERE user_id = $1 AND code_hash = (
    SELECT c.code_hash FROM ${t.recoveryCodes} c
    WHERE c.user_id = $1 AND c.code_hash = ANY($2::text[])
    ORDER BY array_position($2::text[], c.code_hash) LIMIT 1)
  RETURNING 1
), cleared AS (
  DELETE FROM ${t.attempts} WHERE user_id = $1 AND EXISTS (SELECT 1 FROM gone)
)
SELECT (SELECT count(*) FROM gone)::int AS consumed,
  (SELECT count(*) FROM ${t.recoveryCodes} r WHERE r.user_id = $1)::int - (SELECT count(*) FROM gone)::int AS remaining`,
  };
}
