import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type pg from 'pg';

/**
 * Round trips counted AT THE DRIVER, below everything the store does: what actually leaves the process.
 *
 * - `flights`: writes to the server that the client then waits on. Redis: writes on a node's socket (ioredis writes
 *   a lone command in one write, and a whole pipeline, e.g. a script and its `WAIT`, in one). PostgreSQL: protocol
 *   messages that make the server answer (`Sync` ends an extended-protocol statement, `Query` is a simple one).
 *   SQLite (in-process, no network): driver batches, each one transaction and one hop back to the event loop.
 * - `commands`: what those flights carried. Redis: commands ioredis sent (`sendCommand` on each node connection,
 *   pipelined ones included). PostgreSQL: statements (`client.query` calls). SQLite: statements run, with the
 *   `BEGIN IMMEDIATE` / `COMMIT` of each batch.
 */
export interface DriverCounts {
  flights: number;
  commands: number;
  /**
   * Redis only (0 elsewhere): EVALSHA calls the server refused with NOSCRIPT, each followed by the script sent whole
   * (one more flight and command). The store loads each script once per node, so a miss means the server's script
   * cache was emptied meanwhile (`SCRIPT FLUSH`, a restart, a failover to a replica that never ran it): that cost is
   * pinned by the store's own tests (test/redis-store.test.ts), and a count of round trips discounts it.
   */
  scriptCacheMisses: number;
}

export interface DriverCounter {
  counts(): DriverCounts;
}

/** What `counts()` moved by while `operation` ran (nothing else may use the connection meanwhile). */
export async function countedAtDriver(
  counter: DriverCounter,
  operation: () => Promise<unknown>,
): Promise<DriverCounts> {
  const before = counter.counts();
  await operation();
  const after = counter.counts();
  return {
    flights: after.flights - before.flights,
    commands: after.commands - before.commands,
    scriptCacheMisses: after.scriptCacheMisses - before.scriptCacheMisses,
  };
}

interface IoredisCommand {
  name: string;
  args: unknown[];
  promise?: Promise<unknown>;
}
type SendCommand = (command: IoredisCommand, stream?: unknown) => unknown;

/** Counts on a standalone ioredis client, or on every node connection of a Cluster (nodes added later too). */
export class RedisDriverCounter implements DriverCounter {
  #flights = 0;
  #commands = 0;
  #scriptCacheMisses = 0;
  readonly #patchedSockets = new WeakSet<object>();
  readonly #patchedNodes = new WeakSet<object>();
  /** Source length of each script the driver sent whole (EVAL), by SHA-1: a no-op floor script is made as long. */
  readonly scriptLengths = new Map<string, number>();
  /** The last EVALSHA the driver sent: its SHA and its keys and arguments, for a floor call of the same size. */
  lastEvalsha: { sha: string; args: string[] } | undefined;

  constructor(readonly client: Redis | Cluster) {
    if ('nodes' in client && typeof client.nodes === 'function' && (client as Cluster).isCluster) {
      const cluster = client as Cluster;
      for (const node of cluster.nodes()) this.#patchNode(node);
      cluster.on('+node', (node: Redis) => this.#patchNode(node));
    } else this.#patchNode(client as Redis);
  }

  counts(): DriverCounts {
    return { flights: this.#flights, commands: this.#commands, scriptCacheMisses: this.#scriptCacheMisses };
  }

  #patchNode(node: Redis): void {
    if (this.#patchedNodes.has(node)) return;
    this.#patchedNodes.add(node);
    const original = (node as unknown as { sendCommand: SendCommand }).sendCommand.bind(node);
    (node as unknown as { sendCommand: SendCommand }).sendCommand = (command, stream) => {
      // The socket is made on connect (and again on a reconnect): patched before anything is written to it.
      const socket = (node as unknown as { stream?: { write: (...a: unknown[]) => unknown } }).stream;
      if (socket && !this.#patchedSockets.has(socket)) this.#patchSocket(socket);
      this.#commands++;
      this.#remember(command);
      const sent = original(command, stream);
      // Attached before the store's own handler (it awaits later): the miss is counted before the store resends.
      if (command.name === 'evalsha')
        command.promise?.catch((error: unknown) => {
          if (error instanceof Error && error.message.startsWith('NOSCRIPT')) this.#scriptCacheMisses++;
        });
      return sent;
    };
  }

  #patchSocket(socket: { write: (...a: unknown[]) => unknown }): void {
    this.#patchedSockets.add(socket);
    const write = socket.write.bind(socket);
    socket.write = (...args: unknown[]) => {
      this.#flights++;
      return write(...args);
    };
  }

  #remember(command: IoredisCommand): void {
    const args = command.args.map(String);
    if (command.name === 'eval' && args[0] !== undefined)
      this.scriptLengths.set(createHash('sha1').update(args[0]).digest('hex'), args[0].length);
    if (command.name === 'evalsha' && args[0] !== undefined) this.lastEvalsha = { sha: args[0], args: args.slice(1) };
  }
}

interface PgConnection {
  sync(): unknown;
  query(text: string): unknown;
}

/** Counts on every connection a pg pool opens (patched on the pool's `connect` event, before its first query). */
export class PostgresDriverCounter implements DriverCounter {
  #flights = 0;
  #commands = 0;

  constructor(pool: pg.Pool) {
    pool.on('connect', (client) => {
      const connection = (client as unknown as { connection: PgConnection }).connection;
      const sync = connection.sync.bind(connection);
      const simple = connection.query.bind(connection);
      connection.sync = () => (this.#flights++, sync());
      connection.query = (text: string) => (this.#flights++, simple(text));
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        this.#commands++;
        return query(...args);
      };
    });
  }

  counts(): DriverCounts {
    return { flights: this.#flights, commands: this.#commands, scriptCacheMisses: 0 };
  }
}

/** A synchronous SQLite connection (better-sqlite3), every statement it runs counted. */
export interface SqliteLike {
  prepare(sql: string): { all(...p: unknown[]): unknown[]; run(...p: unknown[]): unknown; reader?: boolean };
  exec(sql: string): unknown;
}

/** Counts statements on the connection, and batches on the driver made over it (`countBatches`). */
export class SqliteDriverCounter implements DriverCounter {
  #flights = 0;
  #commands = 0;
  /** The connection to give the store's driver: the same one, each statement counted. */
  readonly db: SqliteLike;

  constructor(db: SqliteLike) {
    const count = () => this.#commands++;
    this.db = {
      prepare(sql) {
        const statement = db.prepare(sql);
        return {
          reader: statement.reader,
          all: (...p: unknown[]) => (count(), statement.all(...p)),
          run: (...p: unknown[]) => (count(), statement.run(...p)),
        };
      },
      exec: (sql) => (count(), db.exec(sql)),
    };
  }

  /** The store's driver, each batch (one transaction) counted as one flight. */
  countBatches<D extends { batch(statements: readonly unknown[]): Promise<unknown> }>(driver: D): D {
    const batch = driver.batch.bind(driver);
    return {
      ...driver,
      batch: (statements: readonly unknown[]) => (this.#flights++, batch(statements)),
    } as D;
  }

  counts(): DriverCounts {
    return { flights: this.#flights, commands: this.#commands, scriptCacheMisses: 0 };
  }
}
