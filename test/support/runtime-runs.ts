import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, join } from 'node:path';
import { installPackedPackage, packCleanCheckout, repoRoot } from './packed-package.js';
import { type RuntimeName, runtimeBinary } from './runtime-binaries.js';

/** A runtime a suite runs the packed package on. `node20` is the `node` running vitest. */
export type SuiteRuntime = 'node20' | 'node22' | 'node24' | 'bun' | 'deno' | 'workerd';
export const ALL_RUNTIMES: SuiteRuntime[] = ['node20', 'node22', 'node24', 'bun', 'deno', 'workerd'];

/** The runtimes this run covers: `MFA_RUNTIME` (comma-separated, so CI can time each as its own step), else all. */
export const selectedRuntimes = (): SuiteRuntime[] =>
  process.env.MFA_RUNTIME
    ? (process.env.MFA_RUNTIME.split(',').map((name) => name.trim()) as SuiteRuntime[])
    : ALL_RUNTIMES;

/**
 * The packed package installed in a project of its own, with the runtime scripts (test/runtimes/*.mjs) beside it.
 * Kept under test-artifacts/runtimes/ by tarball, so the per-runtime CI steps install it once between them.
 */
export async function packedProject(): Promise<string> {
  const tarball = await packCleanCheckout();
  const projects = join(repoRoot, 'test-artifacts/runtimes/projects');
  const cached = join(projects, basename(tarball, '.tgz'));
  if (!existsSync(cached)) {
    const project = await installPackedPackage({ peers: ['msw', 'hono', 'ioredis', 'pg'] });
    // Projects of older tarballs are of no further use.
    rmSync(projects, { recursive: true, force: true });
    mkdirSync(projects, { recursive: true });
    cpSync(project.dir, `${cached}.tmp-${process.pid}`, { recursive: true, verbatimSymlinks: true });
    renameSync(`${cached}.tmp-${process.pid}`, cached);
    project.remove();
  }
  cpSync(join(repoRoot, 'test/runtimes/scripts'), cached, { recursive: true });
  // The examples, importing 'saasus-mfa' by name as a user's app does: here that name is the packed package.
  cpSync(join(repoRoot, 'examples'), join(cached, 'examples'), { recursive: true });
  return cached;
}

/** The command and leading arguments that run a script on `runtime`; Deno gets network access to loopback only. */
export function commandFor(runtime: Exclude<SuiteRuntime, 'workerd'>): [string, string[]] {
  if (runtime === 'node20') return [process.execPath, []];
  if (runtime === 'node22' || runtime === 'node24') return [runtimeBinary(runtime as RuntimeName), []];
  if (runtime === 'bun') return [runtimeBinary('bun'), []];
  // No --allow-env, no --allow-read, no prompt: what the package needs is what this run grants.
  return [runtimeBinary('deno'), ['run', '--no-prompt', '--allow-net=127.0.0.1']];
}

/** Runs `script` (in the packed project) on a runtime, and parses the one JSON line it prints. */
export function runScript(
  runtime: Exclude<SuiteRuntime, 'workerd'>,
  dir: string,
  script: string,
  args: string[] = [],
  flags?: string[],
): Promise<unknown> {
  const [command, leading] = commandFor(runtime);
  const runtimeFlags = flags ?? leading;
  return new Promise((resolve, reject) => {
    execFile(
      command,
      [...runtimeFlags, script, ...args],
      { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${runtime} ${script} failed: ${stderr || error.message}`));
        try {
          resolve(JSON.parse(stdout.trim().split('\n').at(-1)!));
        } catch {
          reject(new Error(`${runtime} ${script} printed no JSON: ${stdout}\n${stderr}`));
        }
      },
    );
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface RunningWorker {
  url: string;
  stop(): Promise<void>;
}

/**
 * `wrangler dev` in local mode (workerd on 127.0.0.1, nothing deployed), on Node 22 (wrangler needs 22+), with the
 * config `config` in `dir`. Resolves once wrangler says it is ready; stopped by its process group id.
 */
export async function startWrangler(dir: string, config: string, extra: string[] = []): Promise<RunningWorker> {
  const port = await freePort();
  const args = ['dev', '--config', config, '--local', '--ip', '127.0.0.1', '--port', String(port), ...extra];
  return startServer(
    runtimeBinary('node22'),
    [runtimeBinary('wrangler'), ...args],
    dir,
    `http://127.0.0.1:${port}`,
    'Ready on',
    {
      WRANGLER_SEND_METRICS: 'false',
      // No Request.cf lookup: the only network here is loopback and the npm registry.
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    },
  );
}

/**
 * Starts a server process in its own process group and resolves once it prints `ready` (a URL when `url` is
 * undefined: the first http://127.0.0.1:N it prints). Stopped by its process group id, the server's children too.
 */
export async function startServer(
  command: string,
  args: string[],
  dir: string,
  url: string | undefined,
  ready: string,
  env: Record<string, string> = {},
): Promise<RunningWorker> {
  const child = spawn(command, args, {
    cwd: dir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', CI: 'true', ...env },
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      process.kill(-child.pid!, 'SIGTERM');
      reject(new Error(`${basename(command)} did not start:\n${output}`));
    }, 60_000);
    const listen = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(ready)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', listen);
    child.stderr.on('data', listen);
    child.on('exit', (code) => reject(new Error(`${basename(command)} exited (${code}):\n${output}`)));
  });
  return {
    url: url ?? /http:\/\/127\.0\.0\.1:\d+/.exec(output)![0],
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.on('exit', resolve));
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    },
  };
}

/** Removes a scratch directory. */
export const removeDir = (dir: string) => rmSync(dir, { recursive: true, force: true });
