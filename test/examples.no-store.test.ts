import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresMfaStore } from 'saasus-mfa/stores/postgres';
import { createFakeAuthenticator } from 'saasus-mfa/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { memoryBackend } from '../examples/shared/self-hosted/backends.js';
import { selfHostedDeps } from '../examples/shared/self-hosted/setup.js';
import { EXAMPLE_APPS, type RunningApp, listen } from './support/example-apps.js';
import { exampleHttp } from './support/example-http.js';
import { selfHostedSteps } from './support/example-self-hosted.js';
import { DATABASE_URL, postgresAvailable } from './support/services.js';

/**
 * The answers of the examples carry TOTP secrets (`/mfa_setup`), recovery codes (`/mfa_enable`) and session tokens
 * (`/signup`, `/mfa/challenge`): none may be kept by a browser's cache or a proxy, so every answer, refusals included,
 * says `Cache-Control: no-store`.
 */
describe.each(EXAMPLE_APPS)('$name example app: nothing cached', ({ create }) => {
  let app: RunningApp;
  const http = exampleHttp(() => app.url);
  beforeAll(async () => {
    const deps = selfHostedDeps(memoryBackend(), { provider: { encryptionKey: randomBytes(32), env: {} } });
    app = await listen(create(deps));
  });
  afterAll(() => app.close());

  it('secrets in a browser cache: every answer of the enrolment and the login says no-store', async () => {
    const steps = selfHostedSteps(http.call);
    const { credentials } = await steps.enrolledUser(createFakeAuthenticator());
    await steps.challengeFor(credentials);
    await http.call('/mfa_status', { idToken: 'not-a-session' });
    expect(http.exchanges.length).toBeGreaterThanOrEqual(6);
    for (const exchange of http.exchanges) {
      expect(exchange.headers.get('cache-control'), `${exchange.method} ${exchange.path}`).toBe('no-store');
    }
  });
});

/**
 * A store set up wrongly is the operator's to fix: the client gets a fixed body, and the operator's log gets the
 * message naming the tables and `migrate()`.
 */
const postgresUp = await postgresAvailable();
describe.skipIf(!postgresUp).each(EXAMPLE_APPS)('$name example app: a store that was never migrated', ({ create }) => {
  let app: RunningApp;
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
  const tablePrefix = `mfa_unmigrated_${randomBytes(6).toString('hex')}_`;
  const http = exampleHttp(() => app.url);
  beforeAll(async () => {
    const backend = { mfaStore: new PostgresMfaStore({ pool, tablePrefix }), accounts: memoryBackend().accounts };
    app = await listen(create(selfHostedDeps(backend, { provider: { encryptionKey: randomBytes(32), env: {} } })));
  });
  afterAll(async () => {
    await app.close();
    await pool.end();
  });

  it('infrastructure details to a client: the 500 body is fixed, the log names the missing tables', async () => {
    const logged: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((line: unknown) => void logged.push(String(line)));
    try {
      const { token } = (await http.call('/signup', { json: { username: 'ada', password: 'correct horse' } })).body as {
        token: string;
      };
      const status = await http.call('/mfa_status', { idToken: token });
      expect(status.status).toBe(500);
      expect(status.body).toEqual({
        error: 'The server is not set up correctly; its log says why',
        code: 'configuration_error',
      });
      expect(status.text).not.toContain(tablePrefix);
      expect(logged.join('\n')).toContain(`"${tablePrefix}factors"`);
      expect(logged.join('\n')).toContain('migrate()');
    } finally {
      spy.mockRestore();
    }
  });
});
