// Bun entry: `PORT=3000 MFA_ENCRYPTION_KEY=... bun examples/hono/bun.ts` (self-hosted mode). State in memory, or,
// with `SQLITE_PATH=mfa.db`, in that SQLite file through bun:sqlite (users, sessions and MFA state survive a restart).
import { getConnInfo } from 'hono/bun';
import { bunSqliteDriver } from 'saasus-mfa/stores/sqlite';
import { type SqliteBackendParts, sqliteBackendParts } from '../shared/self-hosted/sqlite-backend.js';
import { tuned } from '../shared/self-hosted/sqlite-file.js';
import { pageFile } from '../shared/server/page-files.js';
import { selfHostedHonoApp } from './self-hosted-app.js';

declare const Bun: {
  serve(options: {
    port: number;
    hostname: string;
    fetch(request: Request, server: unknown): Response | Promise<Response>;
  }): {
    port: number;
  };
};

/** bun:sqlite's Database, by the shape the driver needs (the type checker here knows Node, not Bun). */
type BunDatabase = Parameters<typeof bunSqliteDriver>[0] & { close(): void };

async function sqliteFile(path: string): Promise<SqliteBackendParts> {
  // A variable specifier: bun:sqlite exists only on Bun, and only this mode loads it.
  const specifier = 'bun:sqlite';
  const { Database } = (await import(specifier)) as { Database: new (file: string) => BunDatabase };
  return sqliteBackendParts(bunSqliteDriver(tuned(new Database(path))), process.env.MFA_TABLE_PREFIX);
}

const path = process.env.SQLITE_PATH;
const backend = path ? await sqliteFile(path) : undefined;
const app = selfHostedHonoApp({
  encryptionKey: process.env.MFA_ENCRYPTION_KEY ?? '',
  pageFile,
  ...backend,
  // Bun passes its server as the second argument of fetch, which Hono's Bun helper asks for the peer's address.
  clientAddress: (c) => getConnInfo(c).remote.address,
});
const server = Bun.serve({ port: Number(process.env.PORT ?? 3000), hostname: '127.0.0.1', fetch: app.fetch });
console.log(`MFA state ${path ? `in SQLite at ${path} (bun:sqlite)` : 'in memory'}`);
console.log(`hono example on bun listening on http://127.0.0.1:${server.port}`);
