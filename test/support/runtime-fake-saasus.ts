import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getResponse } from 'msw';
import { createFakeSaasus, type FakeSaasus } from '../../src/testing/saasus/index.js';

/** What a runtime under test needs to call the fake: where it is, the credentials, and a signed-in user. */
export interface FakeSaasusAddress {
  baseUrl: string;
  saasId: string;
  apiKey: string;
  secretKey: string;
  userId: string;
  accessToken: string;
}

export interface ServedFakeSaasus {
  fake: FakeSaasus;
  /** A new signed-in user on the fake, as a runtime under test calls it. */
  addressForNewUser(): FakeSaasusAddress;
  close(): Promise<void>;
}

const CREDENTIALS = { saasId: 'runtime-saas-id', apiKey: 'runtime-api-key', secretKey: 'runtime-secret-key' };

/**
 * The testing kit's fake SaaSus (msw handlers) behind a real HTTP server on 127.0.0.1, so a runtime in another process
 * (Bun, Deno, workerd) calls it over the wire, signatures checked, exactly as it would call SaaSus.
 */
export async function serveFakeSaasus(): Promise<ServedFakeSaasus> {
  // Made once the port is known (its baseUrl names it); the server only answers after that.
  const made: { fake?: FakeSaasus } = {};
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const body = Buffer.concat(chunks);
      const headers = new Headers();
      for (const [name, value] of Object.entries(request.headers))
        if (typeof value === 'string') headers.set(name, value);
      const fetchRequest = new Request(`${made.fake!.baseUrl}${request.url}`, {
        method: request.method,
        headers,
        body: body.length > 0 ? body : undefined,
      });
      const answer =
        (await getResponse(made.fake!.handlers, fetchRequest)) ?? new Response('no route', { status: 404 });
      response.writeHead(answer.status, Object.fromEntries(answer.headers));
      response.end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const fake = (made.fake = createFakeSaasus({ baseUrl: `http://127.0.0.1:${port}`, ...CREDENTIALS }));
  return {
    fake,
    addressForNewUser() {
      const user = fake.addUser({ email: 'grace@example.com' });
      return { baseUrl: fake.baseUrl, ...CREDENTIALS, userId: user.id, accessToken: user.accessToken };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
