import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/**
 * Real replicated Redis deployments for the store suites, started on loopback from the machine's `redis-server`:
 * a Cluster of 3 masters with a replica each, and a Sentinel deployment (primary, replica, 3 sentinels). Each process
 * is stopped by its own PID; nothing else on the machine is touched. Nothing is kept on disk but the cluster and
 * sentinel config files, in a temporary directory removed on stop.
 */

export interface RedisNode {
  host: string;
  port: number;
}

export interface RedisClusterDeployment {
  /** Every node, masters first as created (replicas follow). */
  nodes: RedisNode[];
}

export interface RedisSentinelDeployment {
  sentinels: RedisNode[];
  /** The monitored primary's name, as ioredis's `name` option takes it. */
  name: string;
  primary: RedisNode;
  replica: RedisNode;
}

export interface RunningDeployment<T> {
  deployment: T;
  /** The deployment's redis-server processes (sentinels apart), for failover trials: kill and restart by port. */
  servers: ServerControl;
  stop(): Promise<void>;
}

/** Kill -9 and restart of one redis-server of a deployment, by its own PID; nothing else is touched. */
export interface ServerControl {
  /** `kill -9` of the server on `port` (SIGKILL to its PID); resolves when it has exited. */
  kill(port: number): Promise<void>;
  /**
   * Starts the server on `port` again with the arguments it first had (a Cluster node keeps its nodes.conf), plus
   * `extraArgs` (a Sentinel deployment's old primary comes back with `--replicaof` the promoted one).
   */
  restart(port: number, extraArgs?: string[]): void;
  /** SIGSTOP / SIGCONT of the server on `port`: frozen, it reads nothing, so a write sent to it can be cut off. */
  pause(port: number): void;
  resume(port: number): void;
}

/** Failure detection of the test deployments: short, so a failover trial takes seconds, not the defaults' 15-30 s. */
export interface DeploymentTimings {
  /** Cluster: `cluster-node-timeout`; Sentinel: `down-after-milliseconds`. Default 2000 / 1000 ms. */
  failureDetectionMs?: number;
}

