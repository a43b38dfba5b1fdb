import { MfaConfigurationError } from '../../errors.js';

/** Options of `postgresMfaSchema`; pass the same `tablePrefix` as to the store. */
export interface PostgresMfaSchemaOptions {
  /** Prepended to every table name. Default `saasus_mfa_`. */
  tablePrefix?: string;
}

export const DEFAULT_TABLE_PREFIX = 'saasus_mfa_';

/**
 * Lowercase so the double-quoted names equal the unquoted ones an app would type in psql; at most 41 characters so
 * the longest derived name (`<prefix>recovery_codes_pkey`) stays within PostgreSQL's 63-byte identifier limit.
 */
const TABLE_PREFIX = /^[a-z_][a-z0-9_]{0,40}$/;

/** The four table names, already double-quoted, ready to be placed in SQL text. */
export interface PostgresTables {
  factors: string;
  pending: string;
  recoveryCodes: string;
  attempts: string;
}

/**
 * The only place a table name is made. Identifiers cannot be bind parameters, so the prefix is validated against a
 * strict pattern (no quote, no dot, no space can get through) and the result is quoted as well.
 */
export function postgresTables(tablePrefix: unknown = DEFAULT_TABLE_PREFIX): PostgresTables {
  if (typeof tablePrefix !== 'string' || !TABLE_PREFIX.test(tablePrefix)) {
    throw new MfaConfigurationError('PostgresMfaStore: tablePrefix must match /^[a-z_][a-z0-9_]{0,40}$/');
  }
  const table = (name: string) => `"${tablePrefix}${name}"`;
  return {
    factors: table('factors'),
    pending: table('pending_setups'),
    recoveryCodes: table('recovery_codes'),
    attempts: table('attempts'),
  };
}

/**
 * The DDL of the store, for apps that run their own migration tool. Idempotent (`IF NOT EXISTS`). Times are epoch
 * milliseconds written by the provider's clock, never `now()`, so every column is a plain `bigint`.
 * There is no foreign key between the tables: each method keeps them consistent in one statement, and the tables
 * can be dropped in any order.
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
  user_id text PRIMARY KEY,
  count integer NOT NULL,
  reset_at bigint NOT NULL
);
`;
}
