import type { SqliteDriver, SqliteRow } from './driver.js';

/** A D1 prepared statement with its values bound, by shape (Cloudflare's `D1PreparedStatement`). */
export interface D1BoundStatementLike {
  /** D1's own; the adapter never calls it, `batch` runs the statement. */
  all(): Promise<unknown>;
}

/** A D1 prepared statement before binding, by shape. */
export interface D1PreparedStatementLike {
  /** Binds one value per `?`, in order. */
  bind(...values: unknown[]): D1BoundStatementLike;
}

/** One statement's result in a D1 batch, by shape (Cloudflare's `D1Result`): only `results` is read. */
export interface D1ResultLike {
  /** The statement's rows; empty (or absent) for a statement that returns none. */
  results?: unknown[];
}

/** The Cloudflare D1 binding (`env.DB`), by shape: only `prepare` and `batch` are used. */
export interface D1DatabaseLike {
  /** Compiles a statement. */
  prepare(sql: string): D1PreparedStatementLike;
  /** Runs bound statements in order as one transaction (D1's documented guarantee), one result per statement. */
  batch(statements: D1BoundStatementLike[]): Promise<D1ResultLike[]>;
}

/**
 * A driver over a Cloudflare D1 database: every store operation is one `batch`, which D1 runs as a transaction
 * (all or nothing, in order, no other query in between), and one network round trip from the Worker.
 */
export function d1Driver(db: D1DatabaseLike): SqliteDriver {
  return {
    async batch(statements) {
      const bound = statements.map(({ sql, params }) => db.prepare(sql).bind(...params));
      const results = await db.batch(bound);
      return results.map((result) => (result.results ?? []) as SqliteRow[]);
    },
  };
}
