import { Cluster, Redis } from 'ioredis';
import { clusterSlot } from '../../src/stores/redis/cluster-slot.js';
import { startRedisCluster, startRedisSentinel, type RunningDeployment } from './redis-deployments.js';

/**
 * The deployments the failover trials kill masters in: small, fresh, their own (never the shared Cluster and
 * Sentinel the store suites use), with short failure detection. A `Shard` is one primary and its replica; a trial
 * prepares users whose keys live on it, kills the primary by PID, waits for the promotion and restarts the killed
 * server, which comes back as a replica of the promoted one.
 */

const HOST = '127.0.0.1';

export interface Shard {
  primaryPort: number;
  replicaPort: number;
  /** A user id whose keys (under `keyPrefix`) live on this shard. */
  userOn(keyPrefix: string): string;
}

export interface TrialDeployment {
  name: 'cluster' | 'sentinel';
  /** A fresh app client with ioredis defaults (commands resent after a reconnect), 'error' events ignored. */
  newClient(): Redis | Cluster;
  /** The shard whose primary trial `index` kills (Cluster: the masters in turn). */
  shard(index: number): Promise<Shard>;
  kill(port: number): Promise<void>;
  /** SIGSTOP / SIGCONT of a server by PID (the cut-off replica). */
  pause(port: number): void;
  resume(port: number): void;
  /** Restarts the killed server and resolves when it is a replica in sync again (the next trial has a replica). */
  restoreReplica(killedPort: number): Promise<void>;
  stop(): Promise<void>;
}

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
  client.on('error', () => {});
  try {
    await client.connect();
    return await run(client);
  } finally {
    client.disconnect();
  }
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

const inSync = (port: number) =>
  ask(port, async (c) => {
    const text = await c.info('replication');
    return text.includes('role:slave') && text.includes('master_link_status:up');
  });

/**
 * A trial's setup writes wait for the shard's replica (WAIT): it must be linked first. After the previous kill it may
 * still be syncing, longer on a loaded machine (a 15 s WAIT once ran out in CI with other suites beside): wait for the
 * link here, where a timeout names what it waited for.
 */
const replicaReady = (port: number) => waitFor(`the replica on ${port} in sync`, 45_000, () => inSync(port));

let counter = 0;
const freshId = () => `t${process.pid}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

/** A 3 + 3 Cluster with `cluster-node-timeout` `nodeTimeoutMs`. */
export async function trialCluster(firstPort: number, nodeTimeoutMs: number): Promise<TrialDeployment> {
  const running: RunningDeployment<{ nodes: { host: string; port: number }[] }> = await startRedisCluster(firstPort, {
    failureDetectionMs: nodeTimeoutMs,
  });
  const ports = running.deployment.nodes.map((node) => node.port);
  const alive = new Set(ports);
  /** `CLUSTER NODES` from a live node: masters with their slot ranges and their replica. */
  async function topology() {
    const port = [...alive][0]!;
    const lines = (await ask(port, (c) => c.cluster('NODES'))) as string;
    const nodes = lines
      .trim()
      .split('\n')
      .map((line) => line.split(' '))
      .map(([id, address, flags, masterId, , , , , ...slots]) => ({
        id: id!,
        port: Number(address!.split('@')[0]!.split(':')[1]),
        master: flags!.includes('master') && !flags!.includes('fail'),
        masterId: masterId!,
        ranges: slots.filter((s) => !s.startsWith('[')).map((s) => s.split('-').map(Number) as [number, number?]),
      }));
    return nodes
      .filter((node) => node.master && node.ranges.length > 0)
      .map((master) => ({ ...master, replica: nodes.find((node) => node.masterId === master.id)?.port }));
  }
  return {
    name: 'cluster',
    newClient() {
      const client = new Cluster(running.deployment.nodes);
      // The killed node's connection reports every refused reconnect; the trial has seen enough.
      client.on('error', () => {}).on('node error', () => {});
      return client;
    },
    async shard(index) {
      const masters = (await topology()).sort((a, b) => a.port - b.port);
      const master = masters[index % masters.length]!;
      const owns = (slot: number) => master.ranges.some(([from, to]) => slot >= from && slot <= (to ?? from));
      await replicaReady(master.replica!);
      return {
        primaryPort: master.port,
        replicaPort: master.replica!,
        userOn(keyPrefix) {
          for (;;) {
            const id = freshId();
            if (owns(clusterSlot(`${keyPrefix}{${id}}:factor`))) return id;
          }
        },
      };
    },
    async kill(port) {
      alive.delete(port);
      await running.servers.kill(port);
    },
    pause: (port) => running.servers.pause(port),
    resume: (port) => running.servers.resume(port),
    async restoreReplica(killedPort) {
      running.servers.restart(killedPort);
      await waitFor(`${killedPort} back as a replica in sync`, 20_000, () => inSync(killedPort));
      alive.add(killedPort);
      await waitFor('every master with a replica', 20_000, async () => {
        const masters = await topology();
        return masters.length === 3 && masters.every((master) => master.replica !== undefined);
      });
      for (const port of ports)
        await waitFor(`cluster_state:ok on ${port}`, 20_000, () =>
          ask(port, async (c) => ((await c.cluster('INFO')) as string).includes('cluster_state:ok')),
        );
    },
    stop: () => running.stop(),
  };
}

/** A primary, a replica and 3 sentinels with `down-after-milliseconds` `downAfterMs`. */
export async function trialSentinel(firstPort: number, downAfterMs: number): Promise<TrialDeployment> {
  const running = await startRedisSentinel(firstPort, { failureDetectionMs: downAfterMs });
  const { sentinels, name } = running.deployment;
  const pair = [running.deployment.primary.port, running.deployment.replica.port];
  const primaryPort = async () => {
    const [, port] = (await ask(sentinels[0]!.port, (c) =>
      c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name),
    )) as string[];
    return Number(port);
  };
  return {
    name: 'sentinel',
    newClient() {
      const client = new Redis({ sentinels, name });
      client.on('error', () => {});
      return client;
    },
    async shard() {
      const primary = await primaryPort();
      const replica = pair.find((port) => port !== primary)!;
      await replicaReady(replica);
      return { primaryPort: primary, replicaPort: replica, userOn: () => freshId() };
    },
    kill: (port) => running.servers.kill(port),
    pause: (port) => running.servers.pause(port),
    resume: (port) => running.servers.resume(port),
    async restoreReplica(killedPort) {
      await waitFor(
        'a sentinel to name the promoted primary',
        20_000,
        async () => (await primaryPort()) !== killedPort,
      );
      // Back as a replica of the promoted primary at once, as an operator would start it (the sentinels would
      // convert it too, but only once they next look, up to 10 s later).
      running.servers.restart(killedPort, ['--replicaof', HOST, String(await primaryPort())]);
      await waitFor(`${killedPort} back as a replica in sync`, 30_000, () => inSync(killedPort));
      // Every sentinel must see the replica again, or the next kill could leave them nothing to promote.
      await waitFor('every sentinel to see the replica', 20_000, async () => {
        for (const sentinel of sentinels) {
          const replicas = (await ask(sentinel.port, (c) => c.call('SENTINEL', 'REPLICAS', name))) as string[][];
          const ok = replicas.some((fields) => {
            const field = (key: string) => fields[fields.indexOf(key) + 1];
            return Number(field('port')) === killedPort && !String(field('flags')).includes('down');
          });
          if (!ok) return false;
        }
        return true;
      });
    },
    stop: () => running.stop(),
  };
}
