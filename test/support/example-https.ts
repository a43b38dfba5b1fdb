import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway self-signed certificate for 127.0.0.1 (openssl), valid one day, made for one test file. */
export function selfSignedCertificate(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'saasus-mfa-example-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface HttpsAnswer {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

export interface RunningHttpsApp {
  url: string;
  /** One request, trusting only the test certificate: JSON in (`json`), the answer with its `Set-Cookie` lines. */
  call(path: string, options?: { json?: unknown; headers?: Record<string, string> }): Promise<HttpsAnswer>;
  close(): Promise<void>;
}

/** An example app behind Node's own HTTPS server on 127.0.0.1 (a TLS socket: what `ExampleRequest.secure` reads). */
export async function listenHttps(handler: RequestListener): Promise<RunningHttpsApp> {
  const { key, cert } = selfSignedCertificate();
  const server = createServer({ key, cert }, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `https://127.0.0.1:${port}`;
  return {
    url,
    call: (path, { json, headers = {} } = {}) =>
      new Promise((resolve, reject) => {
        const body = json === undefined ? undefined : JSON.stringify(json);
        const sent = request(
          `${url}${path}`,
          {
            method: body === undefined ? 'GET' : 'POST',
            ca: cert,
            headers: { ...headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              const all = new Headers();
              for (let i = 0; i < response.rawHeaders.length; i += 2)
                all.append(response.rawHeaders[i]!, response.rawHeaders[i + 1]!);
              let parsed: unknown;
              try {
                parsed = JSON.parse(text);
              } catch {
                parsed = undefined;
              }
              resolve({ status: response.statusCode ?? 0, headers: all, text, body: parsed });
            });
          },
        );
        sent.on('error', reject);
        sent.end(body);
      }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
