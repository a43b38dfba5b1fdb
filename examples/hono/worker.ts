// Workers entry (wrangler.toml beside this file): `wrangler dev` runs it locally on workerd, D1 included.
import type { Hono } from 'hono';
import { getConnInfo } from 'hono/cloudflare-workers';
import { type D1DatabaseLike, d1Driver } from 'saasus-mfa/stores/sqlite';
import { sqliteBackendParts } from '../shared/self-hosted/sqlite-backend.js';
import { PAGE_PATHS } from '../shared/server/page-files.js';
import type { PageFile } from './app.js';
import { selfHostedHonoApp } from './self-hosted-app.js';

/** The bindings wrangler.toml declares. */
interface Env {
  /** A secret (`wrangler secret put MFA_ENCRYPTION_KEY`; `.dev.vars` locally). */
  MFA_ENCRYPTION_KEY: string;
  /** The demo page's files (examples/shared/page), as static assets. */
  ASSETS: { fetch(request: Request | string): Promise<Response> };
  /**
   * The D1 database for users, sessions and MFA state: every isolate (and every Worker location) sees the same
   * rows, which the memory store could not give. Without it (a wrangler.toml that drops the binding) the state is
   * in this isolate's memory.
   */
  DB?: D1DatabaseLike;
}

let app: Promise<Hono> | undefined;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    // One app per isolate. Its first request creates the tables if missing (idempotent: `CREATE ... IF NOT EXISTS`
    // in one D1 batch), so a fresh database needs no separate migration step; an app of your own may run
    // `wrangler d1 execute` with sqliteMfaSchema() instead. A failed start is not kept: the next request retries.
    app ??= createApp(env).catch((error: unknown) => {
      app = undefined;
      throw error;
    });
    return (await app).fetch(request);
  },
};

async function createApp(env: Env): Promise<Hono> {
  const backend = env.DB ? await sqliteBackendParts(d1Driver(env.DB)) : undefined;
  return selfHostedHonoApp({
    encryptionKey: env.MFA_ENCRYPTION_KEY,
    pageFile: (path) => assetFile(env, path),
    ...backend,
    // Cloudflare's edge sets cf-connecting-ip, which Hono's Workers helper reads (wrangler dev sets it locally).
    clientAddress: (c) => getConnInfo(c).remote.address,
  });
}

/** A page file from the static assets; only the page's own paths (app.ts asks for no other). */
async function assetFile(env: Env, path: string): Promise<PageFile | undefined> {
  if (!PAGE_PATHS.includes(path)) return undefined;
  const response = await env.ASSETS.fetch(new URL(path === '/' ? '/index.html' : path, 'http://assets.local').href);
  if (!response.ok) return undefined;
  const contentType = response.headers.get('content-type') ?? 'application/octet-stream';
  return { body: new Uint8Array(await response.arrayBuffer()), contentType };
}
