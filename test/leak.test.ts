import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isMfaError } from '../src/index.js';
import type { FakeSaasusFailure, FakeSaasusOperation } from '../src/testing/saasus/index.js';
import { useFakeSaasus } from './support/fake-saasus.js';

const credentials = {
  saasId: `saas-${randomBytes(6).toString('hex')}`,
  apiKey: `apikey-${randomBytes(12).toString('hex')}`,
  secretKey: `secretkey-${randomBytes(12).toString('hex')}`,
};
const { fake, client, provider, authenticator } = useFakeSaasus(credentials);

/** Every form an error can take on its way to a log or a response: message, stack, JSON, deep inspection, causes. */
function everythingSaidBy(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 10; depth += 1) {
    parts.push(
      String(current),
      JSON.stringify(current) ?? '',
      inspect(current, { depth: Infinity, showHidden: true, getters: true }),
    );
    if (current instanceof Error) parts.push(current.stack ?? '');
    current = (current as { cause?: unknown }).cause;
  }
  if (isMfaError(error)) parts.push(JSON.stringify(error.toJSON()));
  return parts.join('\n');
}

/**
 * The request timeout of these clients: short enough that the timeout cases stay quick, long enough that the first
 * request of the file (cold, on a loaded 2-core CI machine) is never taken for one (200 ms was, once).
 */
const LIMIT_MS = 1_000;

const failures: Array<[string, FakeSaasusOperation, FakeSaasusFailure]> = [
  [
    'a wrong code (400)',
    'registerSoftwareToken',
    { status: 400, body: { type: 'CodeMismatchException', message: 'Invalid code' } },
  ],
  [
    'a wrong code (500)',
    'registerSoftwareToken',
    { status: 500, body: { type: 'CodeMismatchException', message: 'Invalid code' } },
  ],
  [
    'a rejected access token',
    'registerSoftwareToken',
    { status: 401, body: { type: 'NotAuthorizedException', message: 'expired' } },
  ],
  ['a connection reset', 'registerSoftwareToken', { network: 'reset' }],
  ['a timeout', 'registerSoftwareToken', { delayMs: 3 * LIMIT_MS }],
  ['an HTML error page', 'registerSoftwareToken', { status: 502, text: '<html>bad gateway</html>' }],
  ['a 429', 'registerSoftwareToken', { status: 429, headers: { 'Retry-After': '3' } }],
  [
    'a rejected secret-code call',
    'createSecretCode',
    { status: 500, body: { type: 'InternalServerError', message: 'boom' } },
  ],
  ['a reset on userinfo', 'getUserInfo', { network: 'reset' }],
  ['a 503 on userinfo', 'getUserInfo', { status: 503 }],
];

describe('leak: no secret, token, key, signature or code in any error or log line', () => {
  it.each(failures)('%s', async (_label, operation, failure) => {
    const logLines: string[] = [];
    const logger = {
      debug: (m: string, f: object) => logLines.push(m + JSON.stringify(f)),
      warn: (m: string, f: object) => logLines.push(m + JSON.stringify(f)),
    };
    const user = fake.addUser();
    const mfa = client({ logger, timeoutMs: LIMIT_MS, maxRetries: 1 });
    const ctx = { accessToken: user.accessToken };
    const setup = await mfa.createSetup(user, ctx);
    const code = authenticator.code(setup.secret);
    fake.failNext(operation, failure, 2);

    let error: unknown;
    try {
      if (operation === 'createSecretCode') await mfa.createSetup(user, ctx);
      else if (operation === 'getUserInfo')
        await provider({ logger, timeoutMs: LIMIT_MS, maxRetries: 1 }).getUserInfo(user.idToken);
      else await mfa.verify(user, code, ctx);
    } catch (caught) {
      error = caught;
    }
    expect(isMfaError(error)).toBe(true);

    const signatures = fake.requests
      .map((request) => /Sig=([0-9a-f]+)/.exec(request.headers.authorization ?? '')?.[1])
      .filter(Boolean);
    expect(signatures.length).toBeGreaterThan(0);
    const secrets = [
      credentials.apiKey,
      credentials.secretKey,
      user.accessToken,
      user.idToken,
      setup.secret,
      code,
      ...signatures,
    ];
    const said = everythingSaidBy(error) + '\n' + logLines.join('\n');
    for (const secret of secrets) expect(said).not.toContain(secret as string);
    expect(logLines.length).toBeGreaterThan(0);
  });

  it('an upstream message that echoes the code and the access token is used to classify, never kept', async () => {
    const user = fake.addUser();
    const mfa = client({ maxRetries: 0 });
    const ctx = { accessToken: user.accessToken };
    const setup = await mfa.createSetup(user, ctx);
    const code = authenticator.code(setup.secret);
    const message = `Invalid code ${code} received for token ${user.accessToken}`;
    fake.failNext('registerSoftwareToken', { status: 400, body: { type: 'CodeMismatchException', message } });
    const error = await mfa.verify(user, code, ctx).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'MfaInvalidCodeError' });
    const said = everythingSaidBy(error);
    for (const secret of [code, user.accessToken]) expect(said).not.toContain(secret);
  });

  it('the safe JSON body holds only error, code and non-secret hints', async () => {
    const user = fake.addUser();
    fake.failNext('getPreference', { status: 429, headers: { 'Retry-After': '9' } });
    const error = await client({ maxRetries: 0 })
      .getStatus(user)
      .catch((caught: unknown) => caught);
    expect(isMfaError(error) && error.toJSON()).toEqual({
      error: 'Too many attempts at SaaSus; try again later',
      code: 'rate_limited',
      retryAfterMs: 9000,
    });
  });
});

