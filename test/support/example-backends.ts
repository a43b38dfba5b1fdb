import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Backend,
  memoryBackend,
  postgresBackend,
  redisBackend,
  sqliteBackend,
} from '../../examples/shared/self-hosted/backends.js';
import { openSqliteFile } from '../../examples/shared/self-hosted/sqlite-file.js';
import { deleteRedisKeysUnder, newPgPool, newRedisClient, postgresAvailable, redisAvailable } from './services.js';

/** A self-hosted example backend opened for one test file, with its data removed by `close()`. */
export interface OpenBackend {
  backend: Backend;
  close(): Promise<void>;
}

export interface BackendFixture {
  name: Backend['name'];
  /** False when the service is unreachable and not required: the suite is skipped with a visible message. */
  available: boolean;
  open(): Promise<OpenBackend>;
}

const unique = () => randomBytes(6).toString('hex');

/** A unique Redis key prefix for one test, and a way to delete every key under it. */
export function redisTestPrefix() {
  const keyPrefix = `saasus-mfa-example-test:${unique()}:`;
  async function removeKeys(): Promise<void> {
    const client = newRedisClient();
    await client.connect();
    try {
      await deleteRedisKeysUnder(client, keyPrefix);
    } finally {
      client.disconnect();
    }
  }
  return { keyPrefix, removeKeys };
}

async function openRedis(): Promise<OpenBackend> {
  const { keyPrefix, removeKeys } = redisTestPrefix();
  const client = newRedisClient();
  await client.connect();
  const backend = redisBackend(client, keyPrefix);
  return {
    backend,
    async close() {
      await backend.close();
      await removeKeys();
    },
  };
}

async function openPostgres(): Promise<OpenBackend> {
  const tablePrefix = `mfa_example_test_${unique()}_`;
  const backend = await postgresBackend(newPgPool(), tablePrefix);
  return {
    backend,
    async close() {
      await backend.close();
      const pool = newPgPool();
      try {
        const { rows } = await pool.query<{ tablename: string }>(
          'select tablename from pg_tables where starts_with(tablename, $1)',
          [tablePrefix],
        );
        for (const { tablename } of rows) await pool.query(`drop table if exists "${tablename}"`);
      } finally {
        await pool.end();
      }
    },
  };
}

/** A SQLite file in a fresh directory (better-sqlite3 here, as `SQLITE_PATH` picks it), removed with its directory. */
async function openSqlite(): Promise<OpenBackend> {
  const dir = mkdtempSync(join(tmpdir(), 'saasus-mfa-example-sqlite-'));
  const path = join(dir, 'mfa.db');
  const backend = await sqliteBackend(await openSqliteFile(path), 'saasus_mfa_', path);
  return {
    backend,
    async close() {
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The four backends of self-hosted mode; the service-backed ones are probed once per file. */
export async function backendFixtures(): Promise<BackendFixture[]> {
  const [redis, postgres] = await Promise.all([redisAvailable(), postgresAvailable()]);
  return [
    { name: 'memory', available: true, open: async () => ({ backend: memoryBackend(), close: async () => {} }) },
    { name: 'redis', available: redis, open: openRedis },
    { name: 'postgres', available: postgres, open: openPostgres },
    { name: 'sqlite', available: true, open: openSqlite },
  ];
}
