import { describe, expect, it } from 'vitest';
import { MfaProviderError } from '../src/index.js';
import { backoffDelay, parseRetryAfter } from '../src/saasus/retry.js';
import { useFakeSaasus } from './support/fake-saasus.js';

const { fake, client, provider, authenticator } = useFakeSaasus();
const unavailable = { status: 503, body: { type: 'ServiceUnavailable', message: 'down' } };

function countOf(operation: string) {
  return fake.requests.filter((request) => request.operation === operation).length;
}

describe('retries: GET only, capped exponential back-off with jitter, Retry-After honoured', () => {
  it('retries a GET on 503 and succeeds on the third attempt', async () => {
    const user = fake.addUser();
    fake.failNext('getPreference', unavailable, 2);
    expect(await client({ maxRetries: 2 }).getStatus(user)).toEqual({ enabled: false, method: null });
    expect(countOf('getPreference')).toBe(3);
  });

  it('gives up after maxRetries with the last failure', async () => {
    const user = fake.addUser();
    fake.failNext('getPreference', unavailable, 5);
    await expect(client({ maxRetries: 2 }).getStatus(user)).rejects.toMatchObject({
      name: 'MfaProviderError',
      upstreamStatus: 503,
    });
    expect(countOf('getPreference')).toBe(3);
  });

  it('retries userinfo (a GET) after a connection reset', async () => {
    const user = fake.addUser();
    fake.failNext('getUserInfo', { network: 'reset' });
    expect(await provider().getUserInfo(user.idToken)).toMatchObject({ id: user.id });
    expect(countOf('getUserInfo')).toBe(2);
  });

  it('never retries POST, PUT or PATCH, whatever the failure', async () => {
    const user = fake.addUser();
    const mfa = client({ maxRetries: 5 });
    const ctx = { accessToken: user.accessToken };
    const setup = await mfa.createSetup(user, ctx);
    fake.failNext('createSecretCode', unavailable);
    await expect(mfa.createSetup(user, ctx)).rejects.toBeInstanceOf(MfaProviderError);
    fake.failNext('registerSoftwareToken', { network: 'reset' });
    await expect(mfa.verify(user, authenticator.code(setup.secret), ctx)).rejects.toBeInstanceOf(MfaProviderError);
    fake.failNext('updatePreference', { status: 429, headers: { 'Retry-After': '0' } });
    await expect(mfa.disable(user)).rejects.toMatchObject({ name: 'MfaRateLimitedError' });
    expect([countOf('createSecretCode'), countOf('registerSoftwareToken'), countOf('updatePreference')]).toEqual([
      2, 1, 1,
    ]);
  });

  it('waits for Retry-After on 429 before retrying a GET', async () => {
    const user = fake.addUser();
    fake.failNext('getPreference', { status: 429, headers: { 'Retry-After': '1' } });
    const started = Date.now();
    await client({ maxRetries: 1, retryBaseDelayMs: 1 }).getStatus(user);
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(countOf('getPreference')).toBe(2);
  });

  it('does not wait for a Retry-After longer than the cap: rate limited at once, with retryAfterMs', async () => {
    const user = fake.addUser();
    fake.failNext('getPreference', { status: 429, headers: { 'Retry-After': '120' } });
    await expect(client({ maxRetries: 3 }).getStatus(user)).rejects.toMatchObject({
      name: 'MfaRateLimitedError',
      retryAfterMs: 120_000,
    });
    expect(countOf('getPreference')).toBe(1);
  });

  it('does not retry a 4xx that is not 408 or 429', async () => {
    const user = fake.addUser();
    fake.failNext('getPreference', { status: 400, body: { type: 'InvalidParameterException', message: 'x' } }, 3);
    await expect(client({ maxRetries: 3 }).getStatus(user)).rejects.toMatchObject({
      upstreamStatus: 400,
      retryable: false,
    });
    expect(countOf('getPreference')).toBe(1);
  });

  it('computes full-jitter back-off under the cap, and reads both Retry-After forms', () => {
    const policy = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(0, policy, () => 0.999)).toBe(99);
    expect(backoffDelay(3, policy, () => 0.999)).toBe(799);
    expect(backoffDelay(10, policy, () => 0.999)).toBe(999);
    expect(backoffDelay(10, policy, () => 0)).toBe(0);
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('timeouts and cancellation', () => {
  it('ends a slow non-retried call with MfaProviderError timeout within the configured time', async () => {
    const user = fake.addUser();
    fake.failNext('updatePreference', { delayMs: 2_000 });
    const started = Date.now();
    await expect(client({ timeoutMs: 150 }).disable(user)).rejects.toMatchObject({
      name: 'MfaProviderError',
      type: 'timeout',
      retryable: true,
    });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('retries a timed-out GET, then succeeds', async () => {
    const user = fake.addUser();
    fake.failNext('getPreference', { delayMs: 2_000 });
    expect(await client({ timeoutMs: 150, maxRetries: 1 }).getStatus(user)).toEqual({ enabled: false, method: null });
    expect(countOf('getPreference')).toBe(2);
  });

  it('stops at once, retries included, when the caller aborts', async () => {
    const user = fake.addUser();
    fake.failNext('getPreference', { delayMs: 2_000 }, 5);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    await expect(client({ maxRetries: 5 }).getStatus(user, { signal: controller.signal })).rejects.toMatchObject({
      name: 'MfaProviderError',
      type: 'aborted',
      retryable: false,
    });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(countOf('getPreference')).toBe(1);
  });

  it('refuses a call whose signal is already aborted without sending it', async () => {
    const user = fake.addUser();
    await expect(client().getStatus(user, { signal: AbortSignal.abort() })).rejects.toMatchObject({ type: 'aborted' });
    expect(fake.requests).toHaveLength(0);
  });
});
