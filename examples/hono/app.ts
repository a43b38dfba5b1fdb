import { Hono } from 'hono';
import { cors } from 'hono/cors';
import type { ExampleAppDeps } from '../shared/deps.js';
import { type HttpAnswer, NOT_FOUND, answerFor } from '../shared/handlers/answer.js';
import { respond } from '../shared/handlers/route.js';
import { exampleRoutes } from '../shared/handlers/routes.js';
import { CORS_ALLOWED_HEADERS, CORS_METHODS, DEFAULT_CORS_ORIGIN } from '../shared/server/cors.js';
import { fetchRequest, refuseDeclaredOversizeOf } from '../shared/server/fetch-request.js';
import { PAGE_HEADERS, PAGE_PATHS, servesDemoPage } from '../shared/server/page-files.js';

/** One file of the demo page: its bytes and content type. */
export interface PageFile {
  body: Uint8Array;
  contentType: string;
}

/** Options of the Hono example that depend on where it runs. */
export interface HonoAppOptions {
  /**
   * Reads a file of the demo page by URL path (undefined when there is none): from disk on Node, Bun and Deno
   * (shared/server/page-files.ts), from the Worker's static assets on workerd.
   */
  pageFile(path: string): Promise<PageFile | undefined>;
  /**
   * The client's address, for the login throttle and the SDK's `clientKey`. Default: the TCP peer as the runtime's
   * server hands it to `fetch` (`peerAddress`: @hono/node-server, Bun.serve, Deno.serve). Without one, every client
   * would share one throttle budget and one SDK attempt counter: one attacker would lock everyone out.
   */
  clientAddress?(request: Request, env: unknown): string | undefined;
}

/**
 * The TCP peer's address from what the runtime passes as `fetch`'s second argument (Hono's `c.env`), never from a
 * header (a client writes whatever it likes there): `incoming.socket` on @hono/node-server, `requestIP()` on
 * Bun.serve's server, `remoteAddr` on Deno.serve's info. Undefined elsewhere (the adapter then cannot tell).
 */
export function peerAddress(request: Request, env: unknown): string | undefined {
  if (typeof env !== 'object' || env === null) return undefined;
  const bindings = env as {
    incoming?: { socket?: { remoteAddress?: unknown } };
    server?: { incoming?: { socket?: { remoteAddress?: unknown } } };
    requestIP?(request: Request): { address?: unknown } | null;
    remoteAddr?: { hostname?: unknown };
  };
  const candidates = [
    bindings.incoming?.socket?.remoteAddress,
    bindings.server?.incoming?.socket?.remoteAddress,
    typeof bindings.requestIP === 'function' ? bindings.requestIP(request)?.address : undefined,
    bindings.remoteAddr?.hostname,
  ];
  const address = candidates.find((candidate) => typeof candidate === 'string' && candidate !== '');
  return address as string | undefined;
}

/**
 * The example on Hono, over the Fetch API: a thin translation, like the Express and Koa ones. The endpoints
 * (shared/handlers/) take the request as `fetchRequest` reads it and resolve to `{ status, body, headers }`, failures
 * included; this file adds CORS, the demo page and the 404, and writes the answers. The same app runs on Node
 * (@hono/node-server), Bun, Deno and Workers.
 */
export function createHonoApp(deps: ExampleAppDeps, options: HonoAppOptions): Hono {
  const app = new Hono();
  // The SaaSus front end calls with credentials from another origin, so one exact origin, never '*'.
  const corsOrigin = deps.corsOrigin ?? DEFAULT_CORS_ORIGIN;
  app.use(
    '*',
    cors({ origin: corsOrigin, credentials: true, allowHeaders: CORS_ALLOWED_HEADERS, allowMethods: CORS_METHODS }),
  );
  // Before any route: a client announcing a huge body is answered 413 at once, whatever the route.
  app.use('*', async (c, next) => {
    try {
      refuseDeclaredOversizeOf(c.req.raw);
    } catch (error) {
      return send(answerFor(error));
    }
    await next();
  });
  // Only a bug reaches here (every endpoint resolves to an answer): the same safe answer, never Hono's default page.
  app.onError((error) => send(answerFor(error)));

  const clientAddress = options.clientAddress ?? peerAddress;
  for (const route of exampleRoutes(deps)) {
    const handler = async (c: { req: { raw: Request }; env: unknown }) =>
      send(await respond(route, fetchRequest(c.req.raw, clientAddress(c.req.raw, c.env))));
    if (route.method === 'GET') app.get(route.path, handler);
    else app.post(route.path, handler);
  }
  if (servesDemoPage(deps)) {
    for (const path of PAGE_PATHS) {
      app.get(path, async (c, next) => {
        const file = await options.pageFile(new URL(c.req.url).pathname);
        if (!file) return next(); // not written yet: 404 below
        return new Response(file.body, { headers: { ...PAGE_HEADERS, 'Content-Type': file.contentType } });
      });
    }
  }
  app.notFound(() => send(NOT_FOUND));
  return app;
}

function send({ status, body, headers }: HttpAnswer): Response {
  const all = new Headers(headers ?? {});
  if (body === undefined) return new Response(null, { status, headers: all });
  all.set('Content-Type', 'application/json; charset=utf-8');
  return new Response(JSON.stringify(body), { status, headers: all });
}
