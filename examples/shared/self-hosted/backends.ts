import type { Redis } from 'ioredis';
import type pg from 'pg';
import { PostgresMfaStore } from 'saasus-mfa/stores/postgres';
import { RedisMfaStore } from 'saasus-mfa/stores/redis';
import { MemoryMfaStore, type MfaStore } from 'saasus-mfa/totp';
import type { AccountStore } from './accounts.js';
import { MemoryAccountStore } from './memory-accounts.js';
import { PostgresAccountStore } from './postgres-accounts.js';
import { RedisAccountStore } from './redis-accounts.js';
import { DEFAULT_SQLITE_TABLE_PREFIX, sqliteBackendParts } from './sqlite-backend.js';
import { type OpenSqliteFile, openSqliteFile } from './sqlite-file.js';

/** Where self-hosted mode keeps its state: the SDK's MFA store and the example's accounts, side by side. */
export interface Backend {
  name: 'memory' | 'redis' | 'postgres' | 'sqlite';
  /** For the banner: where the state is, without credentials. */
  description: string;
  mfaStore: MfaStore;
  accounts: AccountStore;
  /** Closes the connection (the data stays). */
  close(): Promise<void>;
}

export function memoryBackend(): Backend {
  return {
    name: 'memory',
    description: 'in memory (lost on restart; set REDIS_URL, DATABASE_URL or SQLITE_PATH to keep it)',
    mfaStore: new MemoryMfaStore(),
    accounts: new MemoryAccountStore(),
    close: async () => {},
  };
}

/** Both stores on one ioredis client and one key prefix: servers sharing the Redis share users, sessions and MFA. */
export function redisBackend(client: Redis, keyPrefix: string, where = 'Redis'): Backend {
  return {
    name: 'redis',
    description: `in ${where} (key prefix ${keyPrefix})`,
    mfaStore: new RedisMfaStore({ client, keyPrefix }), // checks the prefix
    accounts: new RedisAccountStore(client, keyPrefix),
    close: async () => {
      await client.quit();
    },
  };
}

/** Both stores on one pg pool, their tables under one prefix; creates the tables if missing. */
export async function postgresBackend(pool: pg.Pool, tablePrefix: string, where = 'PostgreSQL'): Promise<Backend> {
  const mfaStore = new PostgresMfaStore({ pool, tablePrefix }); // checks the prefix
  const accounts = new PostgresAccountStore(pool, tablePrefix);
  await mfaStore.migrate();
  await accounts.migrate();
  return {
    name: 'postgres',
    description: `in ${where} (tables ${tablePrefix}*)`,
    mfaStore,
    accounts,
    close: () => pool.end(),
  };
}

/**
 * Both stores in one SQLite file (one server: the file outlives restarts, but is not shared by servers on other
 * machines), their tables under one prefix; creates the tables if missing.
 */
export async function sqliteBackend(file: OpenSqliteFile, tablePrefix: string, where: string): Promise<Backend> {
  const { mfaStore, accounts } = await sqliteBackendParts(file.driver, tablePrefix);
  return {
    name: 'sqlite',
    description: `in SQLite at ${where} (${file.binding}, tables ${tablePrefix}*)`,
    mfaStore,
    accounts,
    close: async () => file.close(),
  };
}

/**
 * The backend the environment asks for: `REDIS_URL` → Redis (prefix `MFA_REDIS_PREFIX`, default `saasus-mfa:`),
 * `DATABASE_URL` → PostgreSQL (prefix `MFA_TABLE_PREFIX`, default `saasus_mfa_`), `SQLITE_PATH` → that SQLite
 * file (same prefix variable; better-sqlite3 when installed, else node:sqlite), none → memory.
 * Connects first, so a wrong URL stops the app at start rather than at the first sign-up.
 */
export async function backendFromEnv(env: Record<string, string | undefined>): Promise<Backend> {
  const { REDIS_URL, DATABASE_URL, SQLITE_PATH } = env;
  if ([REDIS_URL, DATABASE_URL, SQLITE_PATH].filter(Boolean).length > 1)
    throw new Error('Set one of REDIS_URL, DATABASE_URL and SQLITE_PATH, not several: the state lives in one place');
  if (SQLITE_PATH) {
    let file: OpenSqliteFile | undefined;
    try {
      file = await openSqliteFile(SQLITE_PATH);
      return await sqliteBackend(file, env.MFA_TABLE_PREFIX ?? DEFAULT_SQLITE_TABLE_PREFIX, SQLITE_PATH);
    } catch (error) {
      file?.close();
      throw new Error(`Cannot use the SQLite file at ${SQLITE_PATH} (SQLITE_PATH): ${describeSqlite(error)}`);
    }
  }
  if (REDIS_URL) {
    // Loaded only in this mode: ioredis and pg are optional.
    const { Redis } = await import('ioredis');
    const client = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 2 });
    // Without a listener ioredis prints every reconnect error with its details; one line, the error code only.
    let lastError: unknown;
    client.on('error', (error: NodeJS.ErrnoException) => {
      lastError = error;
      console.error(`[mfa-example] Redis: ${error.code ?? error.name}`);
    });
    try {
      await client.connect();
      return redisBackend(client, env.MFA_REDIS_PREFIX ?? 'saasus-mfa:', `Redis at ${withoutCredentials(REDIS_URL)}`);
    } catch (error) {
      client.disconnect();
      throw new Error(
        `Cannot use Redis at ${withoutCredentials(REDIS_URL)} (REDIS_URL): ${describe(lastError ?? error)}`,
      );
    }
  }
  if (DATABASE_URL) {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 });
    // An idle connection dropped by the server must not crash the app; the next query reconnects.
    pool.on('error', (error: NodeJS.ErrnoException) =>
      console.error(`[mfa-example] PostgreSQL: ${error.code ?? error.name}`),
    );
    try {
      return await postgresBackend(
        pool,
        env.MFA_TABLE_PREFIX ?? 'saasus_mfa_',
        `PostgreSQL at ${withoutCredentials(DATABASE_URL)}`,
      );
    } catch (error) {
      await pool.end();
      throw new Error(
        `Cannot use PostgreSQL at ${withoutCredentials(DATABASE_URL)} (DATABASE_URL): ${describe(error)}`,
      );
    }
  }
  return memoryBackend();
}

/**
 * A SQLite failure is the file's (a missing directory, no permission, not a database) or a missing binding; the
 * messages name the path or the package, never a value stored in it, so they are shown whole.
 */
function describeSqlite(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  return message ? (code ? `${message} (${code})` : message) : describe(error);
}

/** redis://user:pass@host:6379/0 → redis://host:6379/0: the banner and errors never show a password. */
function withoutCredentials(url: string): string {
  try {
    const { protocol, host, pathname } = new URL(url);
    return `${protocol}//${host}${pathname === '/' ? '' : pathname}`;
  } catch {
    return '(an unparsable URL)';
  }
}

/** A configuration error's own message is safe (it names options, not values); a driver's is reduced to its code. */
function describe(error: unknown): string {
  const { name, code, message } = (error ?? {}) as { name?: string; code?: string; message?: string };
  if (name === 'MfaConfigurationError' && message) return message;
  return code ?? name ?? 'unknown error';
}
