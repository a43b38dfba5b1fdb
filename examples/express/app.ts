import cors from 'cors';
import express, { type ErrorRequestHandler, type RequestHandler, type Response } from 'express';
import type { MfaCallContext, MfaUser } from 'saasus-mfa';
import { CORS_ALLOWED_HEADERS, CORS_METHODS, DEFAULT_CORS_ORIGIN } from '../shared/cors.js';
import type { ExampleAppDeps } from '../shared/deps.js';
import { NOT_FOUND, errorResponse } from '../shared/errors.js';
import { JSON_BODY_LIMIT_BYTES, refuseDeclaredOversize } from '../shared/json-body.js';
import { PAGE_HEADERS, PAGE_PATHS, pageFile } from '../shared/page-files.js';
import { bearerTokenOf, callContext } from '../shared/request-context.js';
import { exampleRoutes } from '../shared/routes.js';

/** What `authenticate` leaves for the route handlers. */
interface MfaLocals {
  user: MfaUser;
  call: MfaCallContext;
}
const signedIn = (res: Response) => res.locals as MfaLocals;

/**
 * The example on Express 5: the MFA endpoints of the official SaaSus sample front end in both modes, plus, in
 * self-hosted mode, sign-up, login with the MFA challenge, and the demo page. Express 5 forwards a rejected promise
 * to the error handler, so no route needs a try/catch.
 */
export function createExpressApp(deps: ExampleAppDeps): express.Express {
  const { mfa, userOf, selfHosted } = exampleRoutes(deps);
  const app = express();
  app.disable('x-powered-by');
  // The SaaSus front end calls with credentials from another origin, so one exact origin, never '*'.
  const corsOrigin = deps.corsOrigin ?? DEFAULT_CORS_ORIGIN;
  app.use(cors({ origin: corsOrigin, credentials: true, allowedHeaders: CORS_ALLOWED_HEADERS, methods: CORS_METHODS }));

  // A declared oversize body is refused from its header alone: express.json would first read all of it (1 GB, if a
  // client announces 1 GB) and only then answer 413.
  app.use((req, _res, next) => {
    refuseDeclaredOversize(req);
    next();
  });

  // Bearer token → user (401 when missing or unknown), with the per-call context for the SDK.
  const authenticate: RequestHandler = async (req, res, next) => {
    const call = callContext(req, res);
    res.locals.user = await userOf(req, call);
    res.locals.call = call;
    next();
  };
  // 16 kB at most (413 beyond); other content types leave req.body undefined, which the handlers refuse with 400.
  const json = express.json({ limit: JSON_BODY_LIMIT_BYTES });

  app.get('/mfa_status', authenticate, async (_req, res) => {
    const { user, call } = signedIn(res);
    res.json(await mfa.status(user, call));
  });
  app.get('/mfa_setup', authenticate, async (_req, res) => {
    const { user, call } = signedIn(res);
    res.json(await mfa.setup(user, call));
  });
  // The body is parsed after authentication, so strangers cannot make us read one.
  app.post('/mfa_verify', authenticate, json, async (req, res) => {
    const { user, call } = signedIn(res);
    res.json(await mfa.verify(user, req.body, call));
  });
  // The front end sends {} to these two; there is nothing in it to read.
  app.post('/mfa_enable', authenticate, async (_req, res) => {
    const { user, call } = signedIn(res);
    res.json(await mfa.enable(user, call));
  });
  app.post('/mfa_disable', authenticate, async (_req, res) => {
    const { user, call } = signedIn(res);
    res.json(await mfa.disable(user, call));
  });

  if (selfHosted) {
    app.post('/signup', json, async (req, res) => {
      res.status(201).json(await selfHosted.signup(req.body));
    });
    app.post('/login', json, async (req, res) => {
      res.json(await selfHosted.login(req.body));
    });
    app.post('/mfa/challenge', json, async (req, res) => {
      res.json(await selfHosted.completeChallenge(req.body));
    });
    app.post('/logout', async (req, res) => {
      await selfHosted.logout(bearerTokenOf(req));
      res.status(204).end();
    });
    app.get('/me', authenticate, (_req, res) => {
      res.json({ username: signedIn(res).user.signInId });
    });
    app.get(PAGE_PATHS, async (req, res, next) => {
      const file = await pageFile(req.path);
      if (!file) return next(); // not written yet: 404 below
      res.set(PAGE_HEADERS).type(file.contentType).send(file.body);
    });
  }

  app.use((_req, res) => {
    res.status(NOT_FOUND.status).json(NOT_FOUND.body);
  });
  // Every failure, ours or the SDK's, is answered by errors.ts: a safe JSON body, never a stack trace.
  const onError: ErrorRequestHandler = (error, _req, res, next) => {
    if (res.headersSent) return next(error); // too late for a body: Express closes the connection
    const { status, body, headers } = errorResponse(error);
    res
      .status(status)
      .set(headers ?? {})
      .json(body);
  };
  app.use(onError);
  return app;
}
