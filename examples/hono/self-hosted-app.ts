import type { Hono } from 'hono';
import { MfaClient } from 'saasus-mfa';
import { MemoryMfaStore, type MfaStore } from 'saasus-mfa/totp';
import type { AccountStore } from '../shared/self-hosted/accounts.js';
import { SelfHostedAuth, TRUSTED_BROWSER_TTL_MS } from '../shared/self-hosted/auth.js';
import { MemoryAccountStore } from '../shared/self-hosted/memory-accounts.js';
import { TotpMfaProvider } from 'saasus-mfa/totp';
import { type HonoAppOptions, createHonoApp } from './app.js';

/** What the runtime entries (bun.ts, deno.ts, worker.ts) pass: no environment is read below this line. */
export interface SelfHostedHonoOptions extends HonoAppOptions {
  /** MFA_ENCRYPTION_KEY, read by the entry in its runtime's own way. */
  encryptionKey: string;
  /**
   * Where MFA state lives. Default: memory (this isolate or process only). This is the one place a persistent
   * store plugs in: `saasus-mfa/stores/sqlite` over the D1 binding (`env.DB`) on Workers, over a SQLite file on
   * Bun or Deno (shared/self-hosted/sqlite-backend.ts builds it with `accounts`).
   */
  mfaStore?: MfaStore;
  /** Where users and sessions live, beside `mfaStore`. Default: memory (lost with the process or isolate). */
  accounts?: AccountStore;
}

/**
 * The self-hosted example as the Fetch-API runtimes start it: TotpMfaProvider on the store, the accounts and
 * sessions (memory unless given), the Hono app over them. Built without shared/self-hosted/backends.ts, whose Redis and PostgreSQL stores a
 * Worker cannot bundle without them.
 */
export function selfHostedHonoApp(options: SelfHostedHonoOptions): Hono {
  const provider = new TotpMfaProvider({
    store: options.mfaStore ?? new MemoryMfaStore(),
    encryptionKey: options.encryptionKey,
    trustedDeviceTtlMs: TRUSTED_BROWSER_TTL_MS,
  });
  const mfa = new MfaClient({ provider, issuer: 'Acme' });
  return createHonoApp({ auth: new SelfHostedAuth(mfa, options.accounts ?? new MemoryAccountStore()) }, options);
}
