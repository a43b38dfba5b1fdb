import { Cluster, Redis } from 'ioredis';
import type { RedisClusterDeployment, RedisSentinelDeployment } from './redis-deployments.js';

/** An ioredis Cluster client on the test Cluster, with the same fail-fast settings as `newRedisClient`. */
export function newRedisClusterClient(deployment: RedisClusterDeployment): Cluster {
  return new Cluster(deployment.nodes, {
    lazyConnect: true,
    redisOptions: { connectTimeout: 2000, maxRetriesPerRequest: 1 },
  });
}

/** An ioredis client that finds the primary through the test Sentinels. */
export function newRedisSentinelClient(deployment: RedisSentinelDeployment): Redis {
  return new Redis({
    sentinels: deployment.sentinels,
    name: deployment.name,
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 1,
  });
}
