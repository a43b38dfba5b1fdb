import type { RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMfaError } from 'saasus-mfa';
import { type ExampleSetup, exampleFromEnv } from '../config.js';
import { DEFAULT_CORS_ORIGIN } from './cors.js';
import type { ExampleAppDeps } from '../deps.js';
import { createExampleServer } from './http-server.js';

const HOST = '127.0.0.1';

/**
 * Starts an example app from the environment (config.ts says which mode): `PORT` (default 3000; 0 picks a free one),
 * `CORS_ORIGIN`, then the mode's own variables. Prints a banner with the mode and the URL; closes cleanly on SIGTERM.
 */
export async function serve(
  framework: string,
  createHandler: (deps: ExampleAppDeps) => RequestListener,
): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    return refuseToStart('PORT must be a whole number from 0 to 65535');
  const corsOrigin = process.env.CORS_ORIGIN ?? DEFAULT_CORS_ORIGIN;
  let setup: ExampleSetup;
  try {
    setup = await exampleFromEnv();
  } catch (error) {
    // Configuration errors name the variable at fault; their messages carry no credential values.
    return refuseToStart(isMfaError(error) || error instanceof Error ? error.message : String(error));
  }
  const server = createExampleServer(createHandler({ ...setup.deps, corsOrigin }));
  server.once('error', (error: NodeJS.ErrnoException) => {
    refuseToStart(
      error.code === 'EADDRINUSE'
        ? `port ${port} is in use; set PORT to another one (PORT=0 picks a free one)`
        : `cannot listen (${error.code ?? error.name})`,
    );
    void setup.close();
  });

  server.listen(port, HOST, () => {
    // With PORT=0 the OS picks the port: print the one actually bound.
    const url = `http://${HOST}:${(server.address() as AddressInfo).port}`;
    // One write, so whoever reads the output (a test, a process manager) gets the banner whole.
    console.log(
      [
        ...setup.banner,
        `${framework} example listening on ${url} (CORS origin ${corsOrigin})`,
        ...setup.tryIt(url),
      ].join('\n'),
    );
  });

  const shutdown = (signal: string) => {
    console.log(`${signal}: closing the server`);
    server.close(() => {
      void setup.close().finally(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(1), 5_000).unref();
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

function refuseToStart(reason: string): void {
  console.error(`Cannot start: ${reason}`);
  process.exitCode = 1;
}
