import { describe, expect, it } from 'vitest';
import { MfaClient } from '../src/index.js';
import { SaasusMfaProvider } from '../src/saasus/index.js';
import { FAKE_BASE_URL, useFakeSaasus } from './support/fake-saasus.js';
import { createOfficialSdkLookalike } from './support/official-sdk-lookalike.js';
import { faultHandlers, logRequests } from './support/saasus-faults.js';

/**
 * Memory exhaustion: an answer far larger than any SaaSus answer (a misrouted download, a hostile proxy) is refused
 * once it passes 1 MiB, instead of being buffered whole, on both transports; and it is not retried, since the same
 * request would bring the same answer.
 */
const { fake, server, clock, provider } = useFakeSaasus();
const HUGE = JSON.stringify({ enabled: false, padding: 'x'.repeat(8 * 1024 * 1024) });

const TRANSPORTS = [
  { name: 'built-in transport', provider: () => provider({ maxRetries: 2 }) },
  {
    name: 'official SDK injected',
    provider: () => {
      const sdk = createOfficialSdkLookalike({ ...fake.credentials, baseUrl: FAKE_BASE_URL, now: clock.now });
      return new SaasusMfaProvider({
        saasUserApi: sdk.saasUserApi,
        userInfoApi: sdk.userInfoApi,
        env: {},
        maxRetries: 2,
        retryBaseDelayMs: 1,
      });
    },
  },
];

describe.each(TRANSPORTS)('$name', ({ provider: make }) => {
  it('memory exhaustion: an 8 MiB answer is refused as invalid_response, once, without being retried', async () => {
    const mfa = new MfaClient({ provider: make(), issuer: 'Acme' });
    const user = fake.addUser();
    const log = logRequests(server);
    server.use(
      ...faultHandlers(FAKE_BASE_URL, 'getStatus', {
        kind: 'answer',
        status: 200,
        text: HUGE,
        contentType: 'application/json',
      }),
    );
    const error = await mfa.getStatus(user).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'MfaProviderError', type: 'invalid_response' });
    // The cause (the safe facts of the exchange) says why: the size, not a malformed body.
    expect((error as Error).cause).toMatchObject({
      message: expect.stringMatching(/with a body over 1048576 bytes; it was not read$/),
    });
    expect(log.countOf('getStatus')).toBe(1);
    log.dispose();
  });

  it('an ordinary answer still passes under the limit', async () => {
    const mfa = new MfaClient({ provider: make(), issuer: 'Acme' });
    expect(await mfa.getStatus(fake.addUser())).toEqual({ enabled: false, method: null });
  });
});