/** Keeps every server's arguments and current process, so a trial can kill one by PID and start it again. */
class Servers implements ServerControl {
  readonly #byPort = new Map<number, { args: string[]; child: ChildProcess }>();
  readonly #all: ChildProcess[];
  readonly #dir: string;
  constructor(all: ChildProcess[], dir: string) {
    this.#all = all;
    this.#dir = dir;
  }
  start(port: number, args: string[]): ChildProcess {
    const child = startServer(args, this.#dir);
    this.#byPort.set(port, { args, child });
    this.#all.push(child);
    return child;
  }
  async kill(port: number): Promise<void> {
    const server = this.#byPort.get(port);
    if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => server.child.once('exit', () => resolve()));
    server.child.kill('SIGKILL');
    await exited;
  }
  pause(port: number): void {
    this.#byPort.get(port)?.child.kill('SIGSTOP');
  }
  resume(port: number): void {
    this.#byPort.get(port)?.child.kill('SIGCONT');
  }
  restart(port: number, extraArgs: string[] = []): void {
    const server = this.#byPort.get(port);
    if (!server) throw new Error(`no server on ${port}`);
    const child = startServer([...server.args, ...extraArgs], this.#dir);
    this.#byPort.set(port, { args: server.args, child });
    this.#all.push(child);
  }
}

const HOST = '127.0.0.1';
/** The cluster bus of a node listens on its port + this offset (Redis's default offset, set explicitly). */
const BUS_OFFSET = 10_000;

/** Whether nothing listens on the port yet (a listen probe on loopback, closed at once). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

/**
 * `count` consecutive free ports (and their bus ports when `withBus`) from `first` on; `first` comes from the
 * environment when set, so a machine with those ports taken can move them.
 */
async function freePorts(first: number, count: number, withBus: boolean): Promise<number[]> {
  for (let base = first; base < first + 2_000; base += count) {
    const ports = Array.from({ length: count }, (_, i) => base + i);
    const wanted = withBus ? [...ports, ...ports.map((port) => port + BUS_OFFSET)] : ports;
    const free = await Promise.all(wanted.map(portIsFree));
    if (free.every(Boolean)) return ports;
  }
  throw new Error(`no ${count} consecutive free loopback ports from ${first}`);
}

function startServer(args: string[], dir: string): ChildProcess {
  const child = spawn('redis-server', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.resume();
  return child;
}

/** Stops each process by its PID and waits for it to exit (SIGKILL after 3 s). */
async function stopAll(children: readonly ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const force = setTimeout(() => child.kill('SIGKILL'), 3_000);
          child.once('exit', () => {
            clearTimeout(force);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

/** Polls `check` every 100 ms until it resolves true, or fails after `timeoutMs` with `what`. */
async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const why = last instanceof Error ? `: ${last.message}` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
}

/** One short-lived connection for a setup command, closed at once. */
async function ask<T>(port: number, run: (client: Redis) => Promise<T>): Promise<T> {
  // A bounded wait: a frozen (SIGSTOP) server accepts the connection but never answers.
  const client = new Redis({
    host: HOST,
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 2_000,
    commandTimeout: 2_000,
  });
  try {
    await client.connect();
    return await run(client);
  } finally {
    client.disconnect();
  }
}

const info = (client: Redis, section: string) => client.info(section);

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}: ${output}`))));
  });
}

/** A Cluster of 3 masters and 3 replicas, ready (every slot served, every replica in sync) when it resolves. */
export async function startRedisCluster(
  firstPort = Number(process.env.MFA_TEST_CLUSTER_PORT ?? 7101),
  timings: DeploymentTimings = {},
): Promise<RunningDeployment<RedisClusterDeployment>> {
  const ports = await freePorts(firstPort, 6, true);
  const dir = mkdtempSync(join(tmpdir(), 'saasus-mfa-cluster-'));
  const children: ChildProcess[] = [];
  const servers = new Servers(children, dir);
  const nodeTimeout = String(timings.failureDetectionMs ?? 2000);
  for (const port of ports)
    servers.start(port, [
      ...['--port', String(port), '--bind', HOST, '--cluster-enabled', 'yes'],
      ...['--cluster-port', String(port + BUS_OFFSET), '--cluster-config-file', `nodes-${port}.conf`],
      ...['--cluster-node-timeout', nodeTimeout, '--save', '', '--appendonly', 'no', '--dir', dir],
      // A replica (re)joining syncs at once, not after the default 5 s wait for more replicas.
      ...['--repl-diskless-sync-delay', '0'],
    ]);
  const stop = async () => {
    await stopAll(children);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports)
      await waitFor(`redis-server on ${port}`, 10_000, () => ask(port, async (c) => (await c.ping()) === 'PONG'));
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((port) => `${HOST}:${port}`),
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    ]);
    for (const port of ports) {
      await waitFor(`cluster_state:ok on ${port}`, 20_000, () =>
        ask(port, async (c) => (await c.cluster('INFO')).includes('cluster_state:ok')),
      );
    }
    await waitFor('every replica in sync', 20_000, async () => {
      const roles = await Promise.all(ports.map((port) => ask(port, (c) => info(c, 'replication'))));
      const replicas = roles.filter((text) => text.includes('role:slave'));
      return replicas.length === 3 && replicas.every((text) => text.includes('master_link_status:up'));
    });
    return { deployment: { nodes: ports.map((port) => ({ host: HOST, port })) }, servers, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A primary, one replica and three sentinels (quorum 2), ready when every sentinel sees the primary and replica. */
export async function startRedisSentinel(
  firstPort = Number(process.env.MFA_TEST_SENTINEL_PORT ?? 7201),
  timings: DeploymentTimings = {},
): Promise<RunningDeployment<RedisSentinelDeployment>> {
  const [primaryPort, replicaPort, ...sentinelPorts] = (await freePorts(firstPort, 5, false)) as [
    number,
    number,
    ...number[],
  ];
  const name = 'saasus-mfa-test';
  const dir = mkdtempSync(join(tmpdir(), 'saasus-mfa-sentinel-'));
  const base = (port: number) => [
    '--port',
    String(port),
    '--bind',
    HOST,
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--repl-diskless-sync-delay',
    '0',
  ];
  const children: ChildProcess[] = [];
  const servers = new Servers(children, dir);
  servers.start(primaryPort, base(primaryPort));
  servers.start(replicaPort, [...base(replicaPort), '--replicaof', HOST, String(primaryPort)]);
  const downAfter = timings.failureDetectionMs ?? 1000;
  const stop = async () => {
    await stopAll(children);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of sentinelPorts) {
      const conf = join(dir, `sentinel-${port}.conf`);
      writeFileSync(
        conf,
        [
          `port ${port}`,
          `bind ${HOST}`,
          `dir ${dir}`,
          `sentinel monitor ${name} ${HOST} ${primaryPort} 2`,
          `sentinel down-after-milliseconds ${name} ${downAfter}`,
          `sentinel failover-timeout ${name} ${timings.failureDetectionMs === undefined ? 5000 : downAfter * 2}`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      );
      children.push(startServer([conf, '--sentinel'], dir));
    }
    await waitFor('the replica in sync', 20_000, () =>
      ask(replicaPort, async (c) => (await info(c, 'replication')).includes('master_link_status:up')),
    );
    for (const port of sentinelPorts) {
      await waitFor(`sentinel ${port} to see the primary, its replica and the other sentinels`, 20_000, () =>
        ask(port, async (c) => {
          const primary = (await c.call('SENTINEL', 'MASTER', name)) as string[];
          const field = (key: string) => Number(primary[primary.indexOf(key) + 1]);
          return field('num-slaves') >= 1 && field('num-other-sentinels') >= 2;
        }),
      );
    }
    return {
      deployment: {
        sentinels: sentinelPorts.map((port) => ({ host: HOST, port })),
        name,
        primary: { host: HOST, port: primaryPort },
        replica: { host: HOST, port: replicaPort },
      },
      servers,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
