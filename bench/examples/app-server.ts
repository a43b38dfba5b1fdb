/**
 * One HTTP server for the load test, in its own process (autocannon must not share an event loop with it).
 * `BENCH_APP`:
 * - express | koa: the example apps in SaaSus mode, against the loopback fake SaaSus of
 *   bench/saasus/fake-saasus-server.ts at BENCH_SAASUS_URL;
 * - express-self-hosted | koa-self-hosted: the example apps in self-hosted mode (TotpMfaProvider, memory backend),
 *   with BENCH_USERS users signed up and enrolled at start; their session tokens and secrets are printed so the load
 *   generator can send valid codes. The provider's clock is driven by the load: it reads step START + floor(v / N)
 *   when v verifies have begun, which is the step of the code the generator sends as its v-th request (give or take
 *   the requests in flight, which the ±1 step window absorbs). `GET /__bench/verifies` (outside the app) answers v;
 * - bare-node | bare-express | bare-koa: a handler that answers the same JSON and does nothing else.
 * Prints `{"port":N, ...}` once listening on 127.0.0.1.
 */
import { createServer, type RequestListener } from 'node:http';
import express from 'express';
import Koa from 'koa';
import { MfaClient } from 'saasus-mfa';
import { SaasusMfaProvider } from 'saasus-mfa/saasus';
import { generateSync } from 'otplib';
import { createExpressApp } from '../../examples/express/app.js';
import { createKoaApp } from '../../examples/koa/app.js';
import type { SelfHostedAppDeps } from '../../examples/shared/deps.js';
import { memoryBackend } from '../../examples/shared/self-hosted/backends.js';
import { selfHostedDeps } from '../../examples/shared/self-hosted/setup.js';
import { BENCH_KEY, PERIOD_MS, START_MS } from '../totp/enrolled.js';

const STATUS = JSON.stringify({ enabled: true, method: 'softwareToken' });
const VERIFIED = JSON.stringify({ message: 'The verification code is correct' });

function saasusDeps() {
  const provider = new SaasusMfaProvider({
    saasId: process.env.BENCH_SAASUS_SAAS_ID!,
    apiKey: process.env.BENCH_SAASUS_API_KEY!,
    secretKey: process.env.BENCH_SAASUS_SECRET_KEY!,
    baseUrl: process.env.BENCH_SAASUS_URL!,
    env: {},
  });
  return { mfa: new MfaClient({ provider, issuer: 'Bench' }), provider, corsOrigin: 'http://localhost:3000' };
}

/** node:http with nothing on top: reads the body of a POST (as any handler of /mfa_verify must), answers the JSON. */
const bareNode: RequestListener = (req, res) => {
  const body = req.url === '/mfa_status' ? STATUS : VERIFIED;
  req.resume();
  req.on('end', () => {
    res.writeHead(200, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
  });
};

function bareExpress(): RequestListener {
  const app = express();
  app.disable('x-powered-by');
  app.get('/mfa_status', (_req, res) => void res.json({ enabled: true, method: 'softwareToken' }));
  app.post(
    '/mfa_verify',
    express.json(),
    (_req, res) => void res.json({ message: 'The verification code is correct' }),
  );
  return app;
}

function bareKoa(): RequestListener {
  const app = new Koa();
  app.use(async (ctx) => {
    if (ctx.path === '/mfa_status') ctx.body = { enabled: true, method: 'softwareToken' };
    else {
      for await (const _chunk of ctx.req) void _chunk;
      ctx.body = { message: 'The verification code is correct' };
    }
  });
  return app.callback();
}

const userCount = Number(process.env.BENCH_USERS ?? '16');
/** Self-hosted clock: fixed at START_MS while users enroll, then driven by the number of verifies begun. */
const clock = { enrolling: true, verifies: 0 };
const enrolled: { token: string; secret: string }[] = [];

function selfHostedNow(): Date {
  if (clock.enrolling) return new Date(START_MS);
  const step = START_MS / PERIOD_MS + 1 + Math.floor(clock.verifies++ / userCount);
  return new Date(step * PERIOD_MS);
}

/** Self-hosted deps with BENCH_USERS users signed up, their authenticator set up, verified and enabled. */
async function selfHosted(): Promise<SelfHostedAppDeps> {
  const deps = selfHostedDeps(memoryBackend(), {
    issuer: 'Bench',
    provider: { encryptionKey: BENCH_KEY, now: selfHostedNow, env: {} },
    // The users are signed up all at once, in-process: no login throttle or hash-queue refusal for the set-up.
    protection: {
      signup: { limit: Number.MAX_SAFE_INTEGER, windowMs: 60_000 },
      hashing: { maxQueued: Number.MAX_SAFE_INTEGER },
    },
  });
  const count = userCount;
  const users = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const { token } = await deps.auth.signup({
        username: `bench-user-${i}`,
        password: 'correct horse battery staple',
      });
      const user = await deps.auth.userFor(token);
      const { secret } = await deps.auth.mfa.createSetup(user);
      await deps.auth.mfa.verify(user, generateSync({ secret, epoch: START_MS / 1000 }));
      await deps.auth.mfa.enable(user);
      return { token, secret };
    }),
  );
  enrolled.push(...users);
  clock.enrolling = false;
  return deps;
}

/** The bench's own route in front of the app (the app itself is not changed): how many verifies have begun. */
function withClockControl(app: RequestListener): RequestListener {
  return (req, res) => {
    if (req.url !== '/__bench/verifies') return app(req, res);
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ verifies: clock.verifies }));
  };
}

const handlers: Record<string, () => RequestListener | Promise<RequestListener>> = {
  express: () => createExpressApp(saasusDeps()),
  koa: () => createKoaApp(saasusDeps()).callback(),
  'express-self-hosted': async () => withClockControl(createExpressApp(await selfHosted())),
  'koa-self-hosted': async () => withClockControl(createKoaApp(await selfHosted()).callback()),
  'bare-node': () => bareNode,
  'bare-express': bareExpress,
  'bare-koa': bareKoa,
};

const make = handlers[process.env.BENCH_APP ?? ''];
if (!make) throw new Error(`BENCH_APP must be one of ${Object.keys(handlers).join(', ')}`);
const server = createServer({ keepAliveTimeout: 60_000 }, await make());
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port, users: enrolled })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
