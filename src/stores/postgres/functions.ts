import type { PostgresTables } from './schema.js';

/**
 * The user's lock: a transaction-scoped advisory lock keyed by (prefix, user id), taken first by every function
 * that writes the user's rows (functions.ts and device-functions.ts alike).
 */
export function userLockOf(t: PostgresTables): string {
  return `PERFORM pg_advisory_xact_lock(hashtext('${t.prefix}'), hashtext(p_user));`;
}

/**
 * The deciding operations as PL/pgSQL functions: the store calls each in one statement (one round trip, no pool
 * client held, no transaction left open), and each runs as one transaction.
 *
 * Why functions and not one plain statement, as in schema v1: a decision now reads several bucket rows (a client's
 * bucket and the user's ceiling) and must see their latest committed counts. Under READ COMMITTED a statement reads
 * the snapshot taken when it started; waiting for a lock re-reads only the rows it locks, never rows a concurrent
 * writer inserted meanwhile (a user's first failure in a bucket), so twenty concurrent wrong codes on a budget of
 * five could all read "4". A VOLATILE function takes a fresh snapshot for each statement it runs, so it can first
 * take the user's lock and then read everything as committed. The lock is a transaction-scoped advisory lock keyed
 * by (prefix, user id), taken first by every writer of the user's factor, codes, buckets and devices, so these functions run
 * one at a time per user (other users, even on a hash collision, only wait) and lock rows in one order: no deadlock.
 *
 * Every value is a parameter; only the validated names of schema.ts are text. Functions that read a table never
 * write to another user's rows.
 */
