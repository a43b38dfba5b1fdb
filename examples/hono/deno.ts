// Deno entry (self-hosted mode, memory store), with exactly these permissions (--sloppy-imports maps the example's
// NodeNext-style .js imports to its .ts files):
//   deno run --sloppy-imports --allow-net=127.0.0.1 --allow-env=PORT,MFA_ENCRYPTION_KEY --allow-read=examples/shared/page \
//     examples/hono/deno.ts
import { getConnInfo } from 'hono/deno';
import { pageFile } from '../shared/server/page-files.js';
import { selfHostedHonoApp } from './self-hosted-app.js';

declare const Deno: {
  env: { get(name: string): string | undefined };
  serve(
    options: { port: number; hostname: string; onListen(address: { port: number }): void },
    handler: (request: Request, info: unknown) => Response | Promise<Response>,
  ): unknown;
};

const app = selfHostedHonoApp({
  encryptionKey: Deno.env.get('MFA_ENCRYPTION_KEY') ?? '',
  pageFile,
  // Deno.serve passes the connection's info (remoteAddr) as the handler's second argument.
  clientAddress: (c) => getConnInfo(c).remote.address,
});
Deno.serve(
  {
    port: Number(Deno.env.get('PORT') ?? 3000),
    hostname: '127.0.0.1',
    onListen: ({ port }) => console.log(`hono example on deno listening on http://127.0.0.1:${port}`),
  },
  app.fetch,
);
