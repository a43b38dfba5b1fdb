import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteMfaStore } from '../src/stores/sqlite/index.js';
import { budget, enabledUser, peek } from './support/store-contract.js';
import { sqliteBindings, temporaryDatabase } from './support/sqlite-stores.js';

// The contract suites run two connections on one file inside one process, where a synchronous binding never
// interleaves two batches. Here four real processes share the file, so only SQLite's write lock (BEGIN IMMEDIATE)
// keeps each operation atomic.

const PROCESSES = 4;
// The synchronous bindings (the D1 API fake is better-sqlite3 again).
const bindings = sqliteBindings.filter((binding) => binding.name !== 'd1-api');

for (const binding of bindings)
  describe.skipIf(binding.missing !== null)(
    `SqliteMfaStore across processes (${binding.name}, one file)`,
    { timeout: 90_000 },
    () => {
      const database = temporaryDatabase();
      let connection: ReturnType<typeof binding.open>;
      let store: SqliteMfaStore;
      beforeAll(async () => {
        connection = binding.open(database.file);
        store = new SqliteMfaStore({ driver: connection.driver });
        await store.migrate();
      });
      afterAll(() => {
        connection?.close();
        database.remove();
      });

      /**
       * Runs `times` operations in each of four processes, released together once all have started; answers every
       * outcome, after checking that the processes really ran at the same time (each started before any other ended).
       */
      async function inProcesses(request: Record<string, unknown>, times: number): Promise<string[]> {
        const children = Array.from({ length: PROCESSES }, () => {
          const args = [
            '--import',
            'tsx',
            'test/support/sqlite-process.ts',
            JSON.stringify({ binding: binding.name, file: database.file, times, ...request }),
          ];
          const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'], timeout: 60_000 });
          let output = '';
          child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
          const ready = new Promise<void>((resolve) => {
            const check = () => (output.startsWith('ready\n') ? resolve() : undefined);
            child.stdout.on('data', check);
          });
          const done = new Promise<string>((resolve, reject) =>
            child.on('close', (code) =>
              code === 0 ? resolve(output.slice('ready\n'.length)) : reject(new Error(`exit ${code}`)),
            ),
          );
          return { child, ready, done };
        });
        await Promise.all(children.map((c) => c.ready));
        for (const { child } of children) child.stdin.end('go\n');
        const reports = (await Promise.all(children.map((c) => c.done))).map(
          (line) => JSON.parse(line) as { outcomes: string[]; startedAt: number; endedAt: number },
        );
        const lastStart = Math.max(...reports.map((r) => r.startedAt));
        expect(Math.min(...reports.map((r) => r.endedAt)), 'the processes overlapped').toBeGreaterThan(lastStart);
        return reports.flatMap((report) => report.outcomes);
      }

      it('brute force: 400 wrong codes from 4 processes with a budget of 5: exactly 5 counted, 395 locked', async () => {
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
    },
  );
