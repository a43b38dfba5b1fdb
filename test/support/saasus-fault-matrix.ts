import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MfaClient, isMfaError } from '../../src/index.js';
import type { SaasusMfaProviderOptions } from '../../src/saasus/index.js';
import { FAKE_BASE_URL, useFakeSaasus } from './fake-saasus.js';
import { everythingSaidBy, leakedIn } from './leak-search.js';
import { createOfficialSdkLookalike } from './official-sdk-lookalike.js';
import {
  CALL_REQUESTS,
  type FaultedCall,
  type SaasusFault,
  faultHandlers,
  logRequests,
  watchUnhandled,
} from './saasus-faults.js';

export type Transport = 'built-in transport' | 'official SDK injected';

/** Small limits so the file stays fast; the budget below is derived from them, never hard-coded. */
const SETTINGS = { timeoutMs: 100, maxRetries: 2, retryBaseDelayMs: 10, maxRetryDelayMs: 30 };
/** Worst case the settings allow: every attempt times out, every back-off waits its cap. */
const BUDGET_MS = (SETTINGS.maxRetries + 1) * SETTINGS.timeoutMs + SETTINGS.maxRetries * SETTINGS.maxRetryDelayMs;
/** Generous: the machine is shared and slow; what matters is that nothing waits for an answer that never comes. */
const MARGIN_MS = 2_500;
const CALLS: FaultedCall[] = ['getStatus', 'createSetup', 'verify', 'enable', 'disable', 'getUserInfo'];
const isGet = (call: FaultedCall) => CALL_REQUESTS[call].method === 'GET';

const HTML_PAGE =
  '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><hr>nginx</body></html>';
const SAFE_JSON_BODY_KEYS = ['code', 'error', 'reason', 'retryAfterMs'];

type Expected =
  | { resolves: true }
  | {
      error: Record<string, unknown>;
      /** GETs are retried (maxRetries more requests); nothing else ever is. */ retriedIfGet: boolean;
    };

interface Scenario {
  label: string;
  fault: () => SaasusFault;
  expected: (call: FaultedCall, transport: Transport) => Expected;
  /** How long the fault keeps running after the call settles (a slow answer arriving late). */
  afterMs?: number;
  /** Secret values the fault's own body carries, searched for in the error like the others. */
  leakable?: Record<string, string>;
}

const timeout: Expected = {
  error: { name: 'MfaProviderError', status: 502, type: 'timeout', retryable: true },
  retriedIfGet: true,
};
const network: Expected = {
  error: { name: 'MfaProviderError', status: 502, type: 'network', retryable: true },
  retriedIfGet: true,
};
const invalidResponse: Expected = {
  error: { name: 'MfaProviderError', status: 502, type: 'invalid_response' },
  retriedIfGet: false,
};
const upstream = (status: number, type?: string): Expected => ({
  error: {
    name: 'MfaProviderError',
    status: 502,
    upstreamStatus: status,
    type: 'upstream',
    upstreamType: type,
    retryable: true,
  },
  retriedIfGet: true,
});
const rateLimited = (retryAfterMs: unknown, retriedIfGet: boolean): Expected => ({
  error: { name: 'MfaRateLimitedError', status: 429, code: 'rate_limited', retryAfterMs },
  retriedIfGet,
});
/** PUT and PATCH answer 200 with no body; any JSON there is not read, so only the calls that read a body fail. */
const wrongShape = (call: FaultedCall): Expected =>
  call === 'getStatus' || call === 'createSetup' || call === 'getUserInfo' ? invalidResponse : { resolves: true };
const answer = (status: number, text?: string, contentType?: string, headers?: Record<string, string>) => () =>
  ({ kind: 'answer', status, text, contentType, headers }) as const;
const httpDate = (offsetMs: number) => new Date(Date.now() + offsetMs).toUTCString();

