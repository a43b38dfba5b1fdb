import { MfaConfigurationError } from '../../errors.js';
import {
  EXPIRED_SETUP_GRACE_MS,
  type ActivatePending,
  type AttemptBudget,
  type AttemptClaim,
  type AttemptClaimResult,
  type DeleteFactor,
  type MfaStore,
  type MfaStoredState,
  type RecoveryCodeUse,
  type ReplaceRecoveryCodes,
  type SavePending,
  type UseRecoveryCode,
  type UserQuery,
} from '../../totp/store.js';
import type {
  ListTrustedDevices,
  RevokeTrustedDevice,
  TrustDevice,
  TrustDeviceResult,
  TrustedDeviceRecord,
  TrustedDeviceUse,
  UseTrustedDevice,
} from '../../totp/store-devices.js';
import { answerOf, deviceOf, devicesOf, stateFromRow, windowsOf, type PostgresRow } from './rows.js';
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
  /** Prepended to the five table names (and the functions'). Default `saasus_mfa_`. */
  tablePrefix?: string;
}

/**
 * Any fixed number works: it only has to be the same on every server. One key for every prefix, since migrations
 * are rare and serialising all of them costs nothing.
 */
const MIGRATION_LOCK_KEY = '7406125383467319661';

/**
 * State in PostgreSQL, shared by every app server. Each method is a single SQL statement (one round trip): the
 * deciding ones call a PL/pgSQL function of the schema that runs as one transaction under the user's lock
 * (functions.ts says why), the others are plain statements. No transaction is held open between calls, and no pool
 * client is checked out. Run `migrate()` once (at deploy or start-up), or put `postgresMfaSchema()` in the app's own
 * migrations; both also upgrade a schema v1 or v2 in place.
 *
 * Durability is the server's: a method resolves once PostgreSQL has committed, so with `synchronous_commit = on`
 * and a synchronous standby (`synchronous_standby_names`) an accepted code, a used recovery code or an enable
 * survives the loss of the primary.
 */
