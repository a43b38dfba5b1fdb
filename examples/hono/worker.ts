// Workers entry (wrangler.toml beside this file): `wrangler dev` runs it locally on workerd.
import type { Hono } from 'hono';
import { PAGE_PATHS } from '../shared/server/page-files.js';
import type { PageFile } from './app.js';
import { selfHostedHonoApp } from './self-hosted-app.js';

/** The bindings wrangler.toml declares. */
interface Env {
  /** A secret (`wrangler secret put MFA_ENCRYPTION_KEY`; `.dev.vars` locally). */
  MFA_ENCRYPTION_KEY: string;
  /** The demo page's files (examples/shared/page), as static assets. */
  ASSETS: { fetch(request: Request | string): Promise<Response> };
}

let app: Hono | undefined;

export default {
  fetch(request: Request, env: Env): Response | Promise<Response> {
    // One app per isolate. The memory store lives as long as the isolate: fine for `wrangler dev`, not for
    // production, where state must outlive isolates. D1 PLUGS IN HERE: pass `mfaStore` built on `env.DB` once
    // saasus-mfa/stores/sqlite (with its D1 adapter) has landed.
    app ??= selfHostedHonoApp({
      encryptionKey: env.MFA_ENCRYPTION_KEY,
      pageFile: (path) => assetFile(env, path),
      // Cloudflare's edge sets this header to the client's address (overwriting any the client sent); `env` holds
      // the bindings here, not a connection, so the default peerAddress finds none.
      clientAddress: (req) => req.headers.get('cf-connecting-ip') ?? undefined,
    });
    return app.fetch(request);
  },
};

/** A page file from the static assets; only the page's own paths (app.ts asks for no other). */
async function assetFile(env: Env, path: string): Promise<PageFile | undefined> {
  if (!PAGE_PATHS.includes(path)) return undefined;
  const response = await env.ASSETS.fetch(new URL(path === '/' ? '/index.html' : path, 'http://assets.local').href);
  if (!response.ok) return undefined;
  const contentType = response.headers.get('content-type') ?? 'application/octet-stream';
  return { body: new Uint8Array(await response.arrayBuffer()), contentType };
}
