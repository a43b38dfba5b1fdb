import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFakeAuthenticator } from '../src/testing/index.js';
import { exampleHttp } from './support/example-http.js';
import { type ExampleProcess, startExample } from './support/example-process.js';
import { selfHostedSteps, tokenOf } from './support/example-self-hosted.js';
import { STEP_MS, TEST_KEY } from './support/totp.js';

/**
 * `SQLITE_PATH`: the persistent choice for one server. The example (`server.ts`, as `npm run example:*` starts it)
 * is stopped and started again on the same file, and what a restart must not lose is still there: the account, its
 * session, the factor (a login stops at the challenge), the claimed step (a code accepted before the restart stays
 * refused after it) and the recovery codes. Real time, as in any process test: the next code is taken from the
 * next 30 s step, which the ±1 step window accepts.
 */
const authenticator = createFakeAuthenticator();

describe('an example on a SQLite file (SQLITE_PATH), restarted', () => {
  const dir = mkdtempSync(join(tmpdir(), 'saasus-mfa-sqlite-restart-'));
  const env = { SQLITE_PATH: join(dir, 'mfa.db'), MFA_ENCRYPTION_KEY: TEST_KEY };
  let server: ExampleProcess | undefined;
  const { call } = exampleHttp(() => server!.url);
  const steps = selfHostedSteps(call);
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lost enrolment on restart: the factor, its claimed step, the session and the recovery codes outlive the process', async () => {
    server = await startExample('express', env);
    expect(server.stdout()).toContain(`in SQLite at ${env.SQLITE_PATH} (better-sqlite3, tables saasus_mfa_*)`);
    const { credentials, secret, token, recoveryCodes } = await steps.enrolledUser(authenticator);
    const code = authenticator.codeAt(secret, Date.now() + STEP_MS);
    expect((await steps.answer(await steps.challengeFor(credentials), code)).status).toBe(200);
    expect(await server.stop()).toBe(0);

    // Another app on the same file: the state is the file's, not the framework's.
    server = await startExample('hono', env);
    expect(await call('/mfa_status', { idToken: token })).toMatchObject({ status: 200, body: { enabled: true } });
    // Replay across the restart: the step claimed before it is still claimed.
    expect(await steps.answer(await steps.challengeFor(credentials), code)).toMatchObject({
      status: 400,
      body: { code: 'invalid_code', reason: 'replayed' },
    });
    const withRecovery = await steps.answer(await steps.challengeFor(credentials), recoveryCodes[0]!);
    expect(withRecovery.status, withRecovery.text).toBe(200);
    expect(await call('/me', { idToken: tokenOf(withRecovery) })).toMatchObject({
      status: 200,
      body: { username: credentials.username },
    });
    // The used recovery code stays used.
    expect((await steps.answer(await steps.challengeFor(credentials), recoveryCodes[0]!)).status).toBe(400);
  }, 60_000);

  it('a SQLITE_PATH that cannot be opened stops the start, naming the variable and the reason', async () => {
    await expect(startExample('express', { ...env, SQLITE_PATH: join(dir, 'missing', 'mfa.db') })).rejects.toThrow(
      /Cannot use the SQLite file at \S+ \(SQLITE_PATH\): .*directory does not exist/,
    );
  });

  it('refuses two persistent backends at once, naming the variables', async () => {
    await expect(startExample('express', { ...env, DATABASE_URL: 'postgres://127.0.0.1:1/none' })).rejects.toThrow(
      /Set one of REDIS_URL, DATABASE_URL and SQLITE_PATH/,
    );
  });
});
