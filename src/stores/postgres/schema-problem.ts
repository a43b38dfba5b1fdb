import { MfaConfigurationError } from '../../errors.js';
import type { PostgresTables } from './schema.js';

/** SQLSTATEs of a schema that is not there: undefined_table, undefined_column. */
const MISSING = { '42P01': 'table', '42703': 'column' } as const;

/**
 * A configuration error for a query that failed because the store's tables (or one of their columns) do not exist,
 * naming the tables and `migrate()`; undefined for any other failure. Only the SQLSTATE is read: pg's message quotes
 * the statement's identifiers, which are ours, but a driver error's text is never passed on.
 */
export function schemaProblem(error: unknown, tables: PostgresTables): MfaConfigurationError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== '42P01' && code !== '42703') return undefined;
  const names = [tables.factors, tables.pending, tables.recoveryCodes, tables.attempts].join(', ');
  return new MfaConfigurationError(
    `PostgresMfaStore: a ${MISSING[code]} of the MFA schema is missing (SQLSTATE ${code}); the store expects the tables ${names}. Run store.migrate() once, or add postgresMfaSchema() to your migrations`,
  );
}
