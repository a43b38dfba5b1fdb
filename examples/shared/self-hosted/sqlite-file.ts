import type { SqliteDriver, SyncSqliteDatabase } from 'saasus-mfa/stores/sqlite';
import { betterSqlite3Driver, nodeSqliteDriver } from 'saasus-mfa/stores/sqlite';

/** A SQLite file opened for the example: the driver the stores use, which binding opened it, and how to close it. */
export interface OpenSqliteFile {
  driver: SqliteDriver;
  binding: 'better-sqlite3' | 'node:sqlite' | 'bun:sqlite';
  close(): void;
}

/** A connection as better-sqlite3, node:sqlite and bun:sqlite all return it: the driver's shape, plus close. */
type SqliteConnection = SyncSqliteDatabase & { close(): void };

/**
 * WAL lets readers run beside the one writer; the busy timeout makes a second process on the file wait for the
 * write lock instead of failing at once (the store's batches take it with BEGIN IMMEDIATE).
 */
export function tuned<T extends SqliteConnection>(db: T): T {
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA busy_timeout = 5000');
  return db;
}

/**
 * Opens (or creates) the SQLite file at `path` on Node or Deno: with better-sqlite3 when the app has it installed
 * (it is the example's optional choice, as ioredis and pg are), else with `node:sqlite` (Node 22.5+, Deno 2.2+).
 * With neither, an error that says what to install. Bun has its own entry (examples/hono/bun.ts, bun:sqlite).
 */
export async function openSqliteFile(path: string): Promise<OpenSqliteFile> {
  const better = await importOptional('better-sqlite3');
  if (better) {
    const Database = (better.default ?? better) as new (file: string) => SqliteConnection;
    try {
      const db = tuned(new Database(path));
      return { driver: betterSqlite3Driver(db), binding: 'better-sqlite3', close: () => db.close() };
    } catch (error) {
      // Its native part built for another Node version fails on the first open: node:sqlite may still serve.
      if (!(await importOptional('node:sqlite'))) throw error;
    }
  }
  const builtIn = await importOptional('node:sqlite');
  if (builtIn) {
    const { DatabaseSync } = builtIn as { DatabaseSync: new (file: string) => SqliteConnection };
    const db = tuned(new DatabaseSync(path));
    return { driver: nodeSqliteDriver(db), binding: 'node:sqlite', close: () => db.close() };
  }
  throw new Error(
    `SQLITE_PATH needs a SQLite binding: install better-sqlite3 (npm install better-sqlite3), or run on Node 22.5 or later (node:sqlite); this is Node ${process.versions.node}`,
  );
}

/** The module, or undefined when it is not installed or not built in here. The specifier is a variable on purpose: neither is a dependency the type checker or a bundler should resolve. */
async function importOptional(specifier: string): Promise<Record<string, unknown> | undefined> {
  try {
    return (await import(specifier)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
