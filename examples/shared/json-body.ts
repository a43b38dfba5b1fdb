import type { IncomingMessage } from 'node:http';

/** Largest JSON body accepted: `{"verification_code":"123456"}` needs 31 bytes. */
export const JSON_BODY_LIMIT_BYTES = 16 * 1024;

/** Shaped like body-parser's errors (`status`, `type`, `expose`), so `errors.ts` maps both the same way. */
class BodyError extends Error {
  readonly expose = true;
  constructor(
    readonly status: number,
    readonly type: string,
  ) {
    super(type);
  }
}

/**
 * Refuses a body whose declared length is over the limit before reading a byte of it; Node discards the unread rest.
 * body-parser (express.json) instead drains the whole declared body before answering 413, so a client announcing
 * 1 GB would hold the connection until it sent 1 GB: the Express example runs this check first.
 */
export function refuseDeclaredOversize(req: IncomingMessage, limit = JSON_BODY_LIMIT_BYTES): void {
  if (Number(req.headers['content-length'] ?? 0) > limit) throw new BodyError(413, 'entity.too.large');
}

/**
 * Reads a JSON object body, like `express.json({ limit })`, for frameworks without a body parser (Koa).
 * Not JSON content type: `undefined` (the SDK then refuses the missing field). Too large: 413. Malformed: 400.
 */
export async function readJsonBody(req: IncomingMessage, limit = JSON_BODY_LIMIT_BYTES): Promise<unknown> {
  if (!/^application\/json *(;|$)/i.test(req.headers['content-type'] ?? '')) return undefined;
  refuseDeclaredOversize(req, limit);
  const chunks: Buffer[] = [];
  let size = 0;
  // A chunked body has no declared length. Past the limit, keep draining without keeping: leaving the loop early
  // would destroy the socket, and the client would see a reset instead of the 413.
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= limit) chunks.push(chunk as Buffer);
  }
  if (size > limit) throw new BodyError(413, 'entity.too.large');
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new BodyError(400, 'entity.parse.failed');
  }
  // Like body-parser's strict mode: only objects and arrays.
  if (typeof body !== 'object' || body === null) throw new BodyError(400, 'entity.parse.failed');
  return body;
}
