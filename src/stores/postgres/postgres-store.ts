import { MfaConfigurationError } from '../../errors.js';
import {
  EXPIRED_SETUP_GRACE_MS,
  type ActivatePending,
  type AttemptBegun,
  type AttemptClaim,
  type AttemptClaimResult,
  type BeginAttempt,
  type ConsumeRecoveryCode,
  type MfaStore,
  type MfaStoredState,
  type ReplaceRecoveryCodes,
  type SavePending,
  type StepClaim,
  type UserQuery,
} from '../../totp/store.js';
import { factorStatements, type FactorStatements } from './factor-statements.js';
import { attemptsFromRow, stateFromRow, type PostgresRow } from './rows.js';
import { schemaProblem } from './schema-problem.js';
import { postgresMfaSchema, postgresTables, type PostgresTables } from './schema.js';
import { postgresStatements, type PostgresStatements } from './statements.js';

/**
 * What the store needs from a database handle: a `pg` Pool (or Client) fits as is. Typed by shape so this package
 * neither depends on `pg` nor names it in its declarations.
 */
export interface PostgresQueryable {
  /** Runs `text` with `$1, $2, ...` bound to `values`; `migrate` alone sends several statements and no values. */
  query(
    text: string,
    values?: unknown[],
  ): Promise<{
    /** The statement's result rows. */
    rows: PostgresRow[];
  }>;
}

/** Options of `PostgresMfaStore`; `pool` is required. */
export interface PostgresMfaStoreOptions {
  /** Shared by every server of the app; each method is one statement, so a pool of any size works. */
  pool: PostgresQueryable;
  /** Prepended to the four table names. Default `saasus_mfa_`. */
  tablePrefix?: string;
}

/**
 * Any fixed number works: it only has to be the same on every server. One key for every prefix, since migrations
 * are rare and serialising all of them costs nothing.
 */
const MIGRATION_LOCK_KEY = '7406125383467319661';

/**
 * A rewrite of the code set starts again only when another one committed on the same user during its statement;
 * each conflict means some other call made progress, so this bound is only reached by a storm of writes to one user.
 */
const MAX_CONFLICT_RETRIES = 32;

/**
 * State in PostgreSQL, shared by every app server. Each method is a single SQL statement, atomic under READ COMMITTED
 * (statements.ts says why); the three that rewrite the recovery codes run again in the rare case a concurrent write
 * to the same user committed meanwhile (factor-statements.ts). No transaction is held open between calls. Run
 * `migrate()` once (at deploy or start-up), or put `postgresMfaSchema()` in the app's own migrations.
 */
export class PostgresMfaStore implements MfaStore {
  readonly name = 'postgres';
  readonly #pool: PostgresQueryable;
  readonly #sql: PostgresStatements;
  readonly #factorSql: FactorStatements;
  readonly #migration: string;
  readonly #tables: PostgresTables;

  constructor(options: PostgresMfaStoreOptions) {
    const pool: unknown = options?.pool;
    if (typeof pool !== 'object' || pool === null || typeof (pool as Partial<PostgresQueryable>).query !== 'function') {
      throw new MfaConfigurationError('PostgresMfaStore: `pool` must be a pg Pool (an object with a query method)');
    }
    this.#pool = pool as PostgresQueryable;
    const tables = postgresTables(options.tablePrefix);
    this.#tables = tables;
    this.#sql = postgresStatements(tables);
    this.#factorSql = factorStatements(tables);
    this.#migration = `SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY});\n${postgresMfaSchema({ tablePrefix: options.tablePrefix })}`;
  }

  /**
   * Creates the tables if missing. Idempotent, and safe when several servers call it at the same time.
   *
   * Why it is safe: a simple-protocol query (no bind values) holding several statements runs as one implicit
   * transaction, so the transaction-scoped advisory lock taken first is held until every CREATE has committed. Two
   * servers migrating at once run one after the other, and the second finds the tables and creates nothing. Without
   * the lock, concurrent CREATE TABLE IF NOT EXISTS can fail on the unique index of pg_type. Sending it all as one
   * query avoids checking a client out of the pool, so `query` is all the store needs.
   */
  async migrate(): Promise<void> {
    await this.#pool.query(this.#migration);
  }

  /**
   * Every statement of the store goes through here. A missing table or column (SQLSTATE 42P01, 42703) is not an
   * outage but a deployment that never ran the migration: a configuration error that says which, and what to run.
   */
  async #query(sql: string, values: unknown[]): Promise<{ rows: PostgresRow[] }> {
    try {
      return await this.#pool.query(sql, values);
    } catch (error) {
      throw schemaProblem(error, this.#tables) ?? error;
    }
  }

