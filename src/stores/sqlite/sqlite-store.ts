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
import { sqliteDeviceStatements, type SqliteDeviceStatements } from './device-statements.js';
import type { SqliteDriver, SqliteRow, SqliteValue } from './driver.js';
import { deviceFromRow, oldestFirst, stateFromRow, windowsFromRows } from './rows.js';
import { sqliteSchemaStatements, sqliteTables, type SqliteTables } from './schema.js';
import { bind, sqliteStatements, type NamedStatement, type SqliteStatements } from './statements.js';

/** Options of `SqliteMfaStore`; `driver` is required. */
export interface SqliteMfaStoreOptions {
  /**
   * The database, through one of the adapters: `betterSqlite3Driver(db)`, `nodeSqliteDriver(db)`,
   * `bunSqliteDriver(db)` or `d1Driver(env.DB)`, or your own `SqliteDriver`.
   */
  driver: SqliteDriver;
  /** Prepended to the table names. Default `saasus_mfa_`. */
  tablePrefix?: string;
}

/** "no such table: x" / "no such column: x" / "table x has no column named y", whatever the driver wraps it in. */
const MISSING_SCHEMA = /no such table|no such column|has no column named/;

/**
 * State in SQLite: one file for a single server that must not lose enrolments on restart, or Cloudflare D1 at the
 * edge. Every operation is one batch of fixed statements run as one transaction by the driver (`BEGIN IMMEDIATE`
 * ... `COMMIT` on the synchronous bindings, D1's `batch`), so it is atomic against other processes on the same
 * file and other Workers on the same D1 database; statements.ts says how a batch decides without variables.
 * This module never imports a driver, so importing it is safe on every runtime. Run `migrate()` once, or put
 * `sqliteMfaSchema()` in the app's migrations.
 *
 * Durability is the database's: a synchronous binding commits to the file before resolving (keep SQLite's default
 * `synchronous` of FULL, or NORMAL in WAL mode, which can lose the last commits on power loss but not on a crash of
 * the process); D1 resolves once its primary has committed.
 */
export class SqliteMfaStore implements MfaStore {
  readonly name = 'sqlite';
  readonly #driver: SqliteDriver;
  readonly #tables: SqliteTables;
  readonly #sql: SqliteStatements;
  readonly #devices: SqliteDeviceStatements;

  constructor(options: SqliteMfaStoreOptions) {
    const driver: unknown = options?.driver;
    if (
      typeof driver !== 'object' ||
      driver === null ||
      typeof (driver as Partial<SqliteDriver>).batch !== 'function'
    ) {
      throw new MfaConfigurationError(
        'SqliteMfaStore: `driver` must be a SqliteDriver, e.g. betterSqlite3Driver(db), nodeSqliteDriver(db), bunSqliteDriver(db) or d1Driver(env.DB)',
      );
    }
    this.#driver = driver as SqliteDriver;
    this.#tables = sqliteTables(options.tablePrefix);
    this.#sql = sqliteStatements(this.#tables);
    this.#devices = sqliteDeviceStatements(this.#tables);
  }

  /**
   * Creates the tables if missing, in one transaction: on a database of the first schema (before trusted devices)
   * that adds the devices table and keeps every row. Idempotent, and safe when several servers call it at once.
   */
  async migrate(): Promise<void> {
    await this.#driver.batch(sqliteSchemaStatements(this.#tables).map((sql) => ({ sql, params: [] })));
  }