const scenarios: Scenario[] = [
  { label: 'no answer at all (timeout)', fault: () => ({ kind: 'no_answer' }), expected: () => timeout },
  {
    label: 'an answer slower than the timeout',
    fault: () => ({ kind: 'slow', delayMs: 300 }),
    expected: () => timeout,
    afterMs: 250,
  },
  {
    label: 'headers, then a body that never ends',
    fault: () => ({ kind: 'stalled_body', status: 200 }),
    expected: () => timeout,
  },
  { label: 'a connection reset', fault: () => ({ kind: 'reset' }), expected: () => network },
  {
    label: 'a connection reset halfway through the body',
    fault: () => ({ kind: 'reset_mid_body', status: 200 }),
    expected: () => network,
  },
  ...[500, 502, 503].flatMap((status): Scenario[] => [
    { label: `${status} without a body`, fault: answer(status), expected: () => upstream(status) },
    {
      label: `${status} with a JSON error body`,
      fault: answer(status, JSON.stringify({ type: 'InternalServerError', message: 'Please try again later' })),
      expected: () => upstream(status, 'InternalServerError'),
    },
    {
      label: `${status} with an HTML error page`,
      fault: answer(status, HTML_PAGE, 'text/html'),
      expected: () => upstream(status),
    },
  ]),
  {
    label: '200 with an HTML page instead of JSON',
    fault: answer(200, HTML_PAGE, 'text/html'),
    expected: () => invalidResponse,
  },
  { label: '200 with truncated JSON', fault: answer(200, '{"enabled": tru'), expected: () => invalidResponse },
  { label: '200 with plain text', fault: answer(200, 'OK', 'text/plain'), expected: () => invalidResponse },
  {
    label: '200 with an empty body where one is read',
    fault: answer(200, ''),
    expected: (call) => (wrongShape(call) === invalidResponse ? invalidResponse : { resolves: true }),
  },
  { label: '200 with JSON of the wrong shape (array)', fault: answer(200, '[{"enabled":true}]'), expected: wrongShape },
  { label: '200 with JSON null', fault: answer(200, 'null'), expected: wrongShape },
  {
    // axios (under the official SDK) hands over a JSON string and unparseable text alike, as a string: refused there.
    label: '200 with a JSON string',
    fault: answer(200, '"true"'),
    expected: (call, transport) => (transport === 'official SDK injected' ? invalidResponse : wrongShape(call)),
  },
  { label: '200 with JSON missing every field', fault: answer(200, '{}'), expected: wrongShape },
  {
    label: '200 with JSON fields of the wrong types',
    fault: answer(200, JSON.stringify({ enabled: 'true', secret_code: 42, id: 7, email: ['x'] })),
    expected: wrongShape,
  },
  {
    label: '429 with Retry-After in seconds, longer than the back-off cap',
    fault: answer(429, '', undefined, { 'Retry-After': '120' }),
    expected: () => rateLimited(120_000, false),
  },
  {
    label: '429 with Retry-After as an HTTP-date, longer than the back-off cap',
    fault: () => answer(429, '', undefined, { 'Retry-After': httpDate(120_000) })(),
    expected: () =>
      rateLimited(
        expect.toSatisfy((ms: number) => ms > 115_000 && ms <= 120_000),
        false,
      ),
  },
  {
    label: '429 with Retry-After: 0',
    fault: answer(429, '', undefined, { 'Retry-After': '0' }),
    expected: () => rateLimited(0, true),
  },
  {
    label: '429 with Retry-After as an HTTP-date already past',
    fault: () => answer(429, '', undefined, { 'Retry-After': httpDate(-60_000) })(),
    expected: () => rateLimited(0, true),
  },
  {
    label: '201 with a secret code that is not base32',
    fault: answer(201, JSON.stringify({ secret_code: 'JBSWY3DPEHPK3PXP-not-base32-0189' })),
    expected: wrongShape,
    leakable: { malformedSecret: 'JBSWY3DPEHPK3PXP-not-base32-0189' },
  },
  {
    label: '200 whose body claims gzip and is not (broken in transit)',
    fault: answer(200, 'this is not gzip', 'application/json', { 'Content-Encoding': 'gzip' }),
    expected: () => network,
  },
  {
    label: '200 whose body ends before its Content-Length',
    fault: answer(200, '{"enabled":false}', 'application/json', { 'Content-Length': '500' }),
    expected: () => network,
  },
  {
    label: '429 with an unreadable Retry-After ("-1"): back off, do not retry at once',
    fault: answer(429, '', undefined, { 'Retry-After': '-1' }),
    expected: () => rateLimited(undefined, true),
  },
  {
    label: '429 with two Retry-After values joined ("120, 5")',
    fault: answer(429, '', undefined, { 'Retry-After': '120, 5' }),
    expected: () => rateLimited(undefined, true),
  },
  {
    label: '429 with a JSON body and no Retry-After',
    fault: answer(429, JSON.stringify({ type: 'TooManyRequestsException', message: 'Rate exceeded' })),
    expected: () => rateLimited(undefined, true),
  },
  {
    // The signed Authorization header must not follow a redirect to another host.
    label: 'a redirect to another host',
    fault: answer(302, '', undefined, { Location: 'https://elsewhere.test/collect' }),
    expected: () => ({
      error: { name: 'MfaProviderError', status: 502, upstreamStatus: 302, retryable: false },
      retriedIfGet: false,
    }),
  },
];

