import { type RequestListener, type Server, STATUS_CODES, createServer } from 'node:http';
import type { Duplex } from 'node:stream';

/** Node's HTTP parser errors that mean "the request is too big", answered 431 or 413 rather than 400. */
const TOO_LARGE: Record<string, number> = { HPE_HEADER_OVERFLOW: 431 };

/**
 * An HTTP server for an example app. Requests Node's own parser refuses (duplicated or conflicting Content-Length,
 * oversized headers, garbage instead of HTTP) never reach the framework; without a `clientError` listener Node answers
 * them with an empty body. Here they get the same `{ error, code }` JSON as every other refusal, and nothing of the
 * request is echoed back.
 */
export function createExampleServer(handler: RequestListener): Server {
  const server = createServer(handler);
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // A reset or timeout leaves nobody to answer; a socket that already wrote a response cannot take a second one.
    if (error.code === 'ECONNRESET' || !socket.writable || (socket as { _httpMessage?: unknown })._httpMessage) {
      socket.destroy();
      return;
    }
    const status = TOO_LARGE[error.code ?? ''] ?? 400;
    const body = JSON.stringify({ error: 'The request could not be read', code: 'invalid_request' });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  return server;
}