  /**
   * Deletes rows that can no longer matter: attempt windows that have ended, setups that expired over a day ago
   * and expired trusted devices (a success already prunes the user's ended windows, a trust the user's expired
   * devices). Run it from a periodic job; it never touches a factor, a recovery code, a live window or device.
   */
  async deleteExpired(now: number = Date.now()): Promise<{
    /** Attempt windows deleted (ended at or before `now`, epoch ms). */
    attempts: number;
    /** Pending setups deleted (expired at least `EXPIRED_SETUP_GRACE_MS`, one day, before `now`). */
    pendingSetups: number;
    /** Trusted devices deleted (expired at or before `now`). */
    trustedDevices: number;
  }> {
    const [attempts = [], pending = [], devices = []] = await this.#run(this.#sql.deleteExpired, {
      now,
      grace: EXPIRED_SETUP_GRACE_MS,
    });
    return { attempts: attempts.length, pendingSetups: pending.length, trustedDevices: devices.length };
  }

  async load({ userId }: UserQuery): Promise<MfaStoredState> {
    const [rows = []] = await this.#run(this.#sql.load, { user: userId });
    return stateFromRow(this.#first(rows));
  }

  async savePending({ userId, pending }: SavePending): Promise<void> {
    await this.#run(this.#sql.savePending, {
      user: userId,
      secret: pending.secretId,
      sealed: pending.sealedSecret,
      last_step: pending.lastStep,
      confirmed: pending.confirmed ? 1 : 0,
      created_at: pending.createdAt,
      expires_at: pending.expiresAt,
    });
  }

  async attemptAndClaim(claim: AttemptClaim): Promise<AttemptClaimResult> {
    const { userId, target, secretId, step, budget, resealedSecret } = claim;
    // The target picks one of two fixed statement lists, never a table name from the caller.
    const statements = target === 'pending' ? this.#sql.claimPending : this.#sql.claimFactor;
    const values = { user: userId, secret: secretId, step, resealed: resealedSecret ?? null, ...budgetValues(budget) };
    const results = await this.#run(statements, values);
    const answer = this.#first(results[4] ?? []);
    const attempts = windowsFromRows(results[5] ?? [], budget.now);
    const outcome = String(answer.outcome);
    if (outcome === 'claimed') return { outcome };
    if (outcome === 'stale') return { outcome, attempts, state: stateFromRow(answer) };
    if (outcome === 'locked' || outcome === 'replayed' || outcome === 'mismatch') return { outcome, attempts };
    throw new MfaConfigurationError('SqliteMfaStore: the database answered an unknown outcome');
  }

  async activatePending({ userId, secretId, recoveryCodeHashes, now }: ActivatePending): Promise<boolean> {
    const values = { user: userId, secret: secretId, hashes: JSON.stringify(recoveryCodeHashes), now };
    return (await this.#outcome(this.#sql.activatePending, values)) === 'done';
  }

  async useRecoveryCode({ userId, candidateHashes, budget }: UseRecoveryCode): Promise<RecoveryCodeUse> {
    const values = { user: userId, hashes: JSON.stringify(candidateHashes), ...budgetValues(budget) };
    const results = await this.#run(this.#sql.useRecoveryCode, values);
    const answer = this.#first(results[4] ?? []);
    const outcome = String(answer.outcome);
    if (outcome === 'used') return { outcome, remaining: Number(answer.remaining), secretId: String(answer.secret_id) };
    if (outcome === 'no_factor') return { outcome };
    if (outcome === 'locked' || outcome === 'mismatch')
      return { outcome, attempts: windowsFromRows(results[5] ?? [], budget.now) };
    throw new MfaConfigurationError('SqliteMfaStore: the database answered an unknown outcome');
  }

  async replaceRecoveryCodes({ userId, hashes, secretId }: ReplaceRecoveryCodes): Promise<boolean> {
    const values = { user: userId, hashes: JSON.stringify(hashes), secret: secretId ?? null };
    return (await this.#outcome(this.#sql.replaceCodes, values)) === 'done';
  }

  async deleteFactor({ userId, secretId }: DeleteFactor): Promise<boolean> {
    const values = { user: userId, secret: secretId ?? null };
    return (await this.#outcome(this.#sql.deleteFactor, values)) === 'removed';
  }

  async clearAttempts({ userId }: UserQuery): Promise<void> {
    await this.#run(this.#sql.clearAttempts, { user: userId });
  }

  async trustDevice({ userId, device, maxDevices, now }: TrustDevice): Promise<TrustDeviceResult> {
    const { id, tokenHash, secretId, label, createdAt, lastUsedAt, expiresAt } = device;
    const values = { user: userId, device: id, token_hash: tokenHash, secret: secretId, label, now, max: maxDevices };
    const times = { created_at: createdAt, last_used_at: lastUsedAt, expires_at: expiresAt };
    const results = await this.#run(this.#devices.trustDevice, { ...values, ...times });
    const outcome = String(this.#first(results[4] ?? []).outcome);
    if (outcome === 'trusted') return { outcome, dropped: oldestFirst((results[3] ?? []).map(deviceFromRow)) };
    if (outcome === 'stale') return { outcome };
    throw new MfaConfigurationError('SqliteMfaStore: the database answered an unknown outcome');
  }

  async useTrustedDevice({ userId, candidateHashes, now }: UseTrustedDevice): Promise<TrustedDeviceUse> {
    const values = { user: userId, hashes: JSON.stringify(candidateHashes), now };
    const answer = this.#first((await this.#run(this.#devices.useDevice, values))[2] ?? []);
    const outcome = String(answer.outcome);
    if (outcome === 'trusted') return { outcome, device: deviceFromRow(answer) };
    if (outcome === 'untrusted') return { outcome, factorEnabled: Number(answer.factor_enabled) === 1 };
    throw new MfaConfigurationError('SqliteMfaStore: the database answered an unknown outcome');
  }

  async listTrustedDevices({ userId, now }: ListTrustedDevices): Promise<TrustedDeviceRecord[]> {
    const [rows = []] = await this.#run(this.#devices.listDevices, { user: userId, now });
    return rows.map(deviceFromRow);
  }

  async revokeTrustedDevice({ userId, deviceId }: RevokeTrustedDevice): Promise<TrustedDeviceRecord | null> {
    const [rows = []] = await this.#run(this.#devices.revokeDevice, { user: userId, device: deviceId });
    return rows[0] === undefined ? null : deviceFromRow(rows[0]);
  }

  async revokeTrustedDevices({ userId, now }: ListTrustedDevices): Promise<TrustedDeviceRecord[]> {
    const [counted = []] = await this.#run(this.#devices.revokeDevices, { user: userId, now });
    return counted.map(deviceFromRow);
  }

  /** The `outcome` column of the batch's answer statement (the one before the last, which forgets the decision). */
  async #outcome(statements: NamedStatement[], values: Record<string, SqliteValue>) {
    const results = await this.#run(statements, values);
    return String(this.#first(results[statements.length - 2] ?? []).outcome);
  }

  /**
   * Every batch goes through here. A missing table or column is not an outage but a database that was never
   * migrated: a configuration error that says what to run. Only the driver's message is matched, never passed on.
   */
  async #run(statements: NamedStatement[], values: Record<string, SqliteValue>): Promise<SqliteRow[][]> {
    try {
      return await this.#driver.batch(bind(statements, values));
    } catch (error) {
      const message = error instanceof Error ? error.message : '';
      if (!MISSING_SCHEMA.test(message)) throw error;
      const t = this.#tables;
      throw new MfaConfigurationError(
        `SqliteMfaStore: a table or column of the MFA schema is missing; the store expects the tables ${[t.factors, t.pending, t.recoveryCodes, t.attempts, t.trustedDevices, t.decisions].join(', ')}. Run store.migrate() once, or add sqliteMfaSchema() to your migrations`,
      );
    }
  }

  /** The answer statements return exactly one row; anything else means the driver is not what it claims. */
  #first(rows: readonly SqliteRow[]): SqliteRow {
    const row = rows[0];
    if (row === undefined) throw new MfaConfigurationError('SqliteMfaStore: the driver answered a query with no row');
    return row;
  }
}

/** The budget as the statements bind it: now, window, and the limits as a JSON array of `{bucket, max}`. */
function budgetValues({ now, windowMs, limits }: AttemptBudget): Record<string, SqliteValue> {
  return { now, window: windowMs, limits: JSON.stringify(limits.map(({ bucket, max }) => ({ bucket, max }))) };
}
