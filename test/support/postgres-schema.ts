import type pg from 'pg';

/** Drops every table and function of the MFA schema under `prefix` (tests use a fresh prefix each). */
export async function dropMfaSchema(pool: pg.Pool, prefix: string): Promise<void> {
  const like = `${prefix.replace(/_/g, '\\_')}%`;
  const tables = await pool.query<{ name: string }>('select tablename as name from pg_tables where tablename like $1', [
    like,
  ]);
  for (const { name } of tables.rows) await pool.query(`drop table if exists "${name}"`);
  const functions = await pool.query<{ signature: string }>(
    'select oid::regprocedure::text as signature from pg_proc where proname like $1',
    [like],
  );
  for (const { signature } of functions.rows) await pool.query(`drop function if exists ${signature}`);
}
