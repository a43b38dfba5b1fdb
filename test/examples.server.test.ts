import { describe, expect, it } from 'vitest';
import { collect, exitCode, spawnExample, startExample } from './support/example-process.js';

/**
 * `npm start` / `npm run example:*` for real: each server.ts as a child process, with nothing but PORT=0 set (as on a
 * fresh clone: no service, no credentials), then in DEMO mode, then with a backend it cannot reach.
 */
describe.each(['express', 'koa'] as const)('examples/%s/server.ts', (framework) => {
  it('starts in self-hosted mode on memory with no variables set, says so, serves sign-up, and exits on SIGTERM', async () => {
    const server = await startExample(framework);
    try {
      const banner = server.stdout();
      expect(banner).toContain(
        'Self-hosted mode: TOTP checked by this app (TotpMfaProvider); users, sessions and MFA state in memory',
      );
      expect(banner).toContain('MFA_ENCRYPTION_KEY is not set: TOTP secrets are stored UNENCRYPTED');
      expect(banner).toContain('export MFA_ENCRYPTION_KEY=');
      expect(banner).toContain(`${framework} example listening on ${server.url}`);
      expect(banner).toContain(`Open ${server.url}/ in a browser`);
      expect(server.url).not.toMatch(/:0$/);
      // The missing key is said once, by the banner (with the command that makes one), not again by the SDK.
      expect(banner.match(/MFA_ENCRYPTION_KEY is not set/g)).toHaveLength(1);
      expect(server.stderr()).not.toContain('SAASUS_MFA_NO_ENCRYPTION_KEY');
      expect(server.stderr()).not.toMatch(/unencrypted/i);

      const signup = await fetch(`${server.url}/signup`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'ada', password: 'correct horse' }),
      });
      expect(signup.status).toBe(201);
      const { token } = (await signup.json()) as { token: string };
      const status = await fetch(`${server.url}/mfa_status`, { headers: { Authorization: `Bearer ${token}` } });
      expect(await status.json()).toEqual({ enabled: false, method: null });
      expect(await server.stop()).toBe(0);
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('says the secrets are encrypted when MFA_ENCRYPTION_KEY is set', async () => {
    const server = await startExample(framework, { MFA_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64') });
    try {
      expect(server.stdout()).toContain('TOTP secrets are encrypted at rest with MFA_ENCRYPTION_KEY.');
      expect(server.stderr()).not.toContain('SAASUS_MFA_NO_ENCRYPTION_KEY');
      expect(await server.stop()).toBe(0);
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('prints the CORS origin it really allows: CORS_ORIGIN as browsers send it, and says when it is its own port', async () => {
    const server = await startExample(framework, { SAASUS_DEMO: '1', CORS_ORIGIN: 'http://LOCALHOST:5173/' });
    try {
      expect(server.stdout()).toContain(
        `${framework} example listening on ${server.url} (CORS origin http://localhost:5173)`,
      );
      const preflight = await fetch(`${server.url}/mfa_status`, {
        method: 'OPTIONS',
        headers: { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'GET' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      expect(server.stdout()).not.toContain("on this server's own port");
      expect(await server.stop()).toBe(0);
    } finally {
      server.child.kill('SIGKILL');
    }
    const port = new URL(server.url).port;
    const own = await startExample(framework, {
      SAASUS_DEMO: '1',
      CORS_ORIGIN: `http://localhost:${port}`,
      PORT: port,
    });
    try {
      expect(own.stdout()).toContain(`CORS origin http://localhost:${port} is on this server's own port`);
      expect(await own.stop()).toBe(0);
    } finally {
      own.child.kill('SIGKILL');
    }
  });

  it('refuses to start with a CORS_ORIGIN that is not an origin, without printing it', async () => {
    for (const value of [
      'app.example.test:8443',
      'http://app.example.test/app',
      'ftp://files.example',
      'https://u:hunter2@x',
    ]) {
      const child = spawnExample(framework, { CORS_ORIGIN: value });
      const printed = collect(child);
      expect(await exitCode(child), value).toBe(1);
      expect(printed.stderr, value).toContain('Cannot start: CORS_ORIGIN must be an origin like http://localhost:5173');
      expect(printed.stdout + printed.stderr, value).not.toContain(value);
    }
  });

  it('starts in DEMO mode with SAASUS_DEMO=1 and answers GET /mfa_status for the printed demo user', async () => {
    const server = await startExample(framework, { SAASUS_DEMO: '1' });
    try {
      const banner = server.stdout();
      expect(banner).toContain(
        'DEMO MODE (SAASUS_DEMO=1): using the in-process fake SaaSus API from saasus-mfa/testing/saasus',
      );
      const idToken = /ID token:\s+(\S+)/.exec(banner)?.[1];
      expect(idToken).toBeDefined();
      // JWT-shaped, as SaaSus's: the front end decodes `exp` from the payload.
      const claims = JSON.parse(Buffer.from(idToken!.split('.')[1]!, 'base64url').toString('utf8'));
      expect(claims.exp * 1000).toBeGreaterThan(Date.now());
      const code = /Sign-in code:\s+(\S+)/.exec(banner)?.[1];
      const signedIn = await fetch(`${server.url}/credentials?code=${code}`);
      expect(signedIn.status).toBe(200);
      const { id_token } = (await signedIn.json()) as { id_token: string };
      const info = await fetch(`${server.url}/userinfo`, { headers: { Authorization: `Bearer ${id_token}` } });
      expect(await info.json()).toMatchObject({ tenants: [{ envs: [{ roles: [{ role_name: 'admin' }] }] }] });
      const response = await fetch(`${server.url}/mfa_status`, { headers: { Authorization: `Bearer ${idToken}` } });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ enabled: false, method: null });
      // SaaSus mode has no accounts of its own.
      expect((await fetch(`${server.url}/signup`, { method: 'POST' })).status).toBe(404);
      expect(await server.stop()).toBe(0);
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('refuses to start when REDIS_URL cannot be reached, without printing the password in it', async () => {
    // Port 1 on loopback: nothing listens there.
    const child = spawnExample(framework, { REDIS_URL: 'redis://app:hunter2-secret@127.0.0.1:1/0' });
    const printed = collect(child);
    expect(await exitCode(child)).toBe(1);
    expect(printed.stderr).toContain('Cannot start: Cannot use Redis at redis://127.0.0.1:1/0 (REDIS_URL)');
    expect(printed.stdout + printed.stderr).not.toContain('hunter2-secret');
  });

  it('refuses to start with both REDIS_URL and DATABASE_URL set', async () => {
    const child = spawnExample(framework, {
      REDIS_URL: 'redis://127.0.0.1:1',
      DATABASE_URL: 'postgres://127.0.0.1:1/none',
    });
    const printed = collect(child);
    expect(await exitCode(child)).toBe(1);
    expect(printed.stderr).toContain('Cannot start: Set one of REDIS_URL, DATABASE_URL and SQLITE_PATH, not several');
  });
});
