import type { IncomingMessage } from 'node:http';
import { HttpError } from '../handlers/answer.js';

/** Largest JSON body accepted: `{"verification_code":"123456"}` needs 31 bytes. */
export const JSON_BODY_LIMIT_BYTES = 16 * 1024;

// Fixed messages: a JSON parser's own message may quote the request body back, tokens included.
const tooLarge = () => new HttpError(413, 'invalid_request', 'The request body is too large');
const notJson = () => new HttpError(400, 'invalid_request', 'The request body is not valid JSON');
const unreadable = () => new HttpError(415, 'invalid_request', 'The request could not be read');

/**
 * Refuses a body whose declared length is over the limit before reading a byte of it; Node discards the unread rest.
 * Both apps run it first on every request, so a client announcing 1 GB is answered 413 at once, whatever the route.
 */
export function refuseDeclaredOversize(req: IncomingMessage, limit = JSON_BODY_LIMIT_BYTES): void {
  if (Number(req.headers['content-length'] ?? 0) > limit) throw tooLarge();
}

/**
 * Reads a JSON object body, as strictly as `express.json({ limit })` did, for both apps.
 * Not JSON content type: `undefined` (the handler then refuses the missing field). Too large: 413. Malformed, or
 * JSON that is not an object or array: 400. A charset other than UTF-8, or a compressed body: 415.
 */
export async function readJsonBody(req: IncomingMessage, limit = JSON_BODY_LIMIT_BYTES): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json *(;|$)/i.test(type)) return undefined;
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(type)?.[1];
  if (charset !== undefined && charset.toLowerCase() !== 'utf-8') throw unreadable();
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') throw unreadable();
  refuseDeclaredOversize(req, limit);
  const chunks: Buffer[] = [];
  let size = 0;
  // A chunked body has no declared length. Past the limit, keep draining without keeping: leaving the loop early
  // would destroy the socket, and the client would see a reset instead of the 413.
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= limit) chunks.push(chunk as Buffer);
  }
  if (size > limit) throw tooLarge();
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw notJson();
  }
  // Like body-parser's strict mode: only objects and arrays.
  if (typeof body !== 'object' || body === null) throw notJson();
  return body;
}
