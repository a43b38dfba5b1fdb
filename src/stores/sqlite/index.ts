export { SqliteMfaStore } from './sqlite-store.js';
export type { SqliteMfaStoreOptions } from './sqlite-store.js';
export { sqliteMfaSchema } from './schema.js';
export type { SqliteMfaSchemaOptions } from './schema.js';
export type { SqliteDriver, SqliteRow, SqliteStatement, SqliteValue } from './driver.js';
export { betterSqlite3Driver, bunSqliteDriver, nodeSqliteDriver } from './drivers.js';
export type { SyncSqliteDatabase, SyncSqliteStatement } from './drivers.js';
export { d1Driver } from './d1-driver.js';
export type { D1BoundStatementLike, D1DatabaseLike, D1PreparedStatementLike, D1ResultLike } from './d1-driver.js';
