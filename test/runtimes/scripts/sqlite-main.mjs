// Node, Bun and Deno entry of the SQLite lifecycle: a file (the first argument) through the runtime's own SQLite,
// bun:sqlite on Bun, node:sqlite elsewhere (Node 22.5+, Deno 2.2+). Prints one JSON line.
import { bunSqliteDriver, nodeSqliteDriver } from 'saasus-mfa/stores/sqlite';
import { runSqliteLifecycle } from './sqlite-lifecycle.mjs';

const file = (globalThis.Deno?.args ?? globalThis.process?.argv.slice(2) ?? [])[0];
let report;
if (globalThis.Bun) {
  const { Database } = await import('bun:sqlite');
  const db = new Database(file);
  db.exec('PRAGMA journal_mode = WAL');
  report = await runSqliteLifecycle(bunSqliteDriver(db), 'bun:sqlite');
  db.close();
} else {
  const { DatabaseSync } = await import('node:sqlite');
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL');
  report = await runSqliteLifecycle(nodeSqliteDriver(db), 'node:sqlite');
  db.close();
}
// The one line of output the suite parses.
// eslint-disable-next-line no-console
console.log(JSON.stringify(report));
