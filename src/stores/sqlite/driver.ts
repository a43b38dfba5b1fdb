/**
 * The driver interface of `SqliteMfaStore`: what it needs from a SQLite database, kept small enough that every
 * SQLite runtime fits through a few lines of adapter (drivers.ts and d1-driver.ts), and asynchronous so Cloudflare
 * D1, whose every call is a promise, fits as well as the synchronous drivers.
 */

/** A value bound to a `?` placeholder. The store binds only text, numbers (epoch ms, steps, counts) and null. */
export type SqliteValue = string | number | null;

/** One result row as the driver returns it: column name to value (integers as numbers). */
export type SqliteRow = Record<string, unknown>;

/** One prepared statement of a batch: SQL with anonymous `?` placeholders and their values, in order. */
export interface SqliteStatement {
  /** The SQL text; the store's own, never built from a caller's value. */
  readonly sql: string;
  /** One value per `?`, in order. */
  readonly params: readonly SqliteValue[];
}

/** What the store runs its statements through. */
export interface SqliteDriver {
  /**
   * Runs the statements in order as one transaction: all or nothing, and no other writer in between (SQLite's
   * `BEGIN IMMEDIATE ... COMMIT`, or D1's `batch`, which is a transaction). Resolves with each statement's rows
   * (an empty array for a statement that returns none), in the order of the statements.
   */
  batch(statements: readonly SqliteStatement[]): Promise<SqliteRow[][]>;
}
