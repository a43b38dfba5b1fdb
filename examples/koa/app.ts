import cors from '@koa/cors';
import Router, { type RouterMiddleware } from '@koa/router';
import Koa from 'koa';
import type { MfaCallContext, MfaUser } from 'saasus-mfa';
import { CORS_ALLOWED_HEADERS, CORS_METHODS, DEFAULT_CORS_ORIGIN } from '../shared/cors.js';
import type { ExampleAppDeps } from '../shared/deps.js';
import { NOT_FOUND, errorResponse } from '../shared/errors.js';
import { readJsonBody } from '../shared/json-body.js';
import { callContext, idTokenOf } from '../shared/request-context.js';

/** What `authenticate` leaves in ctx.state for the route handlers. */
interface MfaState {
  user: MfaUser;
  call: MfaCallContext;
}

/** The MFA endpoints of the official SaaSus sample front end, on Koa 3. */
export function createKoaApp({ mfa, provider, corsOrigin = DEFAULT_CORS_ORIGIN }: ExampleAppDeps): Koa<MfaState> {
  const app = new Koa<MfaState>();
  // The front end calls with credentials from another origin, so one exact origin, never '*'.
  app.use(cors({ origin: corsOrigin, credentials: true, allowHeaders: CORS_ALLOWED_HEADERS, allowMethods: CORS_METHODS }));

  // Every failure below, ours or the SDK's, is answered by errors.ts: a safe JSON body, never a stack trace.
  // Catching here also keeps Koa's default handler (which logs the raw error) out of the way.
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const { status, body } = errorResponse(error);
      ctx.status = status;
      ctx.body = body;
    }
  });

  const router = new Router<MfaState>();
  // Bearer ID token → SaaSus user. A missing or rejected token is the SDK's MfaUnauthorizedError (401).
  const authenticate: RouterMiddleware<MfaState> = async (ctx, next) => {
    const call = callContext(ctx.req, ctx.res);
    const info = await provider.getUserInfo(idTokenOf(ctx.req), call);
    ctx.state.user = { id: info.id, email: info.email, signInId: info.signInId };
    ctx.state.call = call;
    await next();
  };

  router.get('/mfa_status', authenticate, async (ctx) => {
    const { enabled, method } = await mfa.getStatus(ctx.state.user, ctx.state.call);
    ctx.body = { enabled, method };
  });

  router.get('/mfa_setup', authenticate, async (ctx) => {
    const setup = await mfa.createSetup(ctx.state.user, ctx.state.call); // no X-Access-Token: 401 from the SDK
    // Field names of the sample front end: it draws the QR code from qrCodeUrl; secretKey is for manual entry.
    ctx.body = { qrCodeUrl: setup.otpauthUri, secretKey: setup.secret };
  });

  router.post('/mfa_verify', authenticate, async (ctx) => {
    // Koa has no body parser; this one reads JSON only after authentication, 16 kB at most (413 beyond).
    const body = (await readJsonBody(ctx.req)) as Record<string, unknown> | undefined;
    // Passed on unchecked: the SDK wants a string of 6 ASCII digits and answers 400 invalid_request otherwise.
    await mfa.verify(ctx.state.user, body?.verification_code as string, ctx.state.call);
    ctx.body = { message: 'The verification code is correct' };
  });

  // The front end sends {} to these two; there is nothing in it to read.
  router.post('/mfa_enable', authenticate, async (ctx) => {
    await mfa.enable(ctx.state.user, { method: 'softwareToken', ...ctx.state.call }); // unverified setup: 409
    ctx.body = { message: 'MFA is enabled' };
  });

  router.post('/mfa_disable', authenticate, async (ctx) => {
    await mfa.disable(ctx.state.user, ctx.state.call);
    ctx.body = { message: 'MFA is disabled' };
  });

  app.use(router.routes());
  app.use((ctx) => {
    ctx.status = NOT_FOUND.status;
    ctx.body = NOT_FOUND.body;
  });
  return app;
}