/**
 * The whole fault matrix for one way of reaching SaaSus: every scenario above against getStatus, createSetup, verify,
 * enable, disable and getUserInfo, then the transient faults. Call it at the top level of a test file; it returns the
 * fake SaaSus it set up (one msw server per file: a second one would intercept every request twice).
 */
export function describeSaasusFaults(transport: Transport) {
  // Random credentials, so that finding one in an error can only mean it leaked.
  const credentials = {
    saasId: `saas-${randomBytes(6).toString('hex')}`,
    apiKey: `apikey-${randomBytes(12).toString('hex')}`,
    secretKey: `secretkey-${randomBytes(12).toString('hex')}`,
  };
  const { fake, server, clock, provider: builtInProvider, authenticator } = useFakeSaasus(credentials);

  /** The provider under test: its own signed transport, or the official SDK's objects injected. */
  function provider(options: Partial<SaasusMfaProviderOptions>) {
    if (transport === 'built-in transport') return builtInProvider(options);
    const sdk = createOfficialSdkLookalike({ ...credentials, baseUrl: FAKE_BASE_URL, now: clock.now });
    return builtInProvider({ ...options, saasUserApi: sdk.saasUserApi, userInfoApi: sdk.userInfoApi });
  }

  let requestLog: ReturnType<typeof logRequests>;
  let unhandled: ReturnType<typeof watchUnhandled>;
  let lingerMs = 10;

  beforeEach(() => {
    requestLog = logRequests(server);
    unhandled = watchUnhandled();
    lingerMs = 10;
  });

  afterEach(async () => {
    // A late answer, a stream left open or an abort racing a response must not surface as an unhandled rejection.
    await sleep(lingerMs);
    requestLog.dispose();
    unhandled.dispose();
    expect(unhandled.seen, 'no unhandled rejection or uncaught exception').toEqual([]);
  });

  /** A user with a secret already created (so there is a TOTP secret to leak), then `call` run against `fault`. */
  async function runAgainst(call: FaultedCall, fault: SaasusFault, times?: number) {
    const logLines: string[] = [];
    const record = (message: string, fields: object) => void logLines.push(`${message} ${JSON.stringify(fields)}`);
    const saasus = provider({ ...SETTINGS, logger: { debug: record, warn: record } });
    const mfa = new MfaClient({ provider: saasus, issuer: 'Acme' });
    const user = fake.addUser();
    const ctx = { accessToken: user.accessToken };
    // The provider's own call, not the client's: the secret, without rendering QR codes in every test.
    const { secret } = await saasus.createSecret(user, ctx);
    const code = authenticator.code(secret);
    const run: Record<FaultedCall, () => Promise<unknown>> = {
      getStatus: () => mfa.getStatus(user),
      createSetup: () => mfa.createSetup(user, ctx),
      verify: () => mfa.verify(user, code, ctx),
      enable: () => mfa.enable(user),
      disable: () => mfa.disable(user),
      getUserInfo: () => saasus.getUserInfo(user.idToken),
    };

    requestLog.clear();
    server.use(...faultHandlers(FAKE_BASE_URL, call, fault, times));
    const started = performance.now();
    const outcome = await run[call]().then(
      (value) => ({ settled: 'resolved' as const, value }),
      (error: unknown) => ({ settled: 'rejected' as const, error }),
    );
    const elapsedMs = performance.now() - started;

    const secrets = {
      apiKey: credentials.apiKey,
      secretKey: credentials.secretKey,
      accessToken: user.accessToken,
      idToken: user.idToken,
      totpSecret: secret,
      code,
      ...Object.fromEntries(requestLog.credentialsSent().map((value, index) => [`authorization#${index}`, value])),
    };
    return {
      outcome,
      elapsedMs,
      requests: requestLog.countOf(call),
      allRequests: requestLog.requests,
      secrets,
      logLines,
    };
  }

  describe(`SaaSus faults (${transport}): a typed error, in time, retried only where documented, nothing secret in it`, () => {
    for (const scenario of scenarios) {
      describe(scenario.label, () => {
        it.each(CALLS)('%s', async (call) => {
          if (scenario.afterMs) lingerMs = scenario.afterMs;
          const expected = scenario.expected(call, transport);
          const run = await runAgainst(call, scenario.fault());
          const { outcome, elapsedMs, requests, allRequests, logLines } = run;
          const secrets = { ...run.secrets, ...scenario.leakable };

          expect(elapsedMs, `settled within the budget of the settings (${BUDGET_MS} ms + margin)`).toBeLessThan(
            BUDGET_MS + MARGIN_MS,
          );
          expect(
            allRequests.map((request) => request.host),
            'every request went to SaaSus, none followed a redirect',
          ).toEqual(allRequests.map(() => new URL(FAKE_BASE_URL).host));

          if ('resolves' in expected) {
            expect(outcome.settled).toBe('resolved');
            expect(requests).toBe(1);
            return;
          }
          expect(outcome.settled).toBe('rejected');
          const error = outcome.settled === 'rejected' ? outcome.error : undefined;
          expect(isMfaError(error), 'an MfaError, never a raw axios or TypeError').toBe(true);
          expect(error).toMatchObject(expected.error);
          expect(requests, 'GETs retried maxRetries times on retryable faults; POST, PUT and PATCH sent once').toBe(
            isGet(call) && expected.retriedIfGet ? SETTINGS.maxRetries + 1 : 1,
          );

          const body = isMfaError(error) ? error.toJSON() : {};
          expect(Object.keys(body).every((key) => SAFE_JSON_BODY_KEYS.includes(key))).toBe(true);
          expect(leakedIn(everythingSaidBy(error), secrets), 'secrets found in the error or its cause chain').toEqual(
            [],
          );
          expect(leakedIn(logLines.join('\n'), secrets), 'secrets found in log lines').toEqual([]);
        });
      });
    }
  });

  describe(`transient faults (${transport}): a GET recovers by retrying; a write is never sent twice`, () => {
    const transient: Array<[string, () => SaasusFault]> = [
      ['no answer', () => ({ kind: 'no_answer' })],
      ['a connection reset', () => ({ kind: 'reset' })],
      ['a reset halfway through the body', () => ({ kind: 'reset_mid_body', status: 200 })],
      ['503 with an HTML page', answer(503, HTML_PAGE, 'text/html')],
      ['429 with Retry-After: 0', answer(429, '', undefined, { 'Retry-After': '0' })],
    ];

    it.each(transient)(
      '%s twice, then an answer: getStatus and getUserInfo succeed on the third request',
      async (_label, fault) => {
        const status = await runAgainst('getStatus', fault(), 2);
        expect(status.outcome).toMatchObject({ settled: 'resolved', value: { enabled: false, method: null } });
        expect(status.requests).toBe(3);
        const info = await runAgainst('getUserInfo', fault(), 2);
        expect(info.outcome).toMatchObject({ settled: 'resolved', value: { id: expect.any(String) } });
        expect(info.requests).toBe(3);
      },
    );

    it.each(transient)(
      '%s once: createSetup, verify, enable and disable fail after one request',
      async (_label, fault) => {
        for (const call of ['createSetup', 'verify', 'enable', 'disable'] as const) {
          const { outcome, requests } = await runAgainst(call, fault(), 1);
          expect(outcome.settled, call).toBe('rejected');
          expect(requests, call).toBe(1);
        }
      },
    );

    it('honours an HTTP-date Retry-After within the cap before retrying a GET', async () => {
      const startedAt = Date.now();
      // HTTP-dates have whole seconds: two seconds ahead is a wait of one to two seconds.
      const fault = answer(429, '', undefined, { 'Retry-After': httpDate(2_000) })();
      const saasus = provider({ ...SETTINGS, maxRetryDelayMs: 3_000 });
      const user = fake.addUser();
      server.use(...faultHandlers(FAKE_BASE_URL, 'getStatus', fault, 1));
      const times: number[] = [];
      const stamp = () => void times.push(Date.now());
      server.events.on('request:start', stamp);
      expect(await new MfaClient({ provider: saasus, issuer: 'Acme' }).getStatus(user)).toEqual({
        enabled: false,
        method: null,
      });
      expect(times).toHaveLength(2);
      expect(times[1]! - startedAt).toBeGreaterThanOrEqual(900);
      server.events.removeListener('request:start', stamp);
    });
  });

  return { fake, server, clock, authenticator };
}
