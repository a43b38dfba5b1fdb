/** A user of the example app. `id` is what the MFA state is keyed by; it never changes, even if a name would. */
export interface Account {
  id: string;
  /** As typed at sign-up; shown back by /me and in the authenticator app. */
  username: string;
  /** `scrypt$N$r$p$salt$hash` (passwords.ts); never the password. */
  passwordHash: string;
}

/** Who a session or a login challenge belongs to. */
export interface AccountRef {
  id: string;
  username: string;
}

/** Session tokens (12 h) and login challenges (5 min): both are random tokens, kept only as their SHA-256. */
export type TokenKind = 'session' | 'challenge';

/**
 * The example's own state: accounts, sessions, login challenges. Three backends (memory, Redis, PostgreSQL) keep it
 * beside the MFA state, so servers sharing one Redis or one database share the accounts too.
 *
 * Two operations must be atomic, because they race when two requests arrive together:
 * - `addAccount` inserts only if the name is free (two sign-ups for one name: one wins, one gets 409);
 * - `takeToken` deletes and returns in one step (two correct codes for one challenge: only one gets a session).
 */
export interface AccountStore {
  /** Adds the account unless `key` is taken. Resolves false when it is. */
  addAccount(key: string, account: Account): Promise<boolean>;
  findAccount(key: string): Promise<Account | null>;
  putToken(kind: TokenKind, tokenHash: string, owner: AccountRef, ttlMs: number): Promise<void>;
  /** The owner of a live token, or null (unknown or expired). */
  findToken(kind: TokenKind, tokenHash: string): Promise<AccountRef | null>;
  /** Deletes a live token and returns its owner; null when it was not there. At most one caller ever gets it. */
  takeToken(kind: TokenKind, tokenHash: string): Promise<AccountRef | null>;
  /**
   * Ends every session of the user except the one whose hash is `keepTokenHash` (after MFA was turned on or off, as
   * ASVS asks after a credential change). Resolves with how many sessions ended.
   */
  endOtherSessions(userId: string, keepTokenHash: string): Promise<number>;
}
