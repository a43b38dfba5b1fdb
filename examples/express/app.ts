import cors from 'cors';
import express, { type ErrorRequestHandler, type RequestHandler, type Response } from 'express';
import type { MfaCallContext, MfaUser } from 'saasus-mfa';
import { CORS_ALLOWED_HEADERS, CORS_METHODS, DEFAULT_CORS_ORIGIN } from '../shared/cors.js';
import type { ExampleAppDeps } from '../shared/deps.js';
import { NOT_FOUND, errorResponse } from '../shared/errors.js';
import { JSON_BODY_LIMIT_BYTES } from '../shared/json-body.js';
import { callContext, idTokenOf } from '../shared/request-context.js';

/** What `authenticate` leaves for the route handlers. */
interface MfaLocals {
  user: MfaUser;
  call: MfaCallContext;
}
const locals = (res: Response) => res.locals as MfaLocals;

/** The MFA endpoints of the official SaaSus sample front end, on Express 5. */
export function createExpressApp({ mfa, provider, corsOrigin = DEFAULT_CORS_ORIGIN }: ExampleAppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // The front end calls with credentials from another origin, so one exact origin, never '*'.
  app.use(cors({ origin: corsOrigin, credentials: true, allowedHeaders: CORS_ALLOWED_HEADERS, methods: CORS_METHODS }));

  // Bearer ID token → SaaSus user. A missing or rejected token is the SDK's MfaUnauthorizedError (401).
  // Express 5 forwards a rejected promise to the error handler, so no try/catch here or in the routes.
  const authenticate: RequestHandler = async (req, res, next) => {
    const call = callContext(req, res);
    const info = await provider.getUserInfo(idTokenOf(req), call);
    res.locals.user = { id: info.id, email: info.email, signInId: info.signInId } satisfies MfaUser;
    res.locals.call = call;
    next();
  };
  // Only mfa_verify needs a body; it is parsed after authentication, so strangers cannot make us read one.
  // Other content types leave req.body undefined and the SDK refuses the missing code (400 invalid_request).
  const json = express.json({ limit: JSON_BODY_LIMIT_BYTES });

  app.get('/mfa_status', authenticate, async (_req, res) => {
    const { user, call } = locals(res);
    const { enabled, method } = await mfa.getStatus(user, call);
    res.json({ enabled, method });
  });

  app.get('/mfa_setup', authenticate, async (_req, res) => {
    const { user, call } = locals(res);
    const setup = await mfa.createSetup(user, call); // no X-Access-Token: 401 from the SDK, before any SaaSus call
    // Field names of the sample front end: it draws the QR code from qrCodeUrl; secretKey is for manual entry.
    res.json({ qrCodeUrl: setup.otpauthUri, secretKey: setup.secret });
  });

  app.post('/mfa_verify', authenticate, json, async (req, res) => {
    const { user, call } = locals(res);
    const code = (req.body as Record<string, unknown> | undefined)?.verification_code;
    // Passed on unchecked: the SDK wants a string of 6 ASCII digits and answers 400 invalid_request otherwise.
    await mfa.verify(user, code as string, call);
    res.json({ message: 'The verification code is correct' });
  });

  // The front end sends {} to these two; there is nothing in it to read.
  app.post('/mfa_enable', authenticate, async (_req, res) => {
    const { user, call } = locals(res);
    await mfa.enable(user, { method: 'softwareToken', ...call }); // before a verified setup: 409 not_verified
    res.json({ message: 'MFA is enabled' });
  });

  app.post('/mfa_disable', authenticate, async (_req, res) => {
    const { user, call } = locals(res);
    await mfa.disable(user, call);
    res.json({ message: 'MFA is disabled' });
  });

  app.use((_req, res) => {
    res.status(NOT_FOUND.status).json(NOT_FOUND.body);
  });
  // Every failure, ours or the SDK's, is answered by errors.ts: a safe JSON body, never a stack trace.
  const onError: ErrorRequestHandler = (error, _req, res, next) => {
    if (res.headersSent) return next(error); // too late for a body: Express closes the connection
    const { status, body } = errorResponse(error);
    res.status(status).json(body);
  };
  app.use(onError);
  return app;
}
