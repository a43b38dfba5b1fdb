import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteMfaStore, betterSqlite3Driver } from '../src/stores/sqlite/index.js';
import { budget, enabledUser, peek } from './support/store-contract.js';
import { sqliteBindings, temporaryDatabase } from './support/sqlite-stores.js';

// The contract suites run two connections on one file inside one process, where a synchronous binding never
// interleaves two batches. Here four real processes share the file, so only SQLite's write lock (BEGIN IMMEDIATE)
// keeps each operation atomic.

const run = promisify(execFile);
const PROCESSES = 4;
const better = sqliteBindings.find((binding) => binding.name === 'better-sqlite3')!;

describe.skipIf(better.missing !== null)('SqliteMfaStore across processes (better-sqlite3, one file)', () => {
  const database = temporaryDatabase();
  const db = new Database(database.file, { timeout: 10_000 });
  db.pragma('journal_mode = WAL');
  const store = new SqliteMfaStore({ driver: betterSqlite3Driver(db) });
  afterAll(() => {
    db.close();
    database.remove();
  });

  /**
   * Runs `times` operations in each of four processes started together; answers every outcome, after checking that
   * the processes really ran at the same time (each started before any other ended).
   */
  async function inProcesses(request: Record<string, unknown>, times: number): Promise<string[]> {
    const startAt = Date.now() + 4000;
    const runs = Array.from({ length: PROCESSES }, () =>
      run(
        process.execPath,
        [
          '--import',
          'tsx',
          'test/support/sqlite-process.ts',
          JSON.stringify({ file: database.file, startAt, times, ...request }),
        ],
        { timeout: 30_000 },
      ),
    );
    const reports = (await Promise.all(runs)).map(
      ({ stdout }) => JSON.parse(stdout) as { outcomes: string[]; startedAt: number; endedAt: number },
    );
    const lastStart = Math.max(...reports.map((r) => r.startedAt));
    expect(Math.min(...reports.map((r) => r.endedAt)), 'the processes overlapped').toBeGreaterThan(lastStart);
    return reports.flatMap((report) => report.outcomes);
  }

  it('brute force: 400 wrong codes from 4 processes with a budget of 5: exactly 5 counted, 395 locked', async () => {
    await store.migrate();
    const { user, secretId } = await enabledUser(store);
    const outcomes = await inProcesses(
      { operation: 'wrong-code', userId: user, secretId, budget: budget([['code', 5]]) },
      100,
    );
    expect(outcomes.filter((o) => o === 'mismatch')).toHaveLength(5);
    expect(outcomes.filter((o) => o === 'locked')).toHaveLength(395);
    expect((await peek(store, user, ['code']))[0]?.count).toBe(5);
  });

  it('replay: 400 claims of one step from 4 processes: exactly 1 claimed', async () => {
    const { user, secretId } = await enabledUser(store);
    const outcomes = await inProcesses(
      { operation: 'claim', userId: user, secretId, budget: budget([['code', 1000]]) },
      100,
    );
    expect(outcomes.filter((o) => o === 'claimed')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'replayed')).toHaveLength(399);
  });

  it('recovery-code reuse: 400 uses of one code from 4 processes: exactly 1 used', async () => {
    const { user, secretId } = await enabledUser(store, ['only', 'other']);
    const outcomes = await inProcesses(
      { operation: 'recovery', userId: user, secretId, budget: budget([['recovery', 1000]]) },
      100,
    );
    expect(outcomes.filter((o) => o === 'used')).toHaveLength(1);
    expect((await store.load({ userId: user })).recoveryCodes).toBe(1);
  });
});