  /**
   * Deletes rows that can no longer matter: attempt windows that have ended and setups that expired over a day ago.
   * Redis drops them by TTL and the memory store sweeps itself; here, run it from a periodic job (hourly is plenty).
   * It never touches a factor, a recovery code or a live window.
   */
  async deleteExpired(now: number = Date.now()): Promise<{
    /** Attempt windows deleted (ended at or before `now`, epoch ms). */
    attempts: number;
    /** Pending setups deleted (expired at least `EXPIRED_SETUP_GRACE_MS`, one day, before `now`). */
    pendingSetups: number;
  }> {
    const row = await this.#row(this.#sql.deleteExpired, [now, EXPIRED_SETUP_GRACE_MS]);
    return { attempts: Number(row.attempts), pendingSetups: Number(row.pending_setups) };
  }

  async load({ userId }: UserQuery): Promise<MfaStoredState> {
    return stateFromRow(await this.#row(this.#sql.load, [userId]));
  }

  async beginAttempt({ userId, now, windowMs }: BeginAttempt): Promise<AttemptBegun> {
    const row = await this.#row(this.#sql.beginAttempt, [userId, now, windowMs]);
    return { attempts: attemptsFromRow(row), state: stateFromRow(row) };
  }

  async savePending({ userId, pending }: SavePending): Promise<void> {
    const { secretId, sealedSecret, lastStep, confirmed, createdAt, expiresAt } = pending;
    const values = [userId, secretId, sealedSecret, lastStep, confirmed, createdAt, expiresAt];
    await this.#query(this.#sql.savePending, values);
  }

  async claimStep({ userId, target, secretId, step, resealedSecret }: StepClaim): Promise<boolean> {
    // The table comes from the enum, never from text the caller passed.
    const sql = target === 'factor' ? this.#sql.claimFactor : this.#sql.claimPending;
    return Number((await this.#row(sql, [userId, secretId, step, resealedSecret ?? null])).claimed) === 1;
  }

  async attemptAndClaim(claim: AttemptClaim): Promise<AttemptClaimResult> {
    const { userId, secretId, step, now, windowMs, maxAttempts, resealedSecret } = claim;
    const values = [userId, secretId, step, resealedSecret ?? null, now, windowMs, maxAttempts];
    const row = await this.#row(this.#sql.attemptAndClaim, values);
    if (Number(row.claimed) === 1) return { outcome: 'claimed' };
    const attempts = attemptsFromRow(row);
    if (attempts.count > maxAttempts) return { outcome: 'locked', attempts };
    if (Number(row.current) !== 1) return { outcome: 'stale', attempts, state: stateFromRow(row) };
    return { outcome: step === null ? 'counted' : 'replayed', attempts };
  }

  async activatePending({ userId, secretId, recoveryCodeHashes, now }: ActivatePending): Promise<boolean> {
    return this.#rewriteCodes(this.#factorSql.activatePending, [userId, secretId, [...recoveryCodeHashes], now]);
  }

  async consumeRecoveryCode({ userId, candidateHashes }: ConsumeRecoveryCode): Promise<number | null> {
    const row = await this.#row(this.#sql.consumeRecoveryCode, [userId, [...candidateHashes]]);
    return Number(row.consumed) === 1 ? Number(row.remaining) : null;
  }

  async replaceRecoveryCodes({ userId, hashes }: ReplaceRecoveryCodes): Promise<boolean> {
    return this.#rewriteCodes(this.#factorSql.replaceRecoveryCodes, [userId, [...hashes]]);
  }

  async deleteFactor({ userId }: UserQuery): Promise<boolean> {
    return this.#rewriteCodes(this.#factorSql.deleteFactor, [userId]);
  }

  /**
   * Runs a statement of factor-statements.ts until it settles without a conflict. True if any run did its work: a
   * deleteFactor may remove the factor in one run and the codes in the next.
   */
  async #rewriteCodes(sql: string, values: unknown[]): Promise<boolean> {
    let done = false;
    for (let run = 0; run <= MAX_CONFLICT_RETRIES; run++) {
      const row = await this.#row(sql, values);
      done ||= Number(row.done) === 1;
      if (row.conflict !== true) return done;
    }
    throw new Error('PostgresMfaStore: too many concurrent changes to one user; try again');
  }

  /** Every statement but savePending answers exactly one row; anything else means `pool` is not what it claims. */
  async #row(sql: string, values: unknown[]): Promise<PostgresRow> {
    const { rows } = await this.#query(sql, values);
    const row = rows[0];
    if (row === undefined) throw new MfaConfigurationError('PostgresMfaStore: the pool answered a query with no row');
    return row;
  }
}
