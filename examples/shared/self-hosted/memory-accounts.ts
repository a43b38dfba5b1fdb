import type { Account, AccountRef, AccountStore, TokenKind } from './accounts.js';

/** Accounts in this process only, lost on restart. Every method runs without an `await` inside, so each is atomic. */
export class MemoryAccountStore implements AccountStore {
  readonly #accounts = new Map<string, Account>();
  readonly #tokens = new Map<string, AccountRef & { expiresAt: number }>();
  #nextSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async addAccount(key: string, account: Account): Promise<boolean> {
    if (this.#accounts.has(key)) return false;
    this.#accounts.set(key, { ...account });
    return true;
  }

  async findAccount(key: string): Promise<Account | null> {
    const account = this.#accounts.get(key);
    return account ? { ...account } : null;
  }

  async putToken(kind: TokenKind, tokenHash: string, owner: AccountRef, ttlMs: number): Promise<void> {
    this.#sweep();
    this.#tokens.set(`${kind}:${tokenHash}`, { id: owner.id, username: owner.username, expiresAt: this.now() + ttlMs });
  }

  async findToken(kind: TokenKind, tokenHash: string): Promise<AccountRef | null> {
    return this.#live(`${kind}:${tokenHash}`);
  }

  async takeToken(kind: TokenKind, tokenHash: string): Promise<AccountRef | null> {
    // Read and delete with no await between them: no other request can run in the middle.
    const owner = this.#live(`${kind}:${tokenHash}`);
    this.#tokens.delete(`${kind}:${tokenHash}`);
    return owner;
  }

  async endOtherSessions(userId: string, keepTokenHash: string): Promise<number> {
    // One pass with no await: a session created while it runs is either seen here or created after it.
    let ended = 0;
    for (const [key, entry] of this.#tokens) {
      if (entry.id === userId && key.startsWith('session:') && key !== `session:${keepTokenHash}`) {
        this.#tokens.delete(key);
        ended++;
      }
    }
    return ended;
  }

  #live(key: string): AccountRef | null {
    const entry = this.#tokens.get(key);
    return entry && this.now() < entry.expiresAt ? { id: entry.id, username: entry.username } : null;
  }

  /** Expired tokens would otherwise stay forever; a pass a minute at most keeps logins cheap. */
  #sweep(): void {
    const now = this.now();
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + 60_000;
    for (const [key, entry] of this.#tokens) if (now >= entry.expiresAt) this.#tokens.delete(key);
  }
}
