import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const TSCONFIG = fileURLToPath(new URL('../tsconfig.json', import.meta.url));

export interface ChildServer {
  port: number;
  /** Everything else the server printed on its first line. */
  info: Record<string, unknown>;
  process: ChildProcess;
  close(): Promise<void>;
}

/**
 * Starts a TypeScript server script in its own Node process, so its CPU is not counted as ours, and waits for the
 * `{"port":N}` line it prints once listening on 127.0.0.1.
 */
export function startChildServer(script: URL, env: Record<string, string> = {}): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(script)], {
    env: { ...process.env, ...env, TSX_TSCONFIG_PATH: TSCONFIG },
    // stderr is kept, not shown: an example app logs every request a load test cuts off at its end (the client left,
    // so the app aborts its SaaSus calls). It is shown if the server fails to start.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
  return new Promise((resolve, reject) => {
    let buffered = '';
    // Generous: a self-hosted example signs its benchmark users up first (scrypt, about 0.2 s of CPU each).
    const timer = setTimeout(() => fail(new Error(`${script.pathname} did not start within 180 s`)), 180_000);
    function fail(error: Error) {
      clearTimeout(timer);
      child.kill();
      reject(stderr ? new Error(`${error.message}\n${stderr}`) : error);
    }
    child.once('exit', (code) => fail(new Error(`${script.pathname} exited (${code}) before listening`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const info = JSON.parse(buffered.slice(0, newline)) as { port: number };
      resolve({
        port: info.port,
        info,
        process: child,
        close: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill();
          }),
      });
    });
  });
}
