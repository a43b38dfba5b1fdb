import { type RequestListener, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMfaError } from 'saasus-mfa';
import { DEFAULT_CORS_ORIGIN } from './cors.js';
import { type ExampleMfa, mfaFromEnv } from './config.js';
import type { ExampleAppDeps } from './deps.js';

const HOST = '127.0.0.1';

/** Starts an example app from the environment: `PORT` (default 3000; 0 picks a free one), `CORS_ORIGIN`, `SAASUS_*`. */
export async function serve(framework: string, createHandler: (deps: ExampleAppDeps) => RequestListener): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) return refuseToStart('PORT must be a whole number from 0 to 65535');
  const corsOrigin = process.env.CORS_ORIGIN ?? DEFAULT_CORS_ORIGIN;
  let setup: ExampleMfa;
  try {
    setup = await mfaFromEnv();
  } catch (error) {
    // A configuration error names the missing variable; its message is safe to print (no credential values).
    return refuseToStart(isMfaError(error) ? error.message : String(error));
  }
  const server = createServer(createHandler({ mfa: setup.mfa, provider: setup.provider, corsOrigin }));

  server.listen(port, HOST, () => {
    // With PORT=0 the OS picks the port: print the one actually bound.
    const url = `http://${HOST}:${(server.address() as AddressInfo).port}`;
    printBanner(framework, url, corsOrigin, setup);
  });

  const shutdown = (signal: string) => {
    console.log(`${signal}: closing the server`);
    server.close(() => {
      setup.close();
      process.exit(0);
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

function printBanner(framework: string, url: string, corsOrigin: string, setup: ExampleMfa): void {
  if (setup.mode === 'saasus') console.log(`SaaSus mode: ${setup.baseUrl}`);
  else console.log('DEMO MODE: no SaaSus credentials set; using the in-process fake SaaSus API from saasus-mfa/testing');
  console.log(`${framework} example listening on ${url} (CORS origin ${corsOrigin})`);
  const user = setup.demoUser;
  if (!user) return;
  const auth = `-H 'Authorization: Bearer ${user.idToken}'`;
  const access = `-H 'X-Access-Token: ${user.accessToken}'`;
  const json = `-H 'Content-Type: application/json'`;
  console.log(`Demo user: ${user.email}`);
  console.log(`  ID token:     ${user.idToken}`);
  console.log(`  Access token: ${user.accessToken}`);
  console.log('Try (replace 123456 with the code an authenticator shows for secretKey; see examples/README.md):');
  console.log(`  curl -s ${url}/mfa_status ${auth}`);
  console.log(`  curl -s ${url}/mfa_setup ${auth} ${access}`);
  console.log(`  curl -s -X POST ${url}/mfa_verify ${auth} ${access} ${json} -d '{"verification_code":"123456"}'`);
  console.log(`  curl -s -X POST ${url}/mfa_enable ${auth} ${json} -d '{}'`);
  console.log(`  curl -s -X POST ${url}/mfa_disable ${auth} ${json} -d '{}'`);
}
