// Bun entry: `PORT=3000 MFA_ENCRYPTION_KEY=... bun examples/hono/bun.ts` (self-hosted mode, memory store).
import { getConnInfo } from 'hono/bun';
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

const app = selfHostedHonoApp({
  encryptionKey: process.env.MFA_ENCRYPTION_KEY ?? '',
  pageFile,
  // Bun passes its server as the second argument of fetch, which Hono's Bun helper asks for the peer's address.
  clientAddress: (c) => getConnInfo(c).remote.address,
});
const server = Bun.serve({ port: Number(process.env.PORT ?? 3000), hostname: '127.0.0.1', fetch: app.fetch });
console.log(`hono example on bun listening on http://127.0.0.1:${server.port}`);
