import type { PostgresTables } from './schema.js';

/**
 * The statements that rewrite a user's set of recovery codes: activatePending, replaceRecoveryCodes, deleteFactor.
 *
 * A row lock is not enough for them. Under READ COMMITTED a statement reads with the snapshot taken when it started;
 * waiting for a lock re-reads the locked row, but not the code rows a concurrent writer committed meanwhile, so the
 * DELETE of the "old" codes would miss them (two concurrent replaces kept both new sets in 85% of measured races).
 *
 * So every writer of codes also writes the factor row (new row version, new `xmin`), and each of these statements
 * compares the factor's `xmin` in its snapshot (`seen`) with the version it locks. A mismatch means another writer
 * committed after the snapshot: the statement changes nothing that matters and answers `conflict`, and the store runs
 * it again with a fresh snapshot. When the versions match, the snapshot holds every committed code row of the user,
 * and the lock keeps it so until commit. Uncontended, each method stays one statement.
 *
 * Lock order, as everywhere: pending → factor → recovery codes (see statements.ts).
 */
export interface FactorStatements {
  activatePending: string;
  replaceRecoveryCodes: string;
  deleteFactor: string;
}

export function factorStatements(t: PostgresTables): FactorStatements {
  const seen = `seen AS (SELECT f.xmin AS version FROM ${t.factors} f WHERE f.user_id = $1)`;
  // Keeping the codes that are in the new set (instead of deleting all, then inserting) means no row is both deleted
  // and inserted by one statement, whose CTEs would otherwise race on the same key.
  const rewriteCodes = (owner: string, hashes: string) => `dropped AS (
  DELETE FROM ${t.recoveryCodes} WHERE user_id = $1 AND code_hash <> ALL(${hashes}::text[])
    AND EXISTS (SELECT 1 FROM ${owner})
  RETURNING 1
), added AS (
  INSERT INTO ${t.recoveryCodes} (user_id, code_hash)
  SELECT ${owner}.user_id, new_codes.code_hash FROM ${owner}, unnest(${hashes}::text[]) AS new_codes(code_hash)
  ON CONFLICT DO NOTHING
  RETURNING 1
)`;

  return {
    // The setup is locked first and deleted only once the factor is written, so a conflict leaves it in place.
    activatePending: `
WITH ${seen}, promoted AS MATERIALIZED (
  SELECT p.user_id, p.secret_id, p.sealed_secret, p.last_step FROM ${t.pending} p
  WHERE p.user_id = $1 AND p.secret_id = $2 AND p.confirmed AND p.expires_at > $4::bigint
  FOR UPDATE
), enabled AS (
  INSERT INTO ${t.factors} AS f (user_id, secret_id, sealed_secret, last_step, enabled_at)
  SELECT user_id, secret_id, sealed_secret, last_step, $4::bigint FROM promoted
  ON CONFLICT (user_id) DO UPDATE SET secret_id = EXCLUDED.secret_id, sealed_secret = EXCLUDED.sealed_secret,
    last_step = EXCLUDED.last_step, enabled_at = EXCLUDED.enabled_at
  WHERE f.xmin = (SELECT version FROM seen)
  RETURNING f.user_id
), removed AS (
  DELETE FROM ${t.pending} WHERE user_id = $1 AND secret_id = $2 AND EXISTS (SELECT 1 FROM enabled)
), ${rewriteCodes('enabled', '$3')}, cleared AS (
  -- Reads the code CTEs (an always-true count) so the attempts row is locked after the code rows, as everywhere:
  -- unreferenced CTEs would run last-listed first and lock attempts before codes (measured: deadlocks against
  -- consumeRecoveryCode).
  DELETE FROM ${t.attempts} WHERE user_id = $1 AND EXISTS (SELECT 1 FROM enabled)
    AND (SELECT count(*) FROM dropped) + (SELECT count(*) FROM added) >= 0
)
SELECT (SELECT count(*) FROM enabled)::int AS done,
  (SELECT count(*) FROM promoted) > (SELECT count(*) FROM enabled) AS conflict`,

    // The no-op update is the new factor version that tells concurrent writers of codes to start again.
    replaceRecoveryCodes: `
WITH ${seen}, owner AS (
  UPDATE ${t.factors} f SET enabled_at = f.enabled_at
  WHERE f.user_id = $1 AND f.xmin = (SELECT version FROM seen)
  RETURNING f.user_id
), ${rewriteCodes('owner', '$2')}
SELECT (SELECT count(*) FROM owner)::int AS done, (SELECT count(*) FROM seen) > (SELECT count(*) FROM owner) AS conflict`,

    // A pending setup seen but gone meanwhile was promoted by a concurrent activation: start again to remove that
    // factor too. `(SELECT count(*) FROM pending_gone) >= 0` is always true; it only runs that CTE first.
    deleteFactor: `
WITH ${seen}, seen_pending AS (
  SELECT 1 FROM ${t.pending} p WHERE p.user_id = $1
), pending_gone AS (
  DELETE FROM ${t.pending} WHERE user_id = $1 RETURNING 1
), factor_gone AS (
  DELETE FROM ${t.factors} f
  WHERE f.user_id = $1 AND f.xmin = (SELECT version FROM seen) AND (SELECT count(*) FROM pending_gone) >= 0
  RETURNING 1
), settled AS (
  SELECT (SELECT count(*) FROM factor_gone) = (SELECT count(*) FROM seen)
    AND (SELECT count(*) FROM pending_gone) >= (SELECT count(*) FROM seen_pending) AS ok
), codes_gone AS (
  DELETE FROM ${t.recoveryCodes} WHERE user_id = $1 AND (SELECT ok FROM settled)
)
SELECT (SELECT count(*) FROM factor_gone)::int AS done, NOT (SELECT ok FROM settled) AS conflict`,
  };
}
