// One "server" process of the SQLite cross-process tests (sqlite-store-processes.test.ts), run with tsx:
//   node --import tsx test/support/sqlite-process.ts <request as JSON>
// It opens its own connection to the file (through the binding the request names), says "ready", waits for a line on stdin (sent once every
// process is ready, so they all run at once), performs its operations and prints their outcomes (and when it ran)
// as one JSON line.
import { SqliteMfaStore } from '../../src/stores/sqlite/index.js';
import type { AttemptBudget } from '../../src/totp/store.js';
import { sqliteBindings, type SqliteBinding } from './sqlite-stores.js';

interface Request {
  binding: SqliteBinding['name'];
  file: string;
  operation: 'wrong-code' | 'claim' | 'recovery';
  times: number;
  userId: string;
  secretId: string;
  budget: AttemptBudget;
}

const request = JSON.parse(process.argv[2] ?? '{}') as Request;
const binding = sqliteBindings.find((candidate) => candidate.name === request.binding);
if (!binding || binding.missing) throw new Error(`${request.binding} is not available: ${binding?.missing}`);
const db = binding.open(request.file);
const store = new SqliteMfaStore({ driver: db.driver });
const { userId, secretId, budget } = request;

process.stdout.write('ready\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.destroy();
const startedAt = Date.now();
const outcomes: string[] = [];
for (let i = 0; i < request.times; i++) {
  const answer =
    request.operation === 'recovery'
      ? await store.useRecoveryCode({ userId, candidateHashes: ['only'], budget })
      : await store.attemptAndClaim({
          userId,
          target: 'factor',
          secretId,
          step: request.operation === 'claim' ? 7000 : null,
          budget,
        });
  outcomes.push(answer.outcome);
  // Yield between operations so the processes interleave at the database, not in turns.
  await new Promise((resolve) => setImmediate(resolve));
}
db.close();
process.stdout.write(`${JSON.stringify({ outcomes, startedAt, endedAt: Date.now() })}\n`);
