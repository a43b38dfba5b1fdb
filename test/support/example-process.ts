import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** `npm run example:*` for real: `examples/<framework>/server.ts` as a child process, in a chosen environment. */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const STARTUP_TIMEOUT_MS = 20_000;
/** Variables that choose the mode or the backend: a test sets the ones it wants, the caller's shell sets none. */
const MODE_VARIABLES = /^(SAASUS_|REDIS_URL$|DATABASE_URL$|SQLITE_PATH$|MFA_|NODE_ENV$|PORT$)/;

export interface ExampleProcess {
  child: ChildProcess;
  /** The URL from the banner (`... listening on http://127.0.0.1:<port>`). */
  url: string;
  /** Everything printed so far, stdout then stderr. */
  stdout(): string;
  stderr(): string;
  /** SIGTERM, then the exit code (SIGKILL after 10 s). */
  stop(): Promise<number | null>;
}

export function spawnExample(framework: 'express' | 'koa' | 'hono', env: Record<string, string> = {}): ChildProcess {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !MODE_VARIABLES.test(name)));
  return spawn(process.execPath, ['--import', 'tsx', `examples/${framework}/server.ts`], {
    cwd: ROOT,
    env: { ...clean, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Starts an example and waits for its banner; rejects with what it printed if it exits or stays silent. */
export async function startExample(
  framework: 'express' | 'koa' | 'hono',
  env: Record<string, string> = {},
): Promise<ExampleProcess> {
  const child = spawnExample(framework, env);
  const printed = collect(child);
  try {
    const banner = await printedUntil(child, printed, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
    return {
      child,
      url: /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)![1]!,
      stdout: () => printed.stdout,
      stderr: () => printed.stderr,
      stop: () => stop(child),
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

/** Collects what the child prints. */
export function collect(child: ChildProcess): { stdout: string; stderr: string } {
  const printed = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => (printed.stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (printed.stderr += chunk.toString()));
  return printed;
}

/** Resolves with stdout once `pattern` matches it; rejects on exit or after the startup timeout, with both outputs. */
function printedUntil(
  child: ChildProcess,
  printed: { stdout: string; stderr: string },
  pattern: RegExp,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      cleanup();
      reject(new Error(`${why}\nstdout:\n${printed.stdout}\nstderr:\n${printed.stderr}`));
    };
    const timer = setTimeout(() => fail('the server printed no URL in time'), STARTUP_TIMEOUT_MS);
    const onData = () => {
      if (!pattern.test(printed.stdout)) return;
      cleanup();
      resolve(printed.stdout);
    };
    const onExit = (code: number | null) => fail(`the server exited early with code ${code}`);
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** The exit code once the child has exited (now or later). */
export function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = exitCode(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}
