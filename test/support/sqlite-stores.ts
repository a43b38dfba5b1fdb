import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import {
  betterSqlite3Driver,
  d1Driver,
  nodeSqliteDriver,
  type D1DatabaseLike,
  type SqliteDriver,
} from '../../src/stores/sqlite/index.js';

/** One SQLite binding the store is tested on: how to open a connection to a file, and why it may be absent. */
export interface SqliteBinding {
  name: 'better-sqlite3' | 'node:sqlite' | 'd1-api';
  /** Null when the binding loads here; otherwise the reason the suites on it are skipped. */
  missing: string | null;
  /** A new connection to `file` with a busy timeout (two connections on one file stand for two processes). */
  open(file: string): { driver: SqliteDriver; all(sql: string): unknown[]; exec(sql: string): void; close(): void };
}

const require = createRequire(import.meta.url);

function loadBetterSqlite3(): SqliteBinding {
  const name = 'better-sqlite3';
  try {
    const Database = require('better-sqlite3') as typeof import('better-sqlite3');
    // The native binding loads on the first open: a build for another Node version fails here, not in a suite.
    new Database(':memory:').close();
    return {
      name,
      missing: null,
      open(file) {
        const db = new Database(file, { timeout: 5000 });
        db.pragma('journal_mode = WAL');
        return {
          driver: betterSqlite3Driver(db),
          all: (sql) => db.prepare(sql).all(),
          exec: (sql) => void db.exec(sql),
          close: () => db.close(),
        };
      },
    };
  } catch (error) {
    return { name, missing: `better-sqlite3 does not load (${(error as Error).message})`, open: unavailable };
  }
}

function loadNodeSqlite(): SqliteBinding {
  const name = 'node:sqlite';
  try {
    // node:sqlite exists from Node 22.5; on Node 20 the require throws and the suites on it are skipped.
    const { DatabaseSync } = require('node:sqlite') as { DatabaseSync: new (file: string) => NodeDatabase };
    return {
      name,
      missing: null,
      open(file) {
        const db = new DatabaseSync(file);
        db.exec('PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL');
        return {
          driver: nodeSqliteDriver(db),
          all: (sql) => db.prepare(sql).all(),
          exec: (sql) => void db.exec(sql),
          close: () => db.close(),
        };
      },
    };
  } catch {
    return {
      name,
      missing: `node:sqlite needs Node 22.5 or later; this is Node ${process.versions.node}`,
      open: unavailable,
    };
  }
}

interface NodeDatabase {
  prepare(sql: string): { all(...params: unknown[]): unknown[]; run(...params: unknown[]): unknown };
  exec(sql: string): void;
  close(): void;
}

function unavailable(): never {
  throw new Error('this SQLite binding is not available here');
}

/** How the D1 stand-in reaches SQLite: one statement with its values (rows, or [] for a write), and a transaction. */
interface D1Backing {
  run(sql: string, values: unknown[]): unknown[];
  transaction<T>(body: () => T): T;
  all(sql: string): unknown[];
  exec(sql: string): void;
  close(): void;
}

/** better-sqlite3 under the D1 stand-in (Node 20, where node:sqlite is missing). */
function betterSqlite3Backing(file: string): D1Backing {
  const Database = require('better-sqlite3') as typeof import('better-sqlite3');
  const db = new Database(file, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  return {
    run(sql, values) {
      const statement = db.prepare(sql);
      return statement.reader ? statement.all(...values) : (statement.run(...values), []);
    },
    transaction: (body) => db.transaction(body).immediate(),
    all: (sql) => db.prepare(sql).all(),
    exec: (sql) => void db.exec(sql),
    close: () => db.close(),
  };
}

/**
 * node:sqlite under the D1 stand-in (Node 22 and later, where a better-sqlite3 built for Node 20 does not load: the
 * Node 22 and 24 runs and the mutation run then still test the D1 path). `all()` runs a write too, answering [].
 */
function nodeSqliteBacking(file: string): D1Backing {
  const { DatabaseSync } = require('node:sqlite') as { DatabaseSync: new (file: string) => NodeDatabase };
  const db = new DatabaseSync(file);
  db.exec('PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL');
  return {
    run: (sql, values) => db.prepare(sql).all(...values),
    transaction(body) {
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = body();
        db.exec('COMMIT');
        return result;
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      }
    },
    all: (sql) => db.prepare(sql).all(),
    exec: (sql) => void db.exec(sql),
    close: () => db.close(),
  };
}

/**
 * `d1Driver` through D1's documented API (`prepare().bind()`, `batch()` as one transaction, `{ results }`), served
 * by better-sqlite3, or by node:sqlite where better-sqlite3 does not load: it checks the adapter's calls and the
 * store's statements on the D1 path. Real D1 (workerd, through wrangler's local mode) is run by the runtime suites.
 */
function loadD1Api(better: SqliteBinding, node: SqliteBinding): SqliteBinding {
  const backing = better.missing === null ? betterSqlite3Backing : node.missing === null ? nodeSqliteBacking : null;
  if (!backing) return { name: 'd1-api', missing: `${better.missing}; ${node.missing}`, open: unavailable };
  return {
    name: 'd1-api',
    missing: null,
    open(file) {
      const db = backing(file);
      type Bound = { sql: string; values: unknown[]; all(): Promise<unknown> };
      const run = ({ sql, values }: Bound) => ({ results: db.run(sql, values) });
      const d1: D1DatabaseLike = {
        prepare: (sql) => ({
          bind: (...values) => {
            const bound: Bound = { sql, values, all: async () => run(bound) };
            return bound;
          },
        }),
        batch: async (statements) => db.transaction(() => (statements as Bound[]).map(run)),
      };
      return { driver: d1Driver(d1), all: db.all, exec: db.exec, close: db.close };
    },
  };
}

/** The bindings, probed once. */
const betterSqlite3 = loadBetterSqlite3();
const nodeSqlite = loadNodeSqlite();
export const sqliteBindings: SqliteBinding[] = [betterSqlite3, nodeSqlite, loadD1Api(betterSqlite3, nodeSqlite)];

/** A fresh directory for one test file's database; `remove()` deletes it. */
export function temporaryDatabase(): { file: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'saasus-mfa-sqlite-'));
  return { file: join(dir, 'mfa.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
