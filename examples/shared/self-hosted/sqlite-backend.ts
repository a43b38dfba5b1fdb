import { SqliteMfaStore, type SqliteDriver } from 'saasus-mfa/stores/sqlite';
import { SqliteAccountStore } from './sqlite-accounts.js';

/** The table prefix of both SQLite stores unless `MFA_TABLE_PREFIX` says otherwise (the same as PostgreSQL's). */
export const DEFAULT_SQLITE_TABLE_PREFIX = 'saasus_mfa_';

/** The SQLite backend's parts: the SDK's MFA store and the example's accounts, on one driver. */
export interface SqliteBackendParts {
  mfaStore: SqliteMfaStore;
  accounts: SqliteAccountStore;
}

/**
 * Both stores on one SQLite driver (a file through better-sqlite3, node:sqlite or bun:sqlite; D1 on Workers), their
 * tables under one prefix; creates the tables if missing (idempotent, so every start and every isolate may run it).
 * Free of Redis and PostgreSQL imports, so a Worker bundles it.
 */
export async function sqliteBackendParts(
  driver: SqliteDriver,
  tablePrefix: string = DEFAULT_SQLITE_TABLE_PREFIX,
): Promise<SqliteBackendParts> {
  const mfaStore = new SqliteMfaStore({ driver, tablePrefix }); // checks the prefix
  const accounts = new SqliteAccountStore(driver, tablePrefix);
  await mfaStore.migrate();
  await accounts.migrate();
  return { mfaStore, accounts };
}
