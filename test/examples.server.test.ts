import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * `npm run example:*` for real: a child process in DEMO mode (no SAASUS_* variables), the URL and the demo ID token
 * read from what it prints, one request, then SIGTERM and a clean exit.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STARTUP_TIMEOUT_MS = 15_000;

describe.each(['express', 'koa'])('examples/%s/server.ts', (framework) => {
  it('starts in DEMO mode, answers GET /mfa_status for the printed demo user, and exits on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', `examples/${framework}/server.ts`], {
      cwd: ROOT,
      env: { ...withoutSaasusVariables(process.env), PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const output = await printedUntil(child, /ID token:\s+(\S+)/);
      expect(output).toContain('DEMO MODE: no SaaSus credentials set; using the in-process fake SaaSus API from saasus-mfa/testing');
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      const idToken = /ID token:\s+(\S+)/.exec(output)?.[1];
      expect(url).toBeDefined();
      expect(url).not.toMatch(/:0$/);

      const response = await fetch(`${url}/mfa_status`, { headers: { Authorization: `Bearer ${idToken}` } });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ enabled: false, method: null });

      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});

function withoutSaasusVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('SAASUS_')));
}

/** Collects the child's stdout until `pattern` matches; rejects on exit or after STARTUP_TIMEOUT_MS, with its stderr. */
function printedUntil(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const fail = (why: string) => reject(new Error(`${why}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    const timer = setTimeout(() => fail('the server printed no demo ID token in time'), STARTUP_TIMEOUT_MS);
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (pattern.test(stdout)) {
        clearTimeout(timer);
        resolve(stdout);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(`the server exited early with code ${code}`);
    });
  });
}