export class PostgresMfaStore implements MfaStore {
  readonly name = 'postgres';
  readonly #pool: PostgresQueryable;
  readonly #sql: PostgresStatements;
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
    this.#migration = `SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY});\n${postgresMfaSchema({ tablePrefix: options.tablePrefix })}`;
  }

  /**
   * Creates the tables and functions if missing, and upgrades a schema v1 (one attempts row per user) or v2 (no
   * trusted devices) in place.
   * Idempotent, and safe when several servers call it at the same time.
   *
   * Why it is safe: a simple-protocol query (no bind values) holding several statements runs as one implicit
   * transaction, so the transaction-scoped advisory lock taken first is held until every CREATE has committed. Two
   * servers migrating at once run one after the other, and the second finds the tables and creates nothing (it replaces the functions with the same text). Without
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
   * Deletes rows that can no longer matter: attempt windows that have ended, setups that expired over a day ago and
   * expired trusted devices. Redis drops them by TTL and the memory store sweeps itself; here, run it from a
   * periodic job (hourly is plenty). It never touches a factor, a recovery code, a live window or a live device.
   */
  async deleteExpired(now: number = Date.now()): Promise<{
    /** Attempt windows deleted (ended at or before `now`, epoch ms). */
    attempts: number;
    /** Pending setups deleted (expired at least `EXPIRED_SETUP_GRACE_MS`, one day, before `now`). */
    pendingSetups: number;
    /** Trusted devices deleted (expired at or before `now`). */
    trustedDevices: number;
  }> {
    const row = await this.#row(this.#sql.deleteExpired, [now, EXPIRED_SETUP_GRACE_MS]);
    return {
      attempts: Number(row.attempts),
      pendingSetups: Number(row.pending_setups),
      trustedDevices: Number(row.trusted_devices),
    };
  }

  async load({ userId }: UserQuery): Promise<MfaStoredState> {
    return stateFromRow(await this.#row(this.#sql.load, [userId]));
  }

  async savePending({ userId, pending }: SavePending): Promise<void> {
    const { secretId, sealedSecret, lastStep, confirmed, createdAt, expiresAt } = pending;
    const values = [userId, secretId, sealedSecret, lastStep, confirmed, createdAt, expiresAt];
    await this.#query(this.#sql.savePending, values);
  }

  async attemptAndClaim(claim: AttemptClaim): Promise<AttemptClaimResult> {
    const { userId, target, secretId, step, budget, resealedSecret } = claim;
    // The target picks one of two fixed statements inside the function, never a table name from the caller.
    const values = [userId, target === 'pending' ? 'pending' : 'factor', secretId, step, resealedSecret ?? null];
    const answer = await this.#answer(this.#sql.attemptAndClaim, [...values, ...budgetValues(budget)]);
    const outcome = String(answer.outcome);
    if (outcome === 'claimed') return { outcome };
    if (outcome === 'stale') {
      return { outcome, attempts: windowsOf(answer), state: stateFromRow(answerOf(answer.state)) };
    }
    if (outcome === 'locked' || outcome === 'replayed' || outcome === 'mismatch')
      return { outcome, attempts: windowsOf(answer) };
    throw new MfaConfigurationError(`PostgresMfaStore: attempt_and_claim answered an unknown outcome`);
  }

  async activatePending({ userId, secretId, recoveryCodeHashes, now }: ActivatePending): Promise<boolean> {
    return this.#done(this.#sql.activatePending, [userId, secretId, [...recoveryCodeHashes], now]);
  }

  async useRecoveryCode({ userId, candidateHashes, budget }: UseRecoveryCode): Promise<RecoveryCodeUse> {
    const answer = await this.#answer(this.#sql.useRecoveryCode, [
      userId,
      [...candidateHashes],
      ...budgetValues(budget),
    ]);
    const outcome = String(answer.outcome);
    if (outcome === 'used') return { outcome, remaining: Number(answer.remaining), secretId: String(answer.secretId) };
    if (outcome === 'no_factor') return { outcome };
    if (outcome === 'locked' || outcome === 'mismatch') return { outcome, attempts: windowsOf(answer) };
    throw new MfaConfigurationError(`PostgresMfaStore: use_recovery_code answered an unknown outcome`);
  }

  async replaceRecoveryCodes({ userId, hashes, secretId }: ReplaceRecoveryCodes): Promise<boolean> {
    return this.#done(this.#sql.replaceCodes, [userId, [...hashes], secretId ?? null]);
  }

  async deleteFactor({ userId, secretId }: DeleteFactor): Promise<boolean> {
    return this.#done(this.#sql.deleteFactor, [userId, secretId ?? null]);
  }

  async clearAttempts({ userId }: UserQuery): Promise<void> {
    await this.#query(this.#sql.clearAttempts, [userId]);
  }

  async trustDevice({ userId, device, maxDevices, now }: TrustDevice): Promise<TrustDeviceResult> {
    const { id, tokenHash, secretId, label, createdAt, lastUsedAt, expiresAt } = device;
    const values = [userId, id, tokenHash, secretId, label, createdAt, lastUsedAt, expiresAt, maxDevices, now];
    const answer = await this.#answer(this.#sql.trustDevice, values);
    const outcome = String(answer.outcome);
    if (outcome === 'trusted') return { outcome, dropped: devicesOf(answer.dropped) };
    if (outcome === 'stale') return { outcome };
    throw new MfaConfigurationError('PostgresMfaStore: trust_device answered an unknown outcome');
  }

  async useTrustedDevice({ userId, candidateHashes, now }: UseTrustedDevice): Promise<TrustedDeviceUse> {
    const answer = await this.#answer(this.#sql.useDevice, [userId, [...candidateHashes], now]);
    const outcome = String(answer.outcome);
    if (outcome === 'trusted') return { outcome, device: deviceOf(answer.device) };
    if (outcome === 'untrusted') return { outcome, factorEnabled: answer.factorEnabled === true };
    throw new MfaConfigurationError('PostgresMfaStore: use_device answered an unknown outcome');
  }

  async listTrustedDevices({ userId, now }: ListTrustedDevices): Promise<TrustedDeviceRecord[]> {
    const { rows } = await this.#query(this.#sql.listDevices, [userId, now]);
    return rows.map(deviceOf);
  }

  async revokeTrustedDevice({ userId, deviceId }: RevokeTrustedDevice): Promise<TrustedDeviceRecord | null> {
    const { answer } = await this.#row(this.#sql.revokeDevice, [userId, deviceId]);
    return answer === null || answer === undefined ? null : deviceOf(answer);
  }

  async revokeTrustedDevices({ userId, now }: ListTrustedDevices): Promise<TrustedDeviceRecord[]> {
    return devicesOf((await this.#row(this.#sql.revokeDevices, [userId, now])).answer);
  }

  /** A function answering a boolean. */
  async #done(sql: string, values: unknown[]): Promise<boolean> {
    return (await this.#row(sql, values)).done === true;
  }

  /** A function answering a jsonb object. */
  async #answer(sql: string, values: unknown[]): Promise<PostgresRow> {
    return answerOf((await this.#row(sql, values)).answer);
  }

  /** Every statement but savePending and clearAttempts answers exactly one row; anything else means `pool` is not what it claims. */
  async #row(sql: string, values: unknown[]): Promise<PostgresRow> {
    const { rows } = await this.#query(sql, values);
    const row = rows[0];
    if (row === undefined) throw new MfaConfigurationError('PostgresMfaStore: the pool answered a query with no row');
    return row;
  }
}

/** The budget as the functions take it: now, window, and the limits as two parallel arrays. */
function budgetValues({ now, windowMs, limits }: AttemptBudget): unknown[] {
  return [now, windowMs, limits.map((limit) => limit.bucket), limits.map((limit) => limit.max)];
}
