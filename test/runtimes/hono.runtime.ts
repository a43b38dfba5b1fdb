import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeAuthenticator } from '../../src/testing/index.js';
import { exampleHttp } from '../support/example-http.js';
import { decodeQrDataUrl, newCredentials, selfHostedSteps, tokenOf } from '../support/example-self-hosted.js';
import { runtimeBinary } from '../support/runtime-binaries.js';
import {
  type RunningWorker,
  packedProject,
  removeDir,
  selectedRuntimes,
  startServer,
  startWrangler,
} from '../support/runtime-runs.js';

// The Hono example (examples/hono) started on Bun, Deno and workerd, against the packed package, on a persistent
// store (a SQLite file through bun:sqlite on Bun and node:sqlite on Deno; D1 through wrangler's local mode on
// workerd), and driven over real HTTP the way the demo page drives it: the self-hosted contract's lifecycle (sign-up, setup with QR code,
// verify, enable with recovery codes, login through the MFA challenge, a replayed code refused, recovery code,
// logout), the page with its security headers, the 404, and a restart on the same data that loses nothing. On Node the example runs every shared contract suite
// (test/support/example-apps.ts lists it beside Express and Koa).

const KEY = 'q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=';
const runtimes = selectedRuntimes().filter((name) => name === 'bun' || name === 'deno' || name === 'workerd');

/** Starts the example on `runtime` with its state under `data` (a SQLite file there, or wrangler's D1 persistence). */
async function startExample(runtime: string, dir: string, data: string): Promise<RunningWorker> {
  const env = { PORT: '0', MFA_ENCRYPTION_KEY: KEY, SQLITE_PATH: join(data, 'mfa.db') };
  if (runtime === 'bun')
    return startServer(runtimeBinary('bun'), ['examples/hono/bun.ts'], dir, undefined, 'listening', env);
  if (runtime === 'deno')
    return startServer(
      runtimeBinary('deno'),
      [
        'run',
        '--no-prompt',
        // The example's TypeScript imports its siblings as .js (NodeNext style); Deno maps them to .ts with this.
        '--sloppy-imports',
        '--allow-net=127.0.0.1',
        '--allow-env=PORT,MFA_ENCRYPTION_KEY,SQLITE_PATH',
        // The page, and the SQLite file's directory (the file and its -wal and -shm companions).
        `--allow-read=examples/shared/page,${data}`,
        `--allow-write=${data}`,
        'examples/hono/deno.ts',
      ],
      dir,
      undefined,
      'listening',
      env,
    );
  return startWrangler(dir, 'examples/hono/wrangler.toml', [
    '--var',
    `MFA_ENCRYPTION_KEY:${KEY}`,
    // D1's local database (and every other binding's state) under `data`: a second wrangler dev on it sees it.
    '--persist-to',
    data,
  ]);
}

// On Node the shared contract suites cover it; a run for Node only has nothing to do here.
if (runtimes.length === 0) it.skip('the Hono example runs here on Bun, Deno and workerd only', () => {});

describe.each(runtimes)('Hono example on %s', (runtime) => {
  let server: RunningWorker;
  let dir: string;
  const data = mkdtempSync(join(tmpdir(), `saasus-mfa-hono-${runtime}-`));
  const { call } = exampleHttp(() => server.url);
  const steps = selfHostedSteps(call);
  const authenticator = createFakeAuthenticator();

  beforeAll(async () => {
    dir = await packedProject();
    const startedAt = Date.now();
    server = await startExample(runtime, dir, data);
    process.stdout.write(`hono example on ${runtime}: started in ${Date.now() - startedAt} ms\n`);
  });
  afterAll(async () => {
    await server?.stop();
    removeDir(data);
  });

  it('runs sign-up → setup (QR code) → verify → enable → login through the challenge → replay refused → recovery code → logout', async () => {
    const credentials = newCredentials();
    const token = tokenOf(await steps.signup(credentials));
    const setup = await call('/mfa_setup', { idToken: token });
    expect(setup.status).toBe(200);
    const { secretKey, qrCodeUrl, qrCodeDataUrl } = setup.body as Record<string, string>;
    expect(await decodeQrDataUrl(qrCodeDataUrl!)).toBe(qrCodeUrl);
    const confirmation = authenticator.code(secretKey!);
    const verified = await call('/mfa_verify', { idToken: token, json: { verification_code: confirmation } });
    expect(verified.status, verified.text).toBe(200);
    const enabled = await call('/mfa_enable', { idToken: token, json: {} });
    expect(enabled.status, enabled.text).toBe(200);
    const { recoveryCodes } = enabled.body as { recoveryCodes: string[] };
    expect(recoveryCodes).toHaveLength(10);

    // The code that confirmed the setup was claimed then: at login it is a replay, refused.
    const replayed = await steps.answer(await steps.challengeFor(credentials), confirmation);
    expect(replayed.status, replayed.text).toBe(400);
    expect(replayed.body).toMatchObject({ code: 'invalid_code' });
    // The next step's code is inside the ±1 step window and unclaimed: a sign-in. Sent again: refused.
    const next = authenticator.codeAt(secretKey!, Date.now() + 30_000);
    const signedIn = await steps.answer(await steps.challengeFor(credentials), next);
    expect(signedIn.status, signedIn.text).toBe(200);
    expect((await call('/mfa_status', { idToken: tokenOf(signedIn) })).body).toMatchObject({ enabled: true });
    expect((await steps.answer(await steps.challengeFor(credentials), next)).status).toBe(400);
    const withRecovery = await steps.answer(await steps.challengeFor(credentials), recoveryCodes[0]!);
    expect(withRecovery.status, withRecovery.text).toBe(200);
    const session = tokenOf(withRecovery);
    expect((await call('/logout', { idToken: session, json: {} })).status).toBeLessThan(300);
    expect((await call('/mfa_status', { idToken: session })).status).toBe(401);
  });

  it('refuses a wrong code and a missing session, and answers no-store', async () => {
    const token = tokenOf(await steps.signup(newCredentials()));
    await call('/mfa_setup', { idToken: token });
    const wrong = await call('/mfa_verify', { idToken: token, json: { verification_code: '000000' } });
    expect(wrong.status).toBe(400);
    expect(wrong.headers.get('cache-control')).toBe('no-store');
    expect((await call('/mfa_status')).status).toBe(401);
  });

  it('lost enrolment on restart: stopped and started again on the same data, the factor, its claimed step and the session are still there', async () => {
    const { credentials, secret, token } = await steps.enrolledUser(authenticator);
    const code = authenticator.codeAt(secret, Date.now() + 30_000);
    expect((await steps.answer(await steps.challengeFor(credentials), code)).status).toBe(200);
    await server.stop();
    const startedAt = Date.now();
    server = await startExample(runtime, dir, data);
    process.stdout.write(`hono example on ${runtime}: restarted in ${Date.now() - startedAt} ms\n`);
    expect(await call('/mfa_status', { idToken: token })).toMatchObject({ status: 200, body: { enabled: true } });
    expect(await steps.answer(await steps.challengeFor(credentials), code)).toMatchObject({
      status: 400,
      body: { code: 'invalid_code', reason: 'replayed' },
    });
  });

  it('serves the demo page with its security headers, and a JSON 404 elsewhere', async () => {
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await page.text()).toContain('<html');
    const script = await fetch(`${server.url}/app.js`);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    const missing = await call('/no-such-route');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 'not_found' });
  });
});