const signInFailures: Array<[string, FakeSaasusFailure]> = [
  ['a rejection echoing the input (401)', { status: 401, body: { type: 'NotAuthorizedException', message: 'ECHO' } }],
  ['a rejection echoing the input (500)', { status: 500, body: { type: 'NotAuthorizedException', message: 'ECHO' } }],
  ['an unexplained 500', { status: 500, body: { type: 'InternalError', message: 'ECHO' } }],
  ['a connection reset', { network: 'reset' }],
  ['a timeout', { delayMs: 3 * LIMIT_MS }],
  ['an HTML error page', { status: 502, text: '<html>ECHO</html>' }],
  ['a 429', { status: 429, headers: { 'Retry-After': '3' } }],
  ['a 200 with tokens but not all of them', { status: 200, body: { id_token: 'ECHO', refresh_token: 'ECHO' } }],
];

describe('leak: no temporary code, refresh, ID or access token in any sign-in error or log line', () => {
  it.each(signInFailures)('%s', async (_label, failure) => {
    const logLines: string[] = [];
    const logger = {
      debug: (m: string, f: object) => logLines.push(m + JSON.stringify(f)),
      warn: (m: string, f: object) => logLines.push(m + JSON.stringify(f)),
    };
    const user = fake.addUser();
    const sdk = provider({ logger, timeoutMs: LIMIT_MS, maxRetries: 1 });
    const signedIn = await sdk.exchangeTemporaryCode(fake.issueTemporaryCode(user.id));
    const code = fake.issueTemporaryCode(user.id);
    const echo = (text: string) => text.replaceAll('ECHO', `${code} ${signedIn.refreshToken} ${signedIn.idToken}`);
    const echoed = JSON.parse(echo(JSON.stringify(failure))) as FakeSaasusFailure;
    fake.failNext('exchangeTemporaryCode', echoed, 2);
    fake.failNext('refreshSession', echoed, 2);

    const errors = [
      await sdk.exchangeTemporaryCode(code).catch((caught: unknown) => caught),
      await sdk.refreshSession(signedIn.refreshToken).catch((caught: unknown) => caught),
    ];
    const signatures = fake.requests
      .map((request) => /Sig=([0-9a-f]+)/.exec(request.headers.authorization ?? '')?.[1])
      .filter(Boolean) as string[];
    const secrets = [
      credentials.apiKey,
      credentials.secretKey,
      code,
      signedIn.refreshToken,
      signedIn.idToken,
      signedIn.accessToken,
      ...signatures,
    ];
    for (const error of errors) expect(isMfaError(error)).toBe(true);
    const said = errors.map(everythingSaidBy).join('\n') + '\n' + logLines.join('\n');
    for (const secret of secrets) expect(said).not.toContain(secret);
    expect(logLines.length).toBeGreaterThan(0);
  });

  it('a successful sign-in and refresh log no code and no token', async () => {
    const logLines: string[] = [];
    const logger = { debug: (m: string, f: object) => logLines.push(m + JSON.stringify(f)) };
    const user = fake.addUser();
    const code = fake.issueTemporaryCode(user.id);
    const sdk = provider({ logger });
    const signedIn = await sdk.exchangeTemporaryCode(code);
    const refreshed = await sdk.refreshSession(signedIn.refreshToken);
    expect(logLines).toHaveLength(2);
    const tokens = [code, ...Object.values(signedIn), ...Object.values(refreshed)];
    for (const token of tokens) expect(logLines.join('\n')).not.toContain(token);
  });
});
