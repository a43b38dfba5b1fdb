/**
 * 4. The example apps under load: requests per second of GET /mfa_status and a full POST /mfa_verify on the Express
 * and Koa examples, against bare handlers answering the same JSON (node:http, Express, Koa). autocannon on loopback;
 * the app, the fake SaaSus and autocannon each run in their own process, on the same machine.
 * - SaaSus mode: each request resolves the bearer ID token with /userinfo, then makes the MFA call, both against the
 *   loopback fake SaaSus (bench/saasus/fake-saasus-server.ts).
 * - Self-hosted mode (memory backend): each request looks the bearer session up; a verify checks a fresh, valid
 *   code of one of N enrolled users (the provider's clock follows the load, so no code is ever a replay).
 */
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { generateSync } from 'otplib';
import { type ChildServer, startChildServer } from '../lib/child.js';
import { type BenchOptions, scale } from '../lib/options.js';
import { Section, ratioOf } from '../lib/report.js';
import { PERIOD_MS, START_MS } from '../totp/enrolled.js';

const APPS = [
  'bare-node',
  'bare-express',
  'bare-koa',
  'express',
  'koa',
  'express-self-hosted',
  'koa-self-hosted',
] as const;
type App = (typeof APPS)[number];
type Route = 'status' | 'verify';
const credentials = {
  BENCH_SAASUS_SAAS_ID: 'bench-saas',
  BENCH_SAASUS_API_KEY: 'bench-api-key',
  BENCH_SAASUS_SECRET_KEY: randomBytes(16).toString('hex'),
};
const CONNECTIONS = 10;

interface Enrolled {
  token: string;
  secret: string;
}

type Length = { seconds: number } | { requests: number };

async function cannon(label: string, url: string, options: Omit<autocannon.Options, 'url'>): Promise<number> {
  const started = performance.now();
  const result = await autocannon({ url, ...options });
  const elapsedSeconds = (performance.now() - started) / 1000;
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0) {
    throw new Error(
      `${label}: ${failed} of ${result.requests.total} requests failed (errors ${result.errors}, status codes ${JSON.stringify(result.statusCodeStats)})`,
    );
  }
  return result.requests.total / elapsedSeconds;
}

/** A fixed request (bare handlers, SaaSus mode, self-hosted status): `seconds` long, or (smoke) a fixed number. */
function fixedRequest(port: number, app: App, route: Route, users: Enrolled[], length: Length): Promise<number> {
  const token = app.endsWith('-self-hosted') ? users[0]!.token : 'bench-token-load-user';
  const request: Omit<autocannon.Options, 'url'> = {
    method: route === 'status' ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'x-access-token': 'bench-access-token',
      'content-type': 'application/json',
    },
    connections: CONNECTIONS,
  };
  if (route === 'verify') request.body = JSON.stringify({ verification_code: '123456' });
  if ('seconds' in length) request.duration = length.seconds;
  else request.amount = length.requests;
  return cannon(
    `${app} ${route}`,
    `http://127.0.0.1:${port}${route === 'status' ? '/mfa_status' : '/mfa_verify'}`,
    request,
  );
}

/**
 * Self-hosted verify for `seconds`: request v (counted from the server's own count at the start of the run) is user
 * v mod N typing the code of step START + 1 + floor(v / N), the step the server's clock reads for its v-th verify.
 * Fewer connections than users, so a user's next code is only sent after their previous one was answered.
 */
async function selfHostedVerify(app: App, port: number, users: Enrolled[], length: Length): Promise<number> {
  // Requests cut off at the end of a run may or may not have reached the app: start each run from the app's count.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const { verifies } = (await (await fetch(`http://127.0.0.1:${port}/__bench/verifies`)).json()) as {
    verifies: number;
  };
  let next = verifies;
  const firstStep = START_MS / PERIOD_MS + 1;
  return cannon(`${app} verify`, `http://127.0.0.1:${port}`, {
    connections: Math.max(1, Math.min(CONNECTIONS, Math.floor(users.length / 2))),
    ...('seconds' in length ? { duration: length.seconds } : { amount: length.requests }),
    requests: [
      {
        method: 'POST',
        path: '/mfa_verify',
        setupRequest: (request) => {
          const index = next++;
          const user = users[index % users.length]!;
          const code = generateSync({
            secret: user.secret,
            epoch: ((firstStep + Math.floor(index / users.length)) * PERIOD_MS) / 1000,
          });
          return {
            ...request,
            headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ verification_code: code }),
          };
        },
      },
    ],
  });
}

export async function examplesUnderLoad(options: BenchOptions): Promise<Section> {
  const section = new Section('examples', '4. Example apps under load (autocannon, loopback, 10 connections)');
  const rounds = scale(options, 1, 4);
  // autocannon samples once a second: shorter runs would time its sampling, not the server.
  const length = scale<Length>(options, { seconds: 1 }, { seconds: 2 });
  const users = scale(options, 8, 64);
  const saasus = await startChildServer(new URL('../saasus/fake-saasus-server.ts', import.meta.url), credentials);
  const servers = new Map<App, ChildServer>();
  try {
    const started = await Promise.allSettled(
      APPS.map((app) =>
        startChildServer(new URL('./app-server.ts', import.meta.url), {
          ...credentials,
          BENCH_APP: app,
          BENCH_SAASUS_URL: `http://127.0.0.1:${saasus.port}`,
          BENCH_USERS: String(users),
        }),
      ),
    );
    started.forEach((outcome, i) => outcome.status === 'fulfilled' && servers.set(APPS[i]!, outcome.value));
    const failure = started.find((outcome) => outcome.status === 'rejected');
    if (failure) throw failure.reason;

    const measure = (app: App, route: Route, warmUp = false): Promise<number> => {
      const server = servers.get(app)!;
      const enrolled = (server.info.users ?? []) as Enrolled[];
      if (route === 'verify' && app.endsWith('-self-hosted'))
        return selfHostedVerify(app, server.port, enrolled, warmUp ? { seconds: 1 } : length);
      return fixedRequest(server.port, app, route, enrolled, warmUp ? { seconds: 1 } : length);
    };
    for (const route of ['status', 'verify'] as const) {
      const samples = new Map<App, number[]>(APPS.map((app) => [app, []]));
      if (!options.smoke) for (const app of APPS) await measure(app, route, true);
      for (let round = 0; round < rounds; round++) {
        for (const app of APPS) samples.get(app)!.push(await measure(app, route));
      }
      const path = route === 'status' ? 'GET /mfa_status' : 'POST /mfa_verify';
      const figures = new Map(
        APPS.map((app) => [
          app,
          section.figure(`${route}.${app}`, `${path}: ${app}`, 'req/s', 'higher', samples.get(app)!),
        ]),
      );
      for (const framework of ['express', 'koa'] as const) {
        for (const app of [framework, `${framework}-self-hosted`] as const) {
          section.compare(
            `${route}.${app}-vs-bare-${framework}`,
            `${route}: ${app} example / bare ${framework}`,
            ratioOf(figures.get(app)!, figures.get(`bare-${framework}`)!),
          );
        }
      }
      section.compare(
        `${route}.bare-express-vs-bare-node`,
        `${route}: bare express / bare node:http`,
        ratioOf(figures.get('bare-express')!, figures.get('bare-node')!),
      );
    }
  } finally {
    for (const server of servers.values()) await server.close();
    await saasus.close();
  }
  return section;
}
