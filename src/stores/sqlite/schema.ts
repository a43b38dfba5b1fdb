import { MfaConfigurationError } from '../../errors.js';

/** Options of `sqliteMfaSchema`; pass the same `tablePrefix` as to the store. */
export interface SqliteMfaSchemaOptions {
  /** Prepended to every table name. Default `saasus_mfa_`. */
  tablePrefix?: string;
}

const DEFAULT_TABLE_PREFIX = 'saasus_mfa_';

/** Lowercase letters, digits and underscores only, so a name can never close its quotes. */
const TABLE_PREFIX = /^[a-z_][a-z0-9_]{0,40}$/;

/** The table names, already double-quoted, ready to be placed in SQL text. */
export interface SqliteTables {
  factors: string;
  pending: string;
  recoveryCodes: string;
  attempts: string;
  /** Trusted devices ("don't ask again on this browser"): token hashes only. */
  trustedDevices: string;
  /**
   * Scratch rows of a running batch: its first statement writes the decision (`locked`, `claimed`, ...) that the
   * later statements of the same batch act on, and its last deletes it, so no row outlives its transaction. A batch
   * of fixed statements (D1's) has no variables; this table is where the decision lives meanwhile.
   */
  decisions: string;
}

/** The only place a table name is made: the prefix is validated against a strict pattern, and quoted as well. */
export function sqliteTables(tablePrefix: unknown = DEFAULT_TABLE_PREFIX): SqliteTables {
  if (typeof tablePrefix !== 'string' || !TABLE_PREFIX.test(tablePrefix)) {
    throw new MfaConfigurationError('SqliteMfaStore: tablePrefix must match /^[a-z_][a-z0-9_]{0,40}$/');
  }
  const table = (name: string) => `"${tablePrefix}${name}"`;
  return {
    factors: table('factors'),
    pending: table('pending_setups'),
    recoveryCodes: table('recovery_codes'),
    attempts: table('attempts'),
    trustedDevices: table('trusted_devices'),
    decisions: table('decisions'),
  };
}

/**
 * The schema as separate statements (D1 and most migration tools take one statement at a time). Schema v2: v1 (the
 * first release of this store) and the trusted devices. Every statement is `IF NOT EXISTS` and v2 only adds a table,
 * so running it on a v1 database upgrades it in place and keeps every row.
 */
export function sqliteSchemaStatements(t: SqliteTables): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${t.factors} (
  user_id TEXT PRIMARY KEY,
  secret_id TEXT NOT NULL,
  sealed_secret TEXT NOT NULL,
  last_step INTEGER NULL,
  enabled_at INTEGER NOT NULL
)`,
    `CREATE TABLE IF NOT EXISTS ${t.pending} (
  user_id TEXT PRIMARY KEY,
  secret_id TEXT NOT NULL,
  sealed_secret TEXT NOT NULL,
  last_step INTEGER NULL,
  confirmed INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
)`,
    `CREATE TABLE IF NOT EXISTS ${t.recoveryCodes} (
  user_id TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  PRIMARY KEY (user_id, code_hash)
)`,
    `CREATE TABLE IF NOT EXISTS ${t.attempts} (
  user_id TEXT NOT NULL,
  bucket TEXT NOT NULL,
  count INTEGER NOT NULL,
  reset_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, bucket)
)`,
    `CREATE TABLE IF NOT EXISTS ${t.trustedDevices} (
  user_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  secret_id TEXT NOT NULL,
  label TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, device_id),
  UNIQUE (user_id, token_hash)
)`,
    `CREATE TABLE IF NOT EXISTS ${t.decisions} (
  user_id TEXT PRIMARY KEY,
  outcome TEXT NOT NULL,
  detail TEXT NULL
)`,
  ];
}

/**
 * The DDL of the store, for apps that run their own migration tool (or `wrangler d1 migrations`). Idempotent
 * (`IF NOT EXISTS`), and it upgrades a v1 database in place. Times are epoch milliseconds from the provider's clock, stored as INTEGER. No foreign keys:
 * each operation keeps the tables consistent in one transaction.
 */
export function sqliteMfaSchema(options: SqliteMfaSchemaOptions = {}): string {
  return sqliteSchemaStatements(sqliteTables(options.tablePrefix))
    .map((statement) => `${statement};\n`)
    .join('');
}
