import type { RequestListener } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { ExampleAppDeps } from '../shared/deps.js';
import { pageFile } from '../shared/server/page-files.js';
import { createHonoApp } from './app.js';

/**
 * The Hono app as a Node request listener (@hono/node-server), the page read from disk and the client's address
 * from the socket: what server.ts serves, and what the tests run against.
 */
export function honoNodeListener(deps: ExampleAppDeps): RequestListener {
  const app = createHonoApp(deps, { pageFile, clientAddress: (c) => getConnInfo(c).remote.address });
  return getRequestListener(app.fetch);
}
