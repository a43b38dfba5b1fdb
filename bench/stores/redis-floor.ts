import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { RedisDriverCounter } from './driver-counters.js';

/**
 * The floor under a Redis verify: one EVALSHA, on the same client, of a script as long as the store's claim script
 * that does nothing (`return 0` and a comment), sent with exactly the keys and arguments of the store's own call for
 * this user (copied at the driver from `probe`, one verify). Same bytes out, same node on a Cluster, same parsing of
 * a short reply: what is left of a verify above it is the SDK (and the script's own work in Redis).
 */
export async function redisFloor(
  client: Redis | Cluster,
  counter: RedisDriverCounter,
  probe: () => Promise<unknown>,
): Promise<() => Promise<unknown>> {
  counter.lastEvalsha = undefined;
  await probe();
  const seen = counter.lastEvalsha as { sha: string; args: string[] } | undefined;
  if (!seen) throw new Error('the probe verify sent no EVALSHA (was the factor cache warm?)');
  const length = counter.scriptLengths.get(seen.sha) ?? 0;
  const head = 'return 0 -- ';
  const source = head + 'x'.repeat(Math.max(0, length - head.length));
  const [numKeys, ...rest] = seen.args;
  // Loaded on the keys' own node (EVAL caches it there), then called by SHA like the store's script.
  await client.eval(source, Number(numKeys), ...rest);
  const sha = createHash('sha1').update(source).digest('hex');
  return () => client.evalsha(sha, Number(numKeys), ...rest);
}
