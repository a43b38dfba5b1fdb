import { connect } from 'node:net';

/** An answer read off the wire: what a client that does not trust the server would see. */
export interface RawAnswer {
  status: number;
  headers: string[];
  text: string;
  /** Parsed JSON body, or undefined when it is not JSON. */
  body: unknown;
}

/**
 * Sends bytes exactly as given over a plain TCP socket and reads the answer until the server closes. fetch and
 * node:http cannot send what these tests need: duplicated headers, conflicting lengths, broken framing.
 */
export function rawRequest(url: string, request: string | Buffer, timeoutMs = 10_000): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let settled = false;
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    function finish(error?: Error) {
      if (settled) return;
      const answer = parse(Buffer.concat(chunks), String(request).startsWith('HEAD '));
      if (!answer && !error) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (answer) resolve(answer);
      else reject(error);
    }
    // Resolve as soon as a whole answer is in: a server that refuses a huge body may reset the connection while
    // we are still writing it, and a reset can discard what was received but not yet read.
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      finish();
    });
    socket.on('error', () => {});
    socket.on('close', () => finish(new Error(`no HTTP answer (${Buffer.concat(chunks).length} bytes)`)));
    // Written but not ended: an attacker keeps the connection open, and a half-close would be a request of its own.
    socket.write(request);
  });
}

/** A complete answer from the bytes so far, or undefined while more are due (framing by length or chunks). */
function parse(raw: Buffer, head: boolean): RawAnswer | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...headers] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const rest = raw.subarray(end + 4);
  const length = headers.find((line) => /^content-length:/i.test(line))?.split(':')[1];
  let text: string;
  if (head) {
    text = ''; // the answer to HEAD announces a length but carries no body
  } else if (headers.some((line) => /^transfer-encoding:\s*chunked/i.test(line))) {
    const whole = rest.toString('utf8');
    if (!whole.includes('0\r\n\r\n')) return undefined;
    text = unchunk(whole);
  } else if (length !== undefined) {
    if (rest.length < Number(length)) return undefined;
    text = rest.subarray(0, Number(length)).toString('utf8');
  } else {
    text = rest.toString('utf8');
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: Number(statusLine.split(' ')[1]), headers, text, body };
}

function unchunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    const size = Number.parseInt(rest.slice(0, lineEnd), 16);
    if (!size) return out;
    out += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
}

/** An HTTP/1.1 request as text; `Connection: close` so the answer ends with the socket. */
export function httpRequest(method: string, path: string, headers: Array<[string, string]>, body = ''): string {
  const lines = [
    `${method} ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Connection: close',
    ...headers.map(([name, value]) => `${name}: ${value}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}
