/**
 * A real HTTP server on 127.0.0.1 that answers the SaaSus Auth API calls the provider makes, the way SaaSus does:
 * SAASUSSIGV1 signatures are checked (a bad one is a 401, which makes the benchmark fail loudly), JSON bodies,
 * keep-alive. Run in its own process by the benchmarks, so the client's CPU figures contain only the client.
 * Credentials come from BENCH_SAASUS_SAAS_ID / _API_KEY / _SECRET_KEY. Prints `{"port":N}` once listening.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
// The signer is not a public export; the fake server uses the SDK's own, from its source.
import { saasusSignature, saasusTimestamp } from '../../src/saasus/signer.js';

const saasId = process.env.BENCH_SAASUS_SAAS_ID ?? '';
const apiKey = process.env.BENCH_SAASUS_API_KEY ?? '';
const secretKey = process.env.BENCH_SAASUS_SECRET_KEY ?? '';

const PREFERENCE = JSON.stringify({ enabled: true, method: 'softwareToken' });
const SECRET_CODE = JSON.stringify({ secret_code: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' });
const PREFERENCE_PATH = /^\/v1\/auth\/users\/[^/]+\/mfa\/preference$/;
const SOFTWARE_TOKEN_PATH = /^\/v1\/auth\/users\/[^/]+\/mfa\/software-token$/;
const SECRET_CODE_PATH = /^\/v1\/auth\/users\/[^/]+\/mfa\/software-token\/secret-code$/;

/** The signature is valid for its minute; the one before is accepted too, for a request sent across a minute. */
function signedCorrectly(request: IncomingMessage, body: string): boolean {
  const header = request.headers.authorization ?? '';
  const match = /^SAASUSSIGV1 Sig=([0-9a-f]{64}), SaaSID=([^,\s]+), APIKey=([^,\s]+)$/.exec(header);
  if (!match || match[2] !== saasId || match[3] !== apiKey) return false;
  const url = `http://${request.headers.host}${request.url}`;
  const now = Date.now();
  return [now, now - 60_000].some(
    (at) =>
      saasusSignature({
        secretKey,
        apiKey,
        timestamp: saasusTimestamp(new Date(at)),
        method: request.method ?? '',
        url,
        body,
      }) === match[1],
  );
}

function answer(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'X-SaaSus-Trace-Id': 'bench',
  });
  response.end(body);
}

function userInfo(url: URL): string {
  const token = url.searchParams.get('token') ?? '';
  // The token names the user, so a load test can spread over many users: `bench-token-<userId>`.
  const id = token.startsWith('bench-token-') ? token.slice('bench-token-'.length) : 'bench-user';
  return JSON.stringify({ id, email: `${id}@example.com`, sign_in_id: id, user_attribute: {}, tenants: [] });
}

const server = createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    if (!signedCorrectly(request, body))
      return answer(response, 401, JSON.stringify({ type: 'invalid_signature', message: 'signature mismatch' }));
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const route = `${request.method} ${url.pathname}`;
    if (request.method === 'GET' && PREFERENCE_PATH.test(url.pathname)) return answer(response, 200, PREFERENCE);
    if (request.method === 'PATCH' && PREFERENCE_PATH.test(url.pathname)) return answer(response, 200, '');
    if (request.method === 'PUT' && SOFTWARE_TOKEN_PATH.test(url.pathname)) return answer(response, 200, '');
    if (request.method === 'POST' && SECRET_CODE_PATH.test(url.pathname)) return answer(response, 201, SECRET_CODE);
    if (route === 'GET /v1/auth/userinfo') return answer(response, 200, userInfo(url));
    answer(response, 404, JSON.stringify({ type: 'not_found', message: route }));
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
