import { MfaConfigurationError } from '../../errors.js';
import { postgresDeviceFunctions } from './device-functions.js';
import { postgresFunctions } from './functions.js';

/** Options of `postgresMfaSchema`; pass the same `tablePrefix` as to the store. */
export interface PostgresMfaSchemaOptions {
  /** Prepended to every table and function name. Default `saasus_mfa_`. */
  tablePrefix?: string;
}

export const DEFAULT_TABLE_PREFIX = 'saasus_mfa_';

/**
 * Lowercase so the double-quoted names equal the unquoted ones an app would type in psql; at most 41 characters so
 * the longest derived name (`<prefix>trusted_devices_pkey`, `<prefix>recovery_codes_pkey`) stays within PostgreSQL's
 * 63-byte identifier limit.
 */
const TABLE_PREFIX = /^[a-z_][a-z0-9_]{0,40}$/;

/** The table and function names, already double-quoted, ready to be placed in SQL text. */
export interface PostgresTables {
  /** The validated prefix itself (no quotes); only ever placed in SQL as a string literal or inside a name. */
  prefix: string;
  factors: string;
  pending: string;
  recoveryCodes: string;
  attempts: string;
  /** Trusted devices ("don't ask again on this browser"): token hashes only. */
  trustedDevices: string;
  /** The PL/pgSQL functions of functions.ts and device-functions.ts, one per deciding operation. */
  attemptAndClaim: string;
  useRecoveryCode: string;
  activatePending: string;
  replaceCodes: string;
  deleteFactor: string;
  trustDevice: string;
  useDevice: string;
  revokeDevice: string;
  revokeDevices: string;
}

/**
 * The only place a table or function name is made. Identifiers cannot be bind parameters, so the prefix is
 * validated against a strict pattern (no quote, no dot, no space can get through) and the result is quoted as well.
 */
export function postgresTables(tablePrefix: unknown = DEFAULT_TABLE_PREFIX): PostgresTables {
  if (typeof tablePrefix !== 'string' || !TABLE_PREFIX.test(tablePrefix)) {
    throw new MfaConfigurationError('PostgresMfaStore: tablePrefix must match /^[a-z_][a-z0-9_]{0,40}$/');
  }
  const name = (suffix: string) => `"${tablePrefix}${suffix}"`;
  return {
    prefix: tablePrefix,
    factors: name('factors'),
    pending: name('pending_setups'),
    recoveryCodes: name('recovery_codes'),
    attempts: name('attempts'),
    trustedDevices: name('trusted_devices'),
    attemptAndClaim: name('attempt_and_claim'),
    useRecoveryCode: name('use_recovery_code'),
    activatePending: name('activate_pending'),
    replaceCodes: name('replace_codes'),
    deleteFactor: name('delete_factor'),
    trustDevice: name('trust_device'),
    useDevice: name('use_device'),
    revokeDevice: name('revoke_device'),
    revokeDevices: name('revoke_devices'),
  };
}

/**
 * Upgrades the attempts table of schema v1 (one row per user: `user_id` primary key, `count`, `reset_at`) in place to
 * v2 (one row per user and bucket). The v1 row becomes the user's `code` bucket, the per-user TOTP budget it was, so
 * a deploy in the middle of an attack does not hand out a fresh budget. Runs only when the `bucket` column is
 * missing, so it is idempotent; the primary key is found by catalogue, not by its default name.
 */
function upgradeAttemptsFromV1(t: PostgresTables): string {
  const literal = `'${t.attempts}'`;
  return `DO $upgrade$
DECLARE v1_key text;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(${literal}) AND attname = 'bucket'
      AND NOT attisdropped) THEN
    ALTER TABLE ${t.attempts} ADD COLUMN bucket text NOT NULL DEFAULT 'code';
    SELECT conname INTO v1_key FROM pg_constraint WHERE conrelid = to_regclass(${literal}) AND contype = 'p';
    IF v1_key IS NOT NULL THEN
      EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', ${literal}, v1_key);
    END IF;
    ALTER TABLE ${t.attempts} ADD PRIMARY KEY (user_id, bucket);
    ALTER TABLE ${t.attempts} ALTER COLUMN bucket DROP DEFAULT;
  END IF;
END $upgrade$;
`;
}

/**
 * The DDL of the store (schema v3: v2 and the trusted devices), for apps that run their own migration tool.
 * Idempotent (`IF NOT EXISTS`, `CREATE OR REPLACE`), and it upgrades a v1 or v2 schema in place: v2 to v3 only adds
 * a table and functions, and replaces three functions with the same signature (old servers of a rolling deploy keep
 * working against them). Times are epoch milliseconds written by the provider's
 * clock, never `now()`, so every time column is a plain `bigint`. There is no foreign key between the tables: each
 * operation keeps them consistent, and the tables can be dropped in any order (then drop the functions too:
 * `DROP FUNCTION "<prefix>attempt_and_claim"`, and so on).
 */
export function postgresMfaSchema(options: PostgresMfaSchemaOptions = {}): string {
  const t = postgresTables(options.tablePrefix);
  return `CREATE TABLE IF NOT EXISTS ${t.factors} (
  user_id text PRIMARY KEY,
  secret_id text NOT NULL,
  sealed_secret text NOT NULL,
  last_step bigint NULL,
  enabled_at bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS ${t.pending} (
  user_id text PRIMARY KEY,
  secret_id text NOT NULL,
  sealed_secret text NOT NULL,
  last_step bigint NULL,
  confirmed boolean NOT NULL DEFAULT false,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS ${t.recoveryCodes} (
  user_id text NOT NULL,
  code_hash text NOT NULL,
  PRIMARY KEY (user_id, code_hash)
);
CREATE TABLE IF NOT EXISTS ${t.attempts} (
  user_id text NOT NULL,
  bucket text NOT NULL,
  count integer NOT NULL,
  reset_at bigint NOT NULL,
  PRIMARY KEY (user_id, bucket)
);
CREATE TABLE IF NOT EXISTS ${t.trustedDevices} (
  user_id text NOT NULL,
  device_id text NOT NULL,
  token_hash text NOT NULL,
  secret_id text NOT NULL,
  label text NOT NULL,
  created_at bigint NOT NULL,
  last_used_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  PRIMARY KEY (user_id, device_id),
  UNIQUE (user_id, token_hash)
);
${upgradeAttemptsFromV1(t)}${postgresFunctions(t)}${postgresDeviceFunctions(t)}`;
}
