import type { SqliteDriver, SqliteRow } from 'saasus-mfa/stores/sqlite';
import type { Account, AccountRef, AccountStore, TokenKind } from './accounts.js';

/** Same rule as SqliteMfaStore's prefix: the names are built into SQL text, so only these characters get in. */
const TABLE_PREFIX = /^[a-z_][a-z0-9_]{0,40}$/;

/**
 * Accounts in SQLite (a file on Node, Bun and Deno; D1 on Workers), through the same driver as the SqliteMfaStore,
 * in two tables of their own: `<prefix>app_accounts` and `<prefix>app_tokens`. Each method is one batch, which the
 * driver runs as one transaction, so each is atomic (a sign-up's insert-if-free, a challenge's take).
 */
export class SqliteAccountStore implements AccountStore {
  readonly #accounts: string;
  readonly #tokens: string;

  constructor(
    private readonly driver: SqliteDriver,
    readonly tablePrefix: string,
    private readonly now: () => number = Date.now,
  ) {
    if (!TABLE_PREFIX.test(tablePrefix)) throw new Error('The table prefix must match /^[a-z_][a-z0-9_]{0,40}$/');
    this.#accounts = `"${tablePrefix}app_accounts"`;
    this.#tokens = `"${tablePrefix}app_tokens"`;
  }

  /** Creates the tables if missing, in one transaction; idempotent. Times are epoch milliseconds. */
  async migrate(): Promise<void> {
    await this.#run([
      `CREATE TABLE IF NOT EXISTS ${this.#accounts} (
  key TEXT PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  username TEXT NOT NULL,
  password_hash TEXT NOT NULL
)`,
      `CREATE TABLE IF NOT EXISTS ${this.#tokens} (
  kind TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  user_id TEXT NOT NULL,
  username TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (kind, token_hash)
)`,
      `CREATE INDEX IF NOT EXISTS "${this.tablePrefix}app_tokens_user" ON ${this.#tokens} (user_id)`,
    ]);
  }

  async addAccount(key: string, account: Account): Promise<boolean> {
    // ON CONFLICT DO NOTHING: of two sign-ups for one name, the second inserts nothing and returns no row.
    const [added = []] = await this.#run([
      [
        `INSERT INTO ${this.#accounts} (key, id, username, password_hash) VALUES (?, ?, ?, ?)
ON CONFLICT (key) DO NOTHING RETURNING 1 AS added`,
        [key, account.id, account.username, account.passwordHash],
      ],
    ]);
    return added.length === 1;
  }

  async findAccount(key: string): Promise<Account | null> {
    const [rows = []] = await this.#run([
      [`SELECT id, username, password_hash FROM ${this.#accounts} WHERE key = ?`, [key]],
    ]);
    const row = rows[0];
    return row ? { id: String(row.id), username: String(row.username), passwordHash: String(row.password_hash) } : null;
  }

  async putToken(kind: TokenKind, tokenHash: string, owner: AccountRef, ttlMs: number): Promise<void> {
    // Sweeps expired tokens in the same batch: nothing else would ever delete them.
    const now = this.now();
    await this.#run([
      [`DELETE FROM ${this.#tokens} WHERE expires_at <= ?`, [now]],
      [
        `INSERT OR REPLACE INTO ${this.#tokens} (kind, token_hash, user_id, username, expires_at) VALUES (?, ?, ?, ?, ?)`,
        [kind, tokenHash, owner.id, owner.username, now + ttlMs],
      ],
    ]);
  }

  async findToken(kind: TokenKind, tokenHash: string): Promise<AccountRef | null> {
    const [rows = []] = await this.#run([
      [
        `SELECT user_id, username FROM ${this.#tokens} WHERE kind = ? AND token_hash = ? AND expires_at > ?`,
        [kind, tokenHash, this.now()],
      ],
    ]);
    return ownerOf(rows[0]);
  }

  async takeToken(kind: TokenKind, tokenHash: string): Promise<AccountRef | null> {
    // DELETE ... RETURNING in one transaction: a concurrent second take finds no row.
    const [rows = []] = await this.#run([
      [
        `DELETE FROM ${this.#tokens} WHERE kind = ? AND token_hash = ? RETURNING user_id, username, expires_at > ? AS live`,
        [kind, tokenHash, this.now()],
      ],
    ]);
    const row = rows[0];
    return row && Number(row.live) === 1 ? ownerOf(row) : null;
  }

  async endOtherSessions(userId: string, keepTokenHash: string): Promise<number> {
    const [rows = []] = await this.#run([
      [
        `DELETE FROM ${this.#tokens} WHERE kind = 'session' AND user_id = ? AND token_hash <> ? RETURNING 1 AS ended`,
        [userId, keepTokenHash],
      ],
    ]);
    return rows.length;
  }

  #run(statements: Array<string | [string, Array<string | number>]>): Promise<SqliteRow[][]> {
    return this.driver.batch(
      statements.map((statement) =>
        typeof statement === 'string' ? { sql: statement, params: [] } : { sql: statement[0], params: statement[1] },
      ),
    );
  }
}

function ownerOf(row: SqliteRow | undefined): AccountRef | null {
  return row ? { id: String(row.user_id), username: String(row.username) } : null;
}
