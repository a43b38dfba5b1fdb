export { PostgresMfaStore } from './postgres-store.js';
export type { PostgresMfaStoreOptions, PostgresQueryable } from './postgres-store.js';
export { postgresMfaSchema } from './schema.js';
export type { PostgresMfaSchemaOptions } from './schema.js';
export type { PostgresRow } from './rows.js';
