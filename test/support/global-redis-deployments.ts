import type { TestProject } from 'vitest/node';
import {
  startRedisCluster,
  startRedisSentinel,
  type RedisClusterDeployment,
  type RedisSentinelDeployment,
} from './redis-deployments.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set when the replicated deployments started; the store suites then also run on them. */
    redisDeployments: { cluster: RedisClusterDeployment; sentinel: RedisSentinelDeployment } | null;
  }
}

/**
 * Starts a Redis Cluster and a Sentinel deployment once for the whole run (about 8 s, both at once), so every store
 * suite also runs on a Cluster client and a Sentinel client. `MFA_REDIS_DEPLOYMENTS=0` leaves them out (a quick local
 * run of one file); where `redis-server` cannot start them they are skipped with a visible message, unless
 * `MFA_REQUIRE_SERVICES=1`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.MFA_REDIS_DEPLOYMENTS === '0') {
    project.provide('redisDeployments', null);
    return async () => {};
  }
  const [cluster, sentinel] = await Promise.allSettled([startRedisCluster(), startRedisSentinel()]);
  const stopAll = async () => {
    await Promise.all(
      [cluster, sentinel].map((started) => (started.status === 'fulfilled' ? started.value.stop() : undefined)),
    );
  };
  if (cluster.status === 'rejected' || sentinel.status === 'rejected') {
    await stopAll();
    const failed = cluster.status === 'rejected' ? cluster.reason : (sentinel as PromiseRejectedResult).reason;
    const why = failed instanceof Error ? failed.message : String(failed);
    if (process.env.MFA_REQUIRE_SERVICES === '1')
      throw new Error(`Redis Cluster/Sentinel are required (MFA_REQUIRE_SERVICES=1) but did not start: ${why}`);
    console.warn(`\n  SKIPPED: the Redis Cluster and Sentinel store suites, because they did not start (${why}).\n`);
    project.provide('redisDeployments', null);
    return async () => {};
  }
  project.provide('redisDeployments', { cluster: cluster.value.deployment, sentinel: sentinel.value.deployment });
  return stopAll;
}
