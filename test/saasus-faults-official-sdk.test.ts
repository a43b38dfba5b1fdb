import { describe, expect, it } from 'vitest';
import { MfaClient } from '../src/index.js';
import { SaasusMfaProvider } from '../src/saasus/index.js';
import { FAKE_BASE_URL } from './support/fake-saasus.js';
import { createOfficialSdkLookalike } from './support/official-sdk-lookalike.js';
import { describeSaasusFaults } from './support/saasus-fault-matrix.js';
import { faultHandlers, logRequests } from './support/saasus-faults.js';

// The same fault matrix as test/saasus-faults.test.ts, with the official SDK's objects injected in place of the
// built-in transport: their axios follows redirects, parses JSON its own way and rejects with AxiosErrors.
const { fake, server, clock, authenticator } = describeSaasusFaults('official SDK injected');

describe('official SDK injected: regressions found by the fault matrix', () => {
  function setUp() {
    const { saasUserApi, userInfoApi } = createOfficialSdkLookalike({
      ...fake.credentials,
      baseUrl: FAKE_BASE_URL,
      now: clock.now,
    });
    const provider = new SaasusMfaProvider({ saasUserApi, userInfoApi, env: {}, maxRetries: 2, retryBaseDelayMs: 1 });
    const user = fake.addUser();
    return { mfa: new MfaClient({ provider, issuer: 'Acme' }), user, ctx: { accessToken: user.accessToken } };
  }

  it('redirect leak: a 302 to another host is not followed, so the access token and code in a PUT body stay home', async () => {
    const { mfa, user, ctx } = setUp();
    const { secret } = await mfa.createSetup(user, ctx);
    const log = logRequests(server);
    server.use(
      ...faultHandlers(FAKE_BASE_URL, 'verify', {
        kind: 'answer',
        status: 302,
        headers: { Location: 'https://elsewhere.test/collect' },
      }),
    );
    await expect(mfa.verify(user, authenticator.code(secret), ctx)).rejects.toMatchObject({
      name: 'MfaProviderError',
      upstreamStatus: 302,
    });
    expect(log.requests.map((request) => `${request.method} ${request.host}`)).toEqual(['PUT api.saasus.test']);
    log.dispose();
  });

  it('fail-open: a 200 HTML page from a proxy is not taken for a registered authenticator or an enabled MFA', async () => {
    const { mfa, user, ctx } = setUp();
    const { secret } = await mfa.createSetup(user, ctx);
    const page = {
      kind: 'answer',
      status: 200,
      text: '<html><body>Welcome to the hotel Wi-Fi</body></html>',
      contentType: 'text/html',
    } as const;
    server.use(...faultHandlers(FAKE_BASE_URL, 'verify', page), ...faultHandlers(FAKE_BASE_URL, 'enable', page));
    await expect(mfa.verify(user, authenticator.code(secret), ctx)).rejects.toMatchObject({
      name: 'MfaProviderError',
      type: 'invalid_response',
    });
    await expect(mfa.enable(user)).rejects.toMatchObject({ name: 'MfaProviderError', type: 'invalid_response' });
  });

  it('a connection reset halfway through a 200 body is a network failure, and a GET is retried past it', async () => {
    const { mfa, user } = setUp();
    const log = logRequests(server);
    server.use(...faultHandlers(FAKE_BASE_URL, 'getStatus', { kind: 'reset_mid_body', status: 200 }, 1));
    expect(await mfa.getStatus(user)).toEqual({ enabled: false, method: null });
    expect(log.countOf('getStatus')).toBe(2);
    log.dispose();
  });
});
