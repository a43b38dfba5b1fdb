import cors from '@koa/cors';
import Router from '@koa/router';
import Koa, { type Context } from 'koa';
import type { ExampleAppDeps } from '../shared/deps.js';
import { type HttpAnswer, NOT_FOUND, answerFor } from '../shared/handlers/answer.js';
import { respond } from '../shared/handlers/route.js';
import { exampleRoutes } from '../shared/handlers/routes.js';
import { CORS_ALLOWED_HEADERS, CORS_METHODS, DEFAULT_CORS_ORIGIN } from '../shared/server/cors.js';
import { refuseDeclaredOversize } from '../shared/server/json-body.js';
import { nodeRequest } from '../shared/server/node-request.js';
import { PAGE_HEADERS, PAGE_PATHS, pageFile, servesDemoPage } from '../shared/server/page-files.js';

/**
 * The example on Koa 3: a thin translation. The endpoints (shared/handlers/) take the request as `nodeRequest`
 * reads it and resolve to `{ status, body, headers }`, failures included; this file adds CORS, the demo page and
 * the 404, and writes the answers.
 */
export function createKoaApp(deps: ExampleAppDeps): Koa {
  const app = new Koa();
  // The SaaSus front end calls with credentials from another origin, so one exact origin, never '*'.
  const corsOrigin = deps.corsOrigin ?? DEFAULT_CORS_ORIGIN;
  app.use(
    cors({ origin: corsOrigin, credentials: true, allowHeaders: CORS_ALLOWED_HEADERS, allowMethods: CORS_METHODS }),
  );
  // Only what runs outside the endpoints throws (the declared-size check, a bug): the same safe answers. Catching
  // here also keeps Koa's default handler (which logs the raw error) out of the way.
  app.use(async (ctx, next) => {
    try {
      refuseDeclaredOversize(ctx.req);
      await next();
    } catch (error) {
      send(ctx, answerFor(error));
    }
  });

  const router = new Router();
  for (const route of exampleRoutes(deps)) {
    const register = route.method === 'GET' ? router.get.bind(router) : router.post.bind(router);
    register(route.path, async (ctx) => send(ctx, await respond(route, nodeRequest(ctx.req, ctx.res))));
  }
  if (servesDemoPage(deps)) {
    for (const path of PAGE_PATHS) {
      router.get(path, async (ctx, next) => {
        const file = await pageFile(ctx.path);
        if (!file) return next(); // not written yet: 404 below
        ctx.set(PAGE_HEADERS);
        ctx.type = file.contentType;
        ctx.body = file.body;
      });
    }
  }

  app.use(router.routes());
  app.use((ctx) => send(ctx, NOT_FOUND));
  return app;
}

function send(ctx: Context, { status, body, headers }: HttpAnswer): void {
  ctx.status = status;
  ctx.set(headers ?? {});
  if (body !== undefined) ctx.body = body;
}
