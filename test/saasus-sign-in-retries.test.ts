import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { FakeSaasusFailure } from '../src/testing/saasus/index.js';
import { useFakeSaasus } from './support/fake-saasus.js';

const { fake, provider } = useFakeSaasus();

const count = (operation: string) => fake.requests.filter((request) => request.operation === operation).length;

/** A loopback port with nothing listening: a connection to it is refused before any byte is sent. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('SaaSus sign-in retries: a single-use code is never sent twice, a refresh is retried', () => {
  it.each([
    ['a connection reset', { network: 'reset' }],
    ['a 503', { status: 503 }],
    ['a 500', { status: 500, body: { type: 'InternalError', message: 'x' } }],
    ['a 429 with Retry-After 0', { status: 429, headers: { 'Retry-After': '0' } }],
    ['a timeout', { delayMs: 500 }],
  ] as Array<[string, FakeSaasusFailure]>)(
    'the exchange is not retried after %s: the request may have redeemed the code',
    async (_label, failure) => {
      const user = fake.addUser();
      fake.failNext('exchangeTemporaryCode', failure, 3);
      await expect(
        provider({ maxRetries: 2, timeoutMs: 200 }).exchangeTemporaryCode(fake.issueTemporaryCode(user.id)),
      ).rejects.toMatchObject({ name: expect.stringMatching(/^Mfa/) });
      expect(count('exchangeTemporaryCode')).toBe(1);
    },
  );

  it.each([
    ['a connection reset', { network: 'reset' }],
    ['a 503', { status: 503 }],
    ['a 500', { status: 500, body: { type: 'InternalError', message: 'x' } }],
    ['a timeout', { delayMs: 500 }],
  ] as Array<[string, FakeSaasusFailure]>)(
    'code resent by the caller: after %s the error is not retryable, so an app that follows `retryable` signs in again',
    async (_label, failure) => {
      const user = fake.addUser();
      fake.failNext('exchangeTemporaryCode', failure);
      const error = await provider({ maxRetries: 2, timeoutMs: 200 })
        .exchangeTemporaryCode(fake.issueTemporaryCode(user.id))
        .catch((thrown: unknown) => thrown);
      expect(error).toMatchObject({ name: 'MfaProviderError', retryable: false });
    },
  );

  it('the exchange is retried when the connection was refused: nothing reached SaaSus', async () => {
    const retries: unknown[] = [];
    const sdk = provider({
      baseUrl: `http://127.0.0.1:${await closedPort()}`,
      maxRetries: 2,
      logger: { warn: (message, fields) => message === 'saasus retry' && retries.push(fields) },
    });
    await expect(sdk.exchangeTemporaryCode('abc')).rejects.toMatchObject({ type: 'network', retryable: true });
    expect(retries).toHaveLength(2);
  });

  it('a refresh is retried on resets and 503s, then succeeds', async () => {
    const user = fake.addUser();
    const { refreshToken } = await provider().exchangeTemporaryCode(fake.issueTemporaryCode(user.id));
    fake.failNext('refreshSession', { network: 'reset' });
    fake.failNext('refreshSession', { status: 503 });
    await expect(provider({ maxRetries: 2 }).refreshSession(refreshToken)).resolves.toHaveProperty('idToken');
    expect(count('refreshSession')).toBe(3);
  });

  it('a rejected refresh token is not retried', async () => {
    await expect(provider({ maxRetries: 2 }).refreshSession('refresh.unknown')).rejects.toMatchObject({
      reason: 'rejected_refresh_token',
    });
    expect(count('refreshSession')).toBe(1);
  });
});
