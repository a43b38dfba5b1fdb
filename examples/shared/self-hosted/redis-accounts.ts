import type { Redis } from 'ioredis';
import type { Account, AccountRef, AccountStore, TokenKind } from './accounts.js';

/**
 * Accounts in Redis, on the same client as the RedisMfaStore. Keys: `<prefix>example:account:<name>` (no TTL),
 * `<prefix>example:<kind>:<sha256>` (TTL), and `<prefix>example:sessions-of:<user id>`, the set of a user's session
 * hashes (TTL of the newest session), so that their other sessions can be ended. The MFA store's keys are
 * `<prefix>{<user id>}:...`, so they never meet.
 */
export class RedisAccountStore implements AccountStore {
  constructor(
    private readonly client: Redis,
    private readonly keyPrefix: string,
  ) {}

  async addAccount(key: string, account: Account): Promise<boolean> {
    // SET NX: one command, so two sign-ups for one name cannot both succeed.
    return (await this.client.set(this.#accountKey(key), JSON.stringify(account), 'NX')) === 'OK';
  }

  async findAccount(key: string): Promise<Account | null> {
    return parse<Account>(await this.client.get(this.#accountKey(key)));
  }

  async putToken(kind: TokenKind, tokenHash: string, owner: AccountRef, ttlMs: number): Promise<void> {
    const value = JSON.stringify({ id: owner.id, username: owner.username });
    if (kind !== 'session') {
      await this.client.set(this.#tokenKey(kind, tokenHash), value, 'PX', ttlMs);
      return;
    }
    // MULTI: the session and its entry in the user's set are written together, or neither is.
    const results = await this.client
      .multi()
      .set(this.#tokenKey(kind, tokenHash), value, 'PX', ttlMs)
      .sadd(this.#sessionsOf(owner.id), tokenHash)
      .pexpire(this.#sessionsOf(owner.id), ttlMs)
      .exec();
    const failed = results?.find(([error]) => error)?.[0];
    if (!results || failed) throw failed ?? new Error('The session write was discarded');
  }

  async findToken(kind: TokenKind, tokenHash: string): Promise<AccountRef | null> {
    return parse<AccountRef>(await this.client.get(this.#tokenKey(kind, tokenHash)));
  }

  async takeToken(kind: TokenKind, tokenHash: string): Promise<AccountRef | null> {
    // GETDEL (Redis 6.2+): read and delete in one command, so only one caller gets the value.
    return parse<AccountRef>(await this.client.getdel(this.#tokenKey(kind, tokenHash)));
  }

  async endOtherSessions(userId: string, keepTokenHash: string): Promise<number> {
    const set = this.#sessionsOf(userId);
    const others = (await this.client.smembers(set)).filter((hash) => hash !== keepTokenHash);
    if (others.length === 0) return 0;
    // One MULTI deletes the sessions and their set entries; members whose session already expired delete nothing.
    const results = await this.client
      .multi()
      .del(...others.map((hash) => this.#tokenKey('session', hash)))
      .srem(set, ...others)
      .exec();
    const [error, deleted] = results?.[0] ?? [new Error('The session delete was discarded'), 0];
    if (error) throw error;
    return Number(deleted);
  }

  #sessionsOf(userId: string): string {
    return `${this.keyPrefix}example:sessions-of:${encodeURIComponent(userId)}`;
  }

  #accountKey(key: string): string {
    return `${this.keyPrefix}example:account:${encodeURIComponent(key)}`;
  }

  #tokenKey(kind: TokenKind, tokenHash: string): string {
    return `${this.keyPrefix}example:${kind}:${tokenHash}`;
  }
}

function parse<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}
