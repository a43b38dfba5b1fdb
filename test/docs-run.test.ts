import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allBlocks, scratchDir, writeBlocks, type DocBlock } from './support/doc-blocks.js';
import { repoRoot } from './support/packed-package.js';
import {
  DATABASE_URL,
  REDIS_URL,
  deleteRedisKeysUnder,
  newPgPool,
  newRedisClient,
  postgresAvailable,
  redisAvailable,
} from './support/services.js';

// Every README block that is a whole program (not marked `ts fragment`) runs as a reader would run it, `tsx file.ts`,
// in a process of its own, and must exit 0 by itself within the time limit: a client left open keeps the process
// alive, and that fails here. Blocks that import ioredis or pg run against the real services and are skipped, with a
// message, where those are down (a failure with MFA_REQUIRE_SERVICES=1). Each run gets its own Redis key prefix
// (MFA_REDIS_PREFIX, which the README's Redis script passes on) and its own PostgreSQL schema (through PGOPTIONS,
// which pg reads like every PG* variable), removed afterwards.
const RUN_LIMIT_MS = 30_000;
const programs = allBlocks().filter((block) => !block.fragment);
const needs = (service: 'redis' | 'postgres') => programs.some((block) => block.services.includes(service));
const up = {
  redis: needs('redis') && (await redisAvailable()),
  postgres: needs('postgres') && (await postgresAvailable()),
};

const dir = scratchDir('run');
const files = writeBlocks(programs, dir);
const runId = `${process.pid}_${randomBytes(4).toString('hex')}`;
const redisPrefix = `docs-${runId}:`;
const schema = `docs_${runId}`;

beforeAll(async () => {
  if (!up.postgres) return;
  const pool = newPgPool();
  await pool.query(`CREATE SCHEMA ${schema}`).finally(() => pool.end());
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (up.redis) {
    const client = newRedisClient();
    await deleteRedisKeysUnder(client, redisPrefix).finally(() => client.disconnect());
  }
  if (up.postgres) {
    const pool = newPgPool();
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => pool.end());
  }
});

/** What a reader's shell would have: the services' addresses, an encryption key, and nothing of this test run. */
function readerEnvironment(): NodeJS.ProcessEnv {
  const database = new URL(DATABASE_URL);
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    REDIS_URL,
    MFA_REDIS_PREFIX: redisPrefix,
    PGHOST: database.hostname,
    PGPORT: database.port || '5432',
    PGUSER: decodeURIComponent(database.username),
    PGPASSWORD: decodeURIComponent(database.password),
    PGDATABASE: database.pathname.slice(1),
    PGOPTIONS: `-c search_path=${schema}`,
    MFA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  };
}

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

function runBlock(file: string): Promise<Outcome> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', file],
      { cwd: repoRoot, env: readerEnvironment(), timeout: RUN_LIMIT_MS, killSignal: 'SIGKILL', encoding: 'utf8' },
      (error, stdout, stderr) => {
        const failed = error as (Error & { code?: number | string; signal?: NodeJS.Signals }) | null;
        done({
          code: failed ? (typeof failed.code === 'number' ? failed.code : null) : 0,
          signal: failed?.signal ?? null,
          output: `${stdout}\n${stderr}`.trim(),
        });
      },
    );
  });
}

const missing = (block: DocBlock) => block.services.filter((service) => !up[service]);

describe('README programs run to their end, by themselves', () => {
  it('finds whole programs to run', () => {
    expect(programs.length).toBeGreaterThanOrEqual(4);
  });

  for (const block of programs) {
    const skip = missing(block).length > 0;
    const title = skip ? `${block.name} (SKIPPED: ${missing(block).join(' and ')} unreachable)` : block.name;
    it.skipIf(skip)(
      title,
      async () => {
        const outcome = await runBlock(files.get(block)!);
        const hung =
          outcome.signal === 'SIGKILL' ? ` (still running after ${RUN_LIMIT_MS} ms: a client left open?)` : '';
        expect({ code: outcome.code, signal: outcome.signal }, `${block.name}${hung}:\n${outcome.output}`).toEqual({
          code: 0,
          signal: null,
        });
      },
      RUN_LIMIT_MS + 10_000,
    );
  }
});