export function postgresFunctions(t: PostgresTables): string {
  const userLock = userLockOf(t);
  // One window per limit, in the limits' order; an ended or absent window reads as count 0, resetAt 0.
  const windows = `(SELECT coalesce(jsonb_agg(jsonb_build_object(
      'bucket', l.bucket,
      'count', CASE WHEN a.reset_at > p_now THEN a.count ELSE 0 END,
      'resetAt', CASE WHEN a.reset_at > p_now THEN a.reset_at ELSE 0 END) ORDER BY l.ord), '[]'::jsonb)
    FROM unnest(p_buckets) WITH ORDINALITY AS l(bucket, ord)
    LEFT JOIN ${t.attempts} a ON a.user_id = p_user AND a.bucket = l.bucket)`;
  const locked = `EXISTS (SELECT 1 FROM unnest(p_buckets, p_maxes) AS l(bucket, max)
    JOIN ${t.attempts} a ON a.user_id = p_user AND a.bucket = l.bucket
    WHERE a.reset_at > p_now AND a.count >= l.max)`;
  // A fixed window: counting in an ended (or absent) window starts a new one; otherwise resetAt stays.
  const countFailure = `INSERT INTO ${t.attempts} AS a (user_id, bucket, count, reset_at)
    SELECT DISTINCT p_user, b, 1, p_now + p_window FROM unnest(p_buckets) AS b
    ON CONFLICT (user_id, bucket) DO UPDATE SET
      count = CASE WHEN a.reset_at <= p_now THEN 1 ELSE a.count + 1 END,
      reset_at = CASE WHEN a.reset_at <= p_now THEN EXCLUDED.reset_at ELSE a.reset_at END;`;
  // Clearing the listed buckets also prunes the user's ended windows, so the table does not grow with old buckets.
  const clearBuckets = `DELETE FROM ${t.attempts} WHERE user_id = p_user AND (bucket = ANY(p_buckets) OR reset_at <= p_now);`;
  const state = `(SELECT jsonb_build_object(
      'factor_secret_id', f.secret_id, 'factor_sealed_secret', f.sealed_secret, 'factor_last_step', f.last_step,
      'factor_enabled_at', f.enabled_at,
      'pending_secret_id', p.secret_id, 'pending_sealed_secret', p.sealed_secret, 'pending_last_step', p.last_step,
      'pending_confirmed', p.confirmed, 'pending_created_at', p.created_at, 'pending_expires_at', p.expires_at,
      'recovery_codes', (SELECT count(*) FROM ${t.recoveryCodes} r WHERE r.user_id = p_user))
    FROM (SELECT 1) AS one LEFT JOIN ${t.factors} f ON f.user_id = p_user LEFT JOIN ${t.pending} p ON p.user_id = p_user)`;
  const rewriteCodes = `DELETE FROM ${t.recoveryCodes} WHERE user_id = p_user;
  INSERT INTO ${t.recoveryCodes} (user_id, code_hash) SELECT DISTINCT p_user, h FROM unnest(p_hashes) AS h;`;

  return `CREATE OR REPLACE FUNCTION ${t.attemptAndClaim}(p_user text, p_target text, p_secret text, p_step bigint,
  p_resealed text, p_now bigint, p_window bigint, p_buckets text[], p_maxes integer[]) RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE v_secret text; v_last bigint;
BEGIN
  ${userLock}
  IF ${locked} THEN
    RETURN jsonb_build_object('outcome', 'locked', 'attempts', ${windows});
  END IF;
  IF p_target = 'factor' THEN
    SELECT secret_id, last_step INTO v_secret, v_last FROM ${t.factors} WHERE user_id = p_user FOR UPDATE;
  ELSE
    SELECT secret_id, last_step INTO v_secret, v_last FROM ${t.pending} WHERE user_id = p_user FOR UPDATE;
  END IF;
  IF v_secret IS DISTINCT FROM p_secret THEN
    RETURN jsonb_build_object('outcome', 'stale', 'attempts', ${windows}, 'state', ${state});
  END IF;
  IF p_step IS NULL THEN
    ${countFailure}
    RETURN jsonb_build_object('outcome', 'mismatch', 'attempts', ${windows});
  END IF;
  IF v_last IS NOT NULL AND v_last >= p_step THEN
    RETURN jsonb_build_object('outcome', 'replayed', 'attempts', ${windows});
  END IF;
  IF p_target = 'factor' THEN
    UPDATE ${t.factors} SET last_step = p_step, sealed_secret = coalesce(p_resealed, sealed_secret)
    WHERE user_id = p_user;
  ELSE
    UPDATE ${t.pending} SET last_step = p_step, sealed_secret = coalesce(p_resealed, sealed_secret), confirmed = true
    WHERE user_id = p_user;
  END IF;
  ${clearBuckets}
  RETURN jsonb_build_object('outcome', 'claimed');
END $fn$;

CREATE OR REPLACE FUNCTION ${t.useRecoveryCode}(p_user text, p_hashes text[], p_now bigint, p_window bigint,
  p_buckets text[], p_maxes integer[]) RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE v_hash text; v_secret text;
BEGIN
  ${userLock}
  IF ${locked} THEN
    RETURN jsonb_build_object('outcome', 'locked', 'attempts', ${windows});
  END IF;
  SELECT secret_id INTO v_secret FROM ${t.factors} WHERE user_id = p_user;
  IF v_secret IS NULL THEN
    RETURN jsonb_build_object('outcome', 'no_factor');
  END IF;
  SELECT c.code_hash INTO v_hash FROM ${t.recoveryCodes} c WHERE c.user_id = p_user AND c.code_hash = ANY(p_hashes)
  ORDER BY array_position(p_hashes, c.code_hash) LIMIT 1;
  IF v_hash IS NULL THEN
    ${countFailure}
    RETURN jsonb_build_object('outcome', 'mismatch', 'attempts', ${windows});
  END IF;
  DELETE FROM ${t.recoveryCodes} WHERE user_id = p_user AND code_hash = v_hash;
  ${clearBuckets}
  RETURN jsonb_build_object('outcome', 'used', 'secretId', v_secret,
    'remaining', (SELECT count(*) FROM ${t.recoveryCodes} WHERE user_id = p_user));
END $fn$;

CREATE OR REPLACE FUNCTION ${t.activatePending}(p_user text, p_secret text, p_hashes text[], p_now bigint)
  RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE v_setup record;
BEGIN
  ${userLock}
  SELECT secret_id, sealed_secret, last_step INTO v_setup FROM ${t.pending}
  WHERE user_id = p_user AND secret_id = p_secret AND confirmed AND expires_at > p_now FOR UPDATE;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  INSERT INTO ${t.factors} AS f (user_id, secret_id, sealed_secret, last_step, enabled_at)
  VALUES (p_user, v_setup.secret_id, v_setup.sealed_secret, v_setup.last_step, p_now)
  ON CONFLICT (user_id) DO UPDATE SET secret_id = EXCLUDED.secret_id, sealed_secret = EXCLUDED.sealed_secret,
    last_step = EXCLUDED.last_step, enabled_at = EXCLUDED.enabled_at;
  DELETE FROM ${t.pending} WHERE user_id = p_user;
  ${rewriteCodes}
  DELETE FROM ${t.attempts} WHERE user_id = p_user;
  DELETE FROM ${t.trustedDevices} WHERE user_id = p_user;
  RETURN true;
END $fn$;

CREATE OR REPLACE FUNCTION ${t.replaceCodes}(p_user text, p_hashes text[], p_secret text) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $fn$
BEGIN
  ${userLock}
  IF NOT EXISTS (SELECT 1 FROM ${t.factors} WHERE user_id = p_user AND (p_secret IS NULL OR secret_id = p_secret)) THEN
    RETURN false;
  END IF;
  ${rewriteCodes}
  RETURN true;
END $fn$;

CREATE OR REPLACE FUNCTION ${t.deleteFactor}(p_user text, p_secret text) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE v_removed integer;
BEGIN
  ${userLock}
  IF p_secret IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${t.factors} WHERE user_id = p_user AND secret_id = p_secret) THEN
    RETURN false;
  END IF;
  DELETE FROM ${t.factors} WHERE user_id = p_user;
  GET DIAGNOSTICS v_removed = ROW_COUNT;
  DELETE FROM ${t.pending} WHERE user_id = p_user;
  DELETE FROM ${t.recoveryCodes} WHERE user_id = p_user;
  DELETE FROM ${t.trustedDevices} WHERE user_id = p_user;
  RETURN v_removed > 0;
END $fn$;
`;
}
