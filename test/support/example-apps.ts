import type { RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createExpressApp } from '../../examples/express/app.js';
import { honoNodeListener } from '../../examples/hono/node-listener.js';
import { createKoaApp } from '../../examples/koa/app.js';
import type { ExampleAppDeps } from '../../examples/shared/deps.js';
import { createExampleServer } from '../../examples/shared/server/http-server.js';

/** The example apps (Express, Koa, Hono over the Fetch API), as plain Node request listeners, for one contract suite run against each. */
export const EXAMPLE_APPS: Array<{ name: string; create: (deps: ExampleAppDeps) => RequestListener }> = [
  { name: 'express', create: (deps) => createExpressApp(deps) },
  { name: 'koa', create: (deps) => createKoaApp(deps).callback() },
  { name: 'hono', create: honoNodeListener },
];

/**
 * The apps a backend's suite runs against: every app on the memory backend, one app on each of the others (Hono
 * on SQLite, the backend of its Bun, Deno and Workers entries; Express on Redis and PostgreSQL). The apps differ
 * only in how HTTP reaches the shared handlers, and the backends only in where accounts, sessions and MFA state
 * live, so each difference is run once instead of every app on every backend (which was most of the examples' test
 * time).
 */
export function appsFor(backend: string): typeof EXAMPLE_APPS {
  if (backend === 'memory') return EXAMPLE_APPS;
  const app = backend === 'sqlite' ? 'hono' : 'express';
  return EXAMPLE_APPS.filter(({ name }) => name === app);
}

export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

/** Serves a listener on 127.0.0.1 with a free port, on the server `npm start` uses: real HTTP, as a browser would. */
export async function listen(handler: RequestListener): Promise<RunningApp> {
  const server = createExampleServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
