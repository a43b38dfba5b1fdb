import type pg from 'pg';
import type { Account, AccountRef, AccountStore, TokenKind } from './accounts.js';

/** Same rule as PostgresMfaStore's prefix: the names are built into SQL text, so only these characters get in. */
const TABLE_PREFIX = /^[a-z_][a-z0-9_]{0,40}$/;
/** Any fixed number, the same on every server: serialises two servers creating the tables at once. */
const MIGRATION_LOCK_KEY = '7406125383467319662';

/**
 * Accounts in PostgreSQL, on the same pool as the PostgresMfaStore, in two tables of their own:
 * `<prefix>app_accounts` and `<prefix>app_tokens`. Each method is one statement, so each is atomic.
 */
export class PostgresAccountStore implements AccountStore {
  readonly #accounts: string;
  readonly #tokens: string;

  constructor(
    private readonly pool: pg.Pool,
    readonly tablePrefix: string,
  ) {
    if (!TABLE_PREFIX.test(tablePrefix)) throw new Error('The table prefix must match /^[a-z_][a-z0-9_]{0,40}$/');
    this.#accounts = `"${tablePrefix}app_accounts"`;
    this.#tokens = `"${tablePrefix}app_tokens"`;
  }

  /** Creates the tables if missing; one simple-protocol query is one transaction, so the lock covers every CREATE. */
  async migrate(): Promise<void> {
    await this.pool.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY});
CREATE TABLE IF NOT EXISTS ${this.#accounts} (
  key text PRIMARY KEY,
  id text NOT NULL UNIQUE,
  username text NOT NULL,
  password_hash text NOT NULL
);
CREATE TABLE IF NOT EXISTS ${this.#tokens} (
  kind text NOT NULL,
  token_hash text NOT NULL,
  user_id text NOT NULL,
  username text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (kind, token_hash)
);
CREATE INDEX IF NOT EXISTS "${this.tablePrefix}app_tokens_exp" ON ${this.#tokens} (expires_at);
CREATE INDEX IF NOT EXISTS "${this.tablePrefix}app_tokens_user" ON ${this.#tokens} (user_id);`);
  }

  async addAccount(key: string, account: Account): Promise<boolean> {
    // ON CONFLICT DO NOTHING: of two sign-ups for one name, the second inserts nothing and returns no row.
    const { rowCount } = await this.pool.query(
      `INSERT INTO ${this.#accounts} (key, id, username, password_hash) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING`,
      [key, account.id, account.username, account.passwordHash],
    );
    return rowCount === 1;
  }

  async findAccount(key: string): Promise<Account | null> {
    const { rows } = await this.pool.query<{ id: string; username: string; password_hash: string }>(
      `SELECT id, username, password_hash FROM ${this.#accounts} WHERE key = $1`,
      [key],
    );
    const row = rows[0];
    return row ? { id: row.id, username: row.username, passwordHash: row.password_hash } : null;
  }

  async putToken(kind: TokenKind, tokenHash: string, owner: AccountRef, ttlMs: number): Promise<void> {
    // Sweeps expired tokens in the same statement: nothing else would ever delete them.
    await this.pool.query(
      `WITH swept AS (DELETE FROM ${this.#tokens} WHERE expires_at <= now())
       INSERT INTO ${this.#tokens} (kind, token_hash, user_id, username, expires_at)
       VALUES ($1, $2, $3, $4, now() + $5 * interval '1 millisecond')`,
      [kind, tokenHash, owner.id, owner.username, ttlMs],
    );
  }

  async findToken(kind: TokenKind, tokenHash: string): Promise<AccountRef | null> {
    const { rows } = await this.pool.query<{ user_id: string; username: string }>(
      `SELECT user_id, username FROM ${this.#tokens} WHERE kind = $1 AND token_hash = $2 AND expires_at > now()`,
      [kind, tokenHash],
    );
    return ownerOf(rows[0]);
  }

  async takeToken(kind: TokenKind, tokenHash: string): Promise<AccountRef | null> {
    // DELETE ... RETURNING: the row lock makes a concurrent second DELETE find nothing, so it returns no row.
    const { rows } = await this.pool.query<{ user_id: string; username: string; live: boolean }>(
      `DELETE FROM ${this.#tokens} WHERE kind = $1 AND token_hash = $2 RETURNING user_id, username, expires_at > now() AS live`,
      [kind, tokenHash],
    );
    return rows[0]?.live ? ownerOf(rows[0]) : null;
  }

  async endOtherSessions(userId: string, keepTokenHash: string): Promise<number> {
    // One statement: every other session row of the user goes, whichever server created it.
    const { rowCount } = await this.pool.query(
      `DELETE FROM ${this.#tokens} WHERE kind = 'session' AND user_id = $1 AND token_hash <> $2`,
      [userId, keepTokenHash],
    );
    return rowCount ?? 0;
  }
}

function ownerOf(row: { user_id: string; username: string } | undefined): AccountRef | null {
  return row ? { id: row.user_id, username: row.username } : null;
}
