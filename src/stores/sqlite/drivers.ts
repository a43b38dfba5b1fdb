import type { SqliteDriver, SqliteRow, SqliteStatement } from './driver.js';

/**
 * A prepared statement of a synchronous SQLite binding, by shape: better-sqlite3's `Statement`, `node:sqlite`'s
 * `StatementSync` and `bun:sqlite`'s `Statement` all fit.
 */
export interface SyncSqliteStatement {
  // Parameters typed `unknown` (the store passes only SqliteValue) so each binding's own, narrower or overloaded
  // signature is accepted as it is.
  /** Runs the statement and returns its rows. */
  all(...params: unknown[]): unknown[];
  /** Runs a statement that returns no rows. */
  run(...params: unknown[]): unknown;
  /** better-sqlite3 only: false for a statement without result columns, whose `all()` would throw. */
  readonly reader?: boolean;
}

/** A synchronous SQLite connection, by shape (better-sqlite3 `Database`, `node:sqlite` `DatabaseSync`, bun `Database`). */
export interface SyncSqliteDatabase {
  /** Compiles a statement; the adapter caches what it returns, one per SQL text. */
  prepare(sql: string): SyncSqliteStatement;
  /** Runs SQL without parameters (here only BEGIN IMMEDIATE, COMMIT and ROLLBACK). */
  exec(sql: string): unknown;
}

/**
 * The adapter for every synchronous binding. A batch runs between `BEGIN IMMEDIATE` and `COMMIT` without yielding
 * to the event loop, so it is atomic against other calls in this process, and the immediate write lock makes it
 * atomic against other processes on the same file too (they wait up to the connection's busy timeout; set one, e.g.
 * `PRAGMA busy_timeout = 5000`, when several processes share the file). Any error rolls the whole batch back.
 */
function synchronousDriver(db: SyncSqliteDatabase): SqliteDriver {
  const prepared = new Map<string, SyncSqliteStatement>();
  const statement = (sql: string) => {
    let compiled = prepared.get(sql);
    if (!compiled) {
      compiled = db.prepare(sql);
      prepared.set(sql, compiled);
    }
    return compiled;
  };
  const runOne = ({ sql, params }: SqliteStatement): SqliteRow[] => {
    const compiled = statement(sql);
    if (compiled.reader === false) {
      compiled.run(...params);
      return [];
    }
    return compiled.all(...params) as SqliteRow[];
  };
  return {
    async batch(statements) {
      db.exec('BEGIN IMMEDIATE');
      try {
        const rows = statements.map(runOne);
        db.exec('COMMIT');
        return rows;
      } catch (error) {
        try {
          db.exec('ROLLBACK');
        } catch {
          // SQLite may already have rolled back (e.g. after SQLITE_FULL); the original error is the one to report.
        }
        throw error;
      }
    },
  };
}

/** A driver over a better-sqlite3 `Database` (Node; the package is the app's dependency, never this one's). */
export function betterSqlite3Driver(db: SyncSqliteDatabase): SqliteDriver {
  return synchronousDriver(db);
}

/** A driver over a `node:sqlite` `DatabaseSync` (Node 22.5 and later). */
export function nodeSqliteDriver(db: SyncSqliteDatabase): SqliteDriver {
  return synchronousDriver(db);
}

/** A driver over a `bun:sqlite` `Database` (Bun). */
export function bunSqliteDriver(db: SyncSqliteDatabase): SqliteDriver {
  return synchronousDriver(db);
}
