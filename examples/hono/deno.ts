// Deno entry (self-hosted mode), with exactly these permissions (--sloppy-imports maps the example's NodeNext-style
// .js imports to its .ts files):
//   deno run --sloppy-imports --allow-net=127.0.0.1 --allow-env=PORT,MFA_ENCRYPTION_KEY,SQLITE_PATH \
//     --allow-read=examples/shared/page examples/hono/deno.ts
// State in memory, or, with `SQLITE_PATH=mfa.db`, in that SQLite file through node:sqlite (Deno 2.2+; add
// `--allow-read=mfa.db --allow-write=mfa.db`): users, sessions and MFA state survive a restart.
import { getConnInfo } from 'hono/deno';
import { openSqliteFile } from '../shared/self-hosted/sqlite-file.js';
import { sqliteBackendParts } from '../shared/self-hosted/sqlite-backend.js';
import { pageFile } from '../shared/server/page-files.js';
import { selfHostedHonoApp } from './self-hosted-app.js';

declare const Deno: {
  env: { get(name: string): string | undefined };
  serve(
    options: { port: number; hostname: string; onListen(address: { port: number }): void },
    handler: (request: Request, info: unknown) => Response | Promise<Response>,
  ): unknown;
};

const path = Deno.env.get('SQLITE_PATH');
const file = path ? await openSqliteFile(path) : undefined;
const backend = file ? await sqliteBackendParts(file.driver) : undefined;
const app = selfHostedHonoApp({
  encryptionKey: Deno.env.get('MFA_ENCRYPTION_KEY') ?? '',
  pageFile,
  ...backend,
  // Deno.serve passes the connection's info (remoteAddr) as the handler's second argument.
  clientAddress: (c) => getConnInfo(c).remote.address,
});
console.log(`MFA state ${file ? `in SQLite at ${path} (${file.binding})` : 'in memory'}`);
Deno.serve(
  {
    port: Number(Deno.env.get('PORT') ?? 3000),
    hostname: '127.0.0.1',
    onListen: ({ port }) => console.log(`hono example on deno listening on http://127.0.0.1:${port}`),
  },
  app.fetch,
);
