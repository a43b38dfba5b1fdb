import cors from 'cors';
import express, { type ErrorRequestHandler, type Response } from 'express';
import type { ExampleAppDeps } from '../shared/deps.js';
import { type HttpAnswer, NOT_FOUND, answerFor } from '../shared/handlers/answer.js';
import { respond } from '../shared/handlers/route.js';
import { exampleRoutes } from '../shared/handlers/routes.js';
import { CORS_ALLOWED_HEADERS, CORS_METHODS, DEFAULT_CORS_ORIGIN } from '../shared/server/cors.js';
import { refuseDeclaredOversize } from '../shared/server/json-body.js';
import { nodeRequest } from '../shared/server/node-request.js';
import { PAGE_HEADERS, PAGE_PATHS, pageFile, servesDemoPage } from '../shared/server/page-files.js';

/**
 * The example on Express 5: a thin translation. The endpoints (shared/handlers/) take the request as
 * `nodeRequest` reads it and resolve to `{ status, body, headers }`, failures included; this file adds CORS, the
 * demo page and the 404, and writes the answers.
 */
export function createExpressApp(deps: ExampleAppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // The SaaSus front end calls with credentials from another origin, so one exact origin, never '*'.
  const corsOrigin = deps.corsOrigin ?? DEFAULT_CORS_ORIGIN;
  app.use(cors({ origin: corsOrigin, credentials: true, allowedHeaders: CORS_ALLOWED_HEADERS, methods: CORS_METHODS }));
  app.use((req, _res, next) => {
    refuseDeclaredOversize(req);
    next();
  });

  for (const route of exampleRoutes(deps)) {
    const register = route.method === 'GET' ? app.get.bind(app) : app.post.bind(app);
    register(route.path, async (req, res) => send(res, await respond(route, nodeRequest(req, res))));
  }
  if (servesDemoPage(deps)) {
    app.get(PAGE_PATHS, async (req, res, next) => {
      const file = await pageFile(req.path);
      if (!file) return next(); // not written yet: 404 below
      res.set(PAGE_HEADERS).type(file.contentType).send(file.body);
    });
  }

  app.use((_req, res) => send(res, NOT_FOUND));
  // Only what runs outside the endpoints gets here (the declared-size check, a bug): the same safe answers.
  const onError: ErrorRequestHandler = (error, _req, res, next) => {
    if (res.headersSent) return next(error); // too late for a body: Express closes the connection
    send(res, answerFor(error));
  };
  app.use(onError);
  return app;
}

function send(res: Response, { status, body, headers }: HttpAnswer): void {
  res.status(status).set(headers ?? {});
  if (body === undefined) res.end();
  else res.json(body);
}
