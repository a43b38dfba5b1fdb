import { request } from 'node:http';

/** An answer read in full: status, headers, the JSON body (undefined when not JSON). */
export interface AddressedAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/**
 * One HTTP request sent from a chosen loopback source address (127.0.0.1 to 127.255.255.254 all reach a server on
 * 127.0.0.1 under Linux), so a test or benchmark can play many clients: the example keys its throttle and the SDK's
 * `clientKey` by the TCP peer address. A new connection each time (no keep-alive), as separate clients would open.
 */
export function requestFrom(
  localAddress: string,
  url: string,
  path: string,
  options: { method?: string; json?: unknown; bearer?: string } = {},
): Promise<AddressedAnswer> {
  const { hostname, port } = new URL(url);
  const body = options.json === undefined ? undefined : JSON.stringify(options.json);
  const headers: Record<string, string> = { Connection: 'close' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.bearer !== undefined) headers.Authorization = `Bearer ${options.bearer}`;
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname, port, path, localAddress, method: options.method ?? (body ? 'POST' : 'GET'), headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The n-th of many distinct loopback client addresses (127.0.<1 + n / 250>.<1 + n % 250>). */
export function loopbackAddress(n: number): string {
  return `127.0.${1 + Math.floor(n / 250)}.${1 + (n % 250)}`;
}
