import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { ExampleRequest } from '../examples/shared/handlers/route.js';
import { nodeRequest } from '../examples/shared/server/node-request.js';

/** What `nodeRequest` makes of real Node requests: the one place the Node adapters read credentials, query and cookies. */
async function seen(
  path: string,
  headers: Record<string, string>,
): Promise<Omit<ExampleRequest, 'readBody' | 'cookie'> & { cookies: Record<string, string | undefined> }> {
  let result: unknown;
  const server = createServer((req, res) => {
    const request = nodeRequest(req, res);
    result = {
      bearerToken: request.bearerToken,
      ctx: { accessToken: request.ctx.accessToken, referer: request.ctx.referer },
      query: request.query,
      cookies: Object.fromEntries(['SaaSusRefreshToken', 'other', 'twice'].map((name) => [name, request.cookie(name)])),
    };
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`, { headers });
  } finally {
    server.close();
  }
  return result as never;
}

describe('nodeRequest', () => {
  it('reads the bearer token, the call context, the query and one cookie each', async () => {
    const request = await seen('/credentials?code=abc%2Fdef&x=1', {
      Authorization: 'Bearer id.token',
      'X-Access-Token': 'access.token',
      'X-SaaSus-Referer': 'https://app.example/page',
      Cookie: 'other=1; SaaSusRefreshToken=refresh%3Dtoken; twice=a; twice=b',
    });
    expect(request.bearerToken).toBe('id.token');
    expect(request.ctx).toEqual({ accessToken: 'access.token', referer: 'https://app.example/page' });
    expect(request.query.get('code')).toBe('abc/def');
    expect(request.cookies).toEqual({ SaaSusRefreshToken: 'refresh=token', other: '1', twice: undefined });
  });

  it('ambiguity: a cookie sent twice counts as missing, and a malformed escape is kept as sent', async () => {
    const request = await seen('/refresh', { Cookie: 'SaaSusRefreshToken=%E0%A4%A; twice=1; twice=1' });
    expect(request.cookies).toEqual({ SaaSusRefreshToken: '%E0%A4%A', other: undefined, twice: undefined });
    expect(request.bearerToken).toBe('');
    expect([...request.query]).toEqual([]);
  });
});
