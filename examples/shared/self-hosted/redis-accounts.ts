import type { Redis } from 'ioredis';
import type { Account, AccountRef, AccountStore, TokenKind } from './accounts.js';

/**
 * Accounts in Redis, on the same client as the RedisMfaStore. Keys: `<prefix>example:account:<name>` (no TTL) and
 * `<prefix>example:<kind>:<sha256>` (TTL). The MFA store's keys are `<prefix>{<user id>}:...`, so they never meet.
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
    await this.client.set(
      this.#tokenKey(kind, tokenHash),
      JSON.stringify({ id: owner.id, username: owner.username }),
      'PX',
      ttlMs,
    );
  }

  async findToken(kind: TokenKind, tokenHash: string): Promise<AccountRef | null> {
    return parse<AccountRef>(await this.client.get(this.#tokenKey(kind, tokenHash)));
  }

  async takeToken(kind: TokenKind, tokenHash: string): Promise<AccountRef | null> {
    // GETDEL (Redis 6.2+): read and delete in one command, so only one caller gets the value.
    return parse<AccountRef>(await this.client.getdel(this.#tokenKey(kind, tokenHash)));
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
