import { userLockOf } from './functions.js';
import type { PostgresTables } from './schema.js';

/**
 * The trusted-device operations as PL/pgSQL functions, for the reasons functions.ts gives: each is one statement
 * from the store (one round trip) and one transaction that first takes the user's lock, the same lock
 * `delete_factor` and `activate_pending` take before they remove the user's devices. So a use, a trust, a revoke and
 * a disable of one user run one after the other, each reads the factor and the devices as committed, and every
 * writer locks the user's rows in one order (no deadlock between a revoke of all and a trust that drops the oldest).
 *
 * A device counts while `p_now < expires_at` and its `secret_id` is the enabled factor's. Oldest first means
 * `created_at`, then `device_id` in byte order (COLLATE "C"), the order of the memory store (JavaScript's `<` on
 * ids, which are UUIDs). The token hash is never answered.
 */
export function postgresDeviceFunctions(t: PostgresTables): string {
  const userLock = userLockOf(t);
  const record = (d: string) => `jsonb_build_object('id', ${d}.device_id, 'label', ${d}.label,
      'secretId', ${d}.secret_id, 'createdAt', ${d}.created_at, 'lastUsedAt', ${d}.last_used_at,
      'expiresAt', ${d}.expires_at)`;
  const oldestFirst = (d: string) => `${d}.created_at, ${d}.device_id COLLATE "C"`;
  const list = (d: string) => `coalesce(jsonb_agg(${record(d)} ORDER BY ${oldestFirst(d)}), '[]'::jsonb)`;

  return `CREATE OR REPLACE FUNCTION ${t.trustDevice}(p_user text, p_device text, p_token_hash text, p_secret text,
  p_label text, p_created bigint, p_last_used bigint, p_expires bigint, p_max integer, p_now bigint) RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE v_count integer; v_dropped jsonb;
BEGIN
  ${userLock}
  IF NOT EXISTS (SELECT 1 FROM ${t.factors} WHERE user_id = p_user AND secret_id = p_secret) THEN
    RETURN jsonb_build_object('outcome', 'stale');
  END IF;
  -- A repeated device id replaces the row (as the memory store does); a repeated token hash is a unique violation,
  -- an error rather than a device stored under a token that is not the one answered.
  INSERT INTO ${t.trustedDevices} AS d (user_id, device_id, token_hash, secret_id, label, created_at, last_used_at,
    expires_at)
  VALUES (p_user, p_device, p_token_hash, p_secret, p_label, p_created, p_last_used, p_expires)
  ON CONFLICT (user_id, device_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, secret_id = EXCLUDED.secret_id,
    label = EXCLUDED.label, created_at = EXCLUDED.created_at, last_used_at = EXCLUDED.last_used_at,
    expires_at = EXCLUDED.expires_at;
  -- The expired go first and silently; then the oldest others, as many as the user is over the limit.
  DELETE FROM ${t.trustedDevices} WHERE user_id = p_user AND expires_at <= p_now;
  SELECT count(*) INTO v_count FROM ${t.trustedDevices} WHERE user_id = p_user;
  WITH gone AS (
    DELETE FROM ${t.trustedDevices} WHERE user_id = p_user AND device_id IN (
      SELECT o.device_id FROM ${t.trustedDevices} o WHERE o.user_id = p_user AND o.device_id <> p_device
      ORDER BY ${oldestFirst('o')} LIMIT greatest(v_count - p_max, 0))
    RETURNING *)
  SELECT ${list('gone')} INTO v_dropped FROM gone;
  RETURN jsonb_build_object('outcome', 'trusted', 'dropped', v_dropped);
END $fn$;

CREATE OR REPLACE FUNCTION ${t.useDevice}(p_user text, p_hashes text[], p_now bigint) RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE v_factor text; v_device text; v_answer jsonb;
BEGIN
  ${userLock}
  SELECT secret_id INTO v_factor FROM ${t.factors} WHERE user_id = p_user;
  SELECT d.device_id INTO v_device FROM ${t.trustedDevices} d
  WHERE d.user_id = p_user AND d.token_hash = ANY(p_hashes) AND d.secret_id = v_factor AND d.expires_at > p_now
  LIMIT 1;
  IF v_device IS NULL THEN
    RETURN jsonb_build_object('outcome', 'untrusted', 'factorEnabled', v_factor IS NOT NULL);
  END IF;
  -- (A data-modifying WITH must be a statement of its own, never a subquery: hence INTO, then RETURN.)
  WITH used AS (
    UPDATE ${t.trustedDevices} d SET last_used_at = p_now WHERE d.user_id = p_user AND d.device_id = v_device
    RETURNING *)
  SELECT jsonb_build_object('outcome', 'trusted', 'device', ${record('used')}) INTO v_answer FROM used;
  RETURN v_answer;
END $fn$;

CREATE OR REPLACE FUNCTION ${t.revokeDevice}(p_user text, p_device text) RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE v_answer jsonb;
BEGIN
  ${userLock}
  WITH gone AS (DELETE FROM ${t.trustedDevices} d WHERE d.user_id = p_user AND d.device_id = p_device RETURNING *)
  SELECT ${record('gone')} INTO v_answer FROM gone;
  RETURN v_answer;
END $fn$;

-- Removes every device (expired ones too) and answers those that counted.
CREATE OR REPLACE FUNCTION ${t.revokeDevices}(p_user text, p_now bigint) RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE v_answer jsonb;
BEGIN
  ${userLock}
  WITH gone AS (DELETE FROM ${t.trustedDevices} d WHERE d.user_id = p_user RETURNING *)
  SELECT ${list('gone')} INTO v_answer FROM gone
  JOIN ${t.factors} f ON f.user_id = p_user AND f.secret_id = gone.secret_id
  WHERE gone.expires_at > p_now;
  RETURN v_answer;
END $fn$;
`;
}
