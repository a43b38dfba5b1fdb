import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { inject } from 'vitest';
import type { AttemptBudget, StoredPendingSetup } from '../../src/totp/store.js';
import { newRedisClusterClient, newRedisSentinelClient } from './redis-deployment-clients.js';
import { newRedisClient, redisAvailable, redisKeysUnder } from './services.js';

/** The fixed clock of the Redis store tests, and the window they count in. */
export const NOW = Date.UTC(2025, 0, 2, 15, 4, 10);
export const WINDOW = 15 * 60_000;

/** One kind of ioredis client the Redis store suites run on; `connect` makes a fresh, unconnected one. */
export interface RedisClientKind {
  name: 'standalone' | 'cluster' | 'sentinel';
  available: boolean;
  connect(): Redis | Cluster;
}

/** Standalone (the shared server), and the test Cluster and Sentinel deployments when the global setup started them. */
export async function redisClientKinds(): Promise<RedisClientKind[]> {
  const deployments = inject('redisDeployments');
  return [
    { name: 'standalone', available: await redisAvailable(), connect: newRedisClient },
    {
      name: 'cluster',
      available: deployments !== null,
      connect: () => newRedisClusterClient(deployments!.cluster),
    },
    {
      name: 'sentinel',
      available: deployments !== null,
      connect: () => newRedisSentinelClient(deployments!.sentinel),
    },
  ];
}

/** Every key under the prefix: on a Cluster, scanned on each master (SCAN sees one node only). */
export async function keysUnder(client: Redis | Cluster, keyPrefix: string): Promise<string[]> {
  if (!('nodes' in client)) return redisKeysUnder(client, keyPrefix);
  const perNode = await Promise.all(client.nodes('master').map((node) => redisKeysUnder(node, keyPrefix)));
  return perNode.flat();
}

/** Deletes what a test wrote under its prefix, one key at a time (Cluster: keys of many slots). */
export async function deleteKeysUnder(client: Redis | Cluster, keyPrefix: string): Promise<void> {
  for (const key of await keysUnder(client, keyPrefix)) await client.del(key);
}

export const unique = () => randomBytes(6).toString('hex');

/** A budget of the tests' clock and window with the given limits (default: `code`, 5). */
export function budget(
  limits: { bucket: string; max: number }[] = [{ bucket: 'code', max: 5 }],
  now = NOW,
): AttemptBudget {
  return { now, windowMs: WINDOW, limits };
}

/** A pending setup created at NOW, valid for 10 minutes, not yet confirmed. */
export function pendingSetup(secretId = `s-${unique()}`): StoredPendingSetup {
  return {
    secretId,
    sealedSecret: `v1.k.${unique()}.b.c`,
    lastStep: null,
    createdAt: NOW,
    expiresAt: NOW + 600_000,
    confirmed: false,
  };
}
