import type { MfaCallContext } from 'saasus-mfa';
import { HttpError } from '../handlers/answer.js';
import type { ExampleRequest } from '../handlers/route.js';
import { JSON_BODY_LIMIT_BYTES } from './json-body.js';
import { cookieFrom } from './cookie.js';

// Fixed messages, the same as json-body.ts gives: a JSON parser's own message may quote the body back.
const tooLarge = () => new HttpError(413, 'invalid_request', 'The request body is too large');
const notJson = () => new HttpError(400, 'invalid_request', 'The request body is not valid JSON');
const unreadable = () => new HttpError(415, 'invalid_request', 'The request could not be read');

/**
 * A Fetch API `Request` as the shared handlers see it, for the Hono example on Node, Bun, Deno and Workers: the same
 * reading as node-request.ts gives Express and Koa. Fetch's `Headers` joins a repeated header with ", ", so a
 * credential header holding ", " counts as sent twice (ambiguous: neither is used, the caller answers 401); tokens
 * never contain it. The client's address is not part of a `Request`: the runtime's entry passes it.
 */
export function fetchRequest(request: Request, clientAddress?: string): ExampleRequest {
  return {
    clientAddress,
    bearerToken: /^Bearer +(\S+) *$/i.exec(credentialHeader(request, 'authorization') ?? '')?.[1] ?? '',
    ctx: callContext(request),
    query: new URL(request.url).searchParams,
    cookie: (name) => cookieFrom(request.headers.get('cookie'), name),
    readBody: () => readJsonBody(request),
    userAgent: request.headers.get('user-agent') || undefined,
    // The URL's scheme is the runtime's (Hono's Node adapter: the socket's TLS; workerd: the client's connection).
    secure: new URL(request.url).protocol === 'https:',
  };
}

/** Refuses a body whose declared length is over the limit before reading any of it (as refuseDeclaredOversize). */
export function refuseDeclaredOversizeOf(request: Request, limit = JSON_BODY_LIMIT_BYTES): void {
  if (Number(request.headers.get('content-length') ?? 0) > limit) throw tooLarge();
}

function credentialHeader(request: Request, name: string): string | undefined {
  const value = request.headers.get(name);
  return value === null || value === '' || value.includes(', ') ? undefined : value;
}

function callContext(request: Request): MfaCallContext {
  return {
    accessToken: credentialHeader(request, 'x-access-token'),
    referer: request.headers.get('x-saasus-referer') || request.headers.get('referer') || undefined,
    // Every Fetch server here (Hono's Node adapter, Bun, Deno, workerd) aborts it when the client goes away.
    signal: request.signal,
  };
}

/** The JSON body, with the rules of json-body.ts (type, charset, encoding, 16 kB, objects and arrays only). */
async function readJsonBody(request: Request, limit = JSON_BODY_LIMIT_BYTES): Promise<unknown> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json *(;|$)/i.test(type)) return undefined;
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(type)?.[1];
  if (charset !== undefined && charset.toLowerCase() !== 'utf-8') throw unreadable();
  const encoding = request.headers.get('content-encoding');
  if (encoding !== null && encoding.toLowerCase() !== 'identity') throw unreadable();
  refuseDeclaredOversizeOf(request, limit);
  const chunks: Uint8Array[] = [];
  let size = 0;
  // A chunked body has no declared length: count while reading, keep nothing past the limit.
  if (request.body) {
    for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    }
  }
  if (size > limit) throw tooLarge();
  let text: string;
  try {
    const joined = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) joined.set(chunk, (offset += chunk.length) - chunk.length);
    text = new TextDecoder('utf-8', { fatal: true }).decode(joined);
  } catch {
    throw notJson();
  }
  if (text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw notJson();
  }
  if (typeof body !== 'object' || body === null) throw notJson();
  return body;
}
