import cors from '@koa/cors';
import Router, { type RouterMiddleware } from '@koa/router';
import Koa from 'koa';
import type { MfaCallContext, MfaUser } from 'saasus-mfa';
import { CORS_ALLOWED_HEADERS, CORS_METHODS, DEFAULT_CORS_ORIGIN } from '../shared/cors.js';
import type { ExampleAppDeps } from '../shared/deps.js';
import { NOT_FOUND, errorResponse } from '../shared/errors.js';
import { readJsonBody } from '../shared/json-body.js';
import { PAGE_HEADERS, PAGE_PATHS, pageFile } from '../shared/page-files.js';
import { bearerTokenOf, callContext } from '../shared/request-context.js';
import { exampleRoutes } from '../shared/routes.js';

/** What `authenticate` leaves in ctx.state for the route handlers. */
interface MfaState {
  user: MfaUser;
  call: MfaCallContext;
}

/**
 * The example on Koa 3: the MFA endpoints of the official SaaSus sample front end in both modes, plus, in
 * self-hosted mode, sign-up, login with the MFA challenge, and the demo page.
 */
export function createKoaApp(deps: ExampleAppDeps): Koa<MfaState> {
  const { mfa, userOf, selfHosted } = exampleRoutes(deps);
  const app = new Koa<MfaState>();
  // The SaaSus front end calls with credentials from another origin, so one exact origin, never '*'.
  const corsOrigin = deps.corsOrigin ?? DEFAULT_CORS_ORIGIN;
  app.use(
    cors({ origin: corsOrigin, credentials: true, allowHeaders: CORS_ALLOWED_HEADERS, allowMethods: CORS_METHODS }),
  );

  // Every failure below, ours or the SDK's, is answered by errors.ts: a safe JSON body, never a stack trace.
  // Catching here also keeps Koa's default handler (which logs the raw error) out of the way.
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const { status, body, headers } = errorResponse(error);
      ctx.status = status;
      ctx.set(headers ?? {});
      ctx.body = body;
    }
  });

  const router = new Router<MfaState>();
  // Bearer token → user (401 when missing or unknown), with the per-call context for the SDK.
  const authenticate: RouterMiddleware<MfaState> = async (ctx, next) => {
    const call = callContext(ctx.req, ctx.res);
    ctx.state.user = await userOf(ctx.req, call);
    ctx.state.call = call;
    await next();
  };

  router.get('/mfa_status', authenticate, async (ctx) => {
    ctx.body = await mfa.status(ctx.state.user, ctx.state.call);
  });
  router.get('/mfa_setup', authenticate, async (ctx) => {
    ctx.body = await mfa.setup(ctx.state.user, ctx.state.call);
  });
  // Koa has no body parser; this one reads JSON only after authentication, 16 kB at most (413 beyond).
  router.post('/mfa_verify', authenticate, async (ctx) => {
    ctx.body = await mfa.verify(ctx.state.user, await readJsonBody(ctx.req), ctx.state.call);
  });
  // The front end sends {} to these two; there is nothing in it to read.
  router.post('/mfa_enable', authenticate, async (ctx) => {
    ctx.body = await mfa.enable(ctx.state.user, ctx.state.call);
  });
  router.post('/mfa_disable', authenticate, async (ctx) => {
    ctx.body = await mfa.disable(ctx.state.user, ctx.state.call);
  });

  if (selfHosted) {
    router.post('/signup', async (ctx) => {
      ctx.body = await selfHosted.signup(await readJsonBody(ctx.req));
      ctx.status = 201;
    });
    router.post('/login', async (ctx) => {
      ctx.body = await selfHosted.login(await readJsonBody(ctx.req));
    });
    router.post('/mfa/challenge', async (ctx) => {
      ctx.body = await selfHosted.completeChallenge(await readJsonBody(ctx.req));
    });
    router.post('/logout', async (ctx) => {
      await selfHosted.logout(bearerTokenOf(ctx.req));
      ctx.status = 204;
    });
    router.get('/me', authenticate, (ctx) => {
      ctx.body = { username: ctx.state.user.signInId };
    });
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
  app.use((ctx) => {
    ctx.status = NOT_FOUND.status;
    ctx.body = NOT_FOUND.body;
  });
  return app;
}
