import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { MfaClient } from '../../src/index.js';
import { SaasusMfaProvider, type SaasusMfaProviderOptions } from '../../src/saasus/index.js';
import { createFakeAuthenticator, createFixedClock } from '../../src/testing/index.js';
import { createFakeSaasus, type FakeSaasusOptions } from '../../src/testing/saasus/index.js';

export const FAKE_BASE_URL = 'https://api.saasus.test';

function isLoopback(url: string): boolean {
  const { hostname } = new URL(url);
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

/**
 * A fake SaaSus behind msw for one test file: a fixed clock, the fake, an authenticator, and a provider/client
 * factory wired to them. msw errors on any request it does not handle, except the tests' own loopback calls.
 */
export function useFakeSaasus(options: FakeSaasusOptions = {}) {
  const clock = createFixedClock(Date.UTC(2025, 0, 2, 15, 4, 10));
  const fake = createFakeSaasus({ baseUrl: FAKE_BASE_URL, clock, ...options });
  const server = setupServer(...fake.handlers);
  const authenticator = createFakeAuthenticator(clock);

  beforeAll(() =>
    server.listen({
      onUnhandledRequest(request, print) {
        if (!isLoopback(request.url)) print.error();
      },
    }),
  );
  afterEach(() => {
    server.resetHandlers();
    fake.reset();
    clock.set(Date.UTC(2025, 0, 2, 15, 4, 10));
  });
  afterAll(() => server.close());

  function provider(overrides: Partial<SaasusMfaProviderOptions> = {}) {
    return new SaasusMfaProvider({
      ...fake.credentials,
      baseUrl: FAKE_BASE_URL,
      now: clock.now,
      env: {},
      retryBaseDelayMs: 1,
      ...overrides,
    });
  }

  function client(overrides: Partial<SaasusMfaProviderOptions> = {}) {
    return new MfaClient({ provider: provider(overrides), issuer: 'Acme' });
  }

  return { fake, server, clock, authenticator, provider, client };
}
