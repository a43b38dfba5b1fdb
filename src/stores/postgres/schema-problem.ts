import { MfaConfigurationError } from '../../errors.js';
import type { PostgresTables } from './schema.js';

/**
 * SQLSTATEs of a schema that is not there (or still v1): undefined_table, undefined_column, undefined_function.
 * A v1 schema has no functions, so a store upgraded before its database was migrated gets 42883 and this hint.
 */
const MISSING = { '42P01': 'table', '42703': 'column', '42883': 'function' } as const;

const isMissing = (code: unknown): code is keyof typeof MISSING => typeof code === 'string' && code in MISSING;

/**
 * A configuration error for a query that failed because the store's tables, columns or functions do not exist,
 * naming the tables and `migrate()`; undefined for any other failure. Only the SQLSTATE is read: pg's message quotes
 * the statement's identifiers, which are ours, but a driver error's text is never passed on.
 */
export function schemaProblem(error: unknown, tables: PostgresTables): MfaConfigurationError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (!isMissing(code)) return undefined;
  const names = [tables.factors, tables.pending, tables.recoveryCodes, tables.attempts, tables.trustedDevices].join(
    ', ',
  );
  return new MfaConfigurationError(
    `PostgresMfaStore: a ${MISSING[code]} of the MFA schema is missing (SQLSTATE ${code}); the store expects the tables ${names} and their functions. Run store.migrate() once, or add postgresMfaSchema() to your migrations`,
  );
}
