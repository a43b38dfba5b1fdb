import { describe, expect, it } from 'vitest';
import { RedisMfaStore, type RedisScriptClient, type RedisScriptPipeline } from '../src/stores/redis/index.js';
import { pendingSetup } from './support/redis-store-clients.js';

// A failover or a slot migration under acknowledged writes: ioredis does not follow MOVED for a pipeline holding WAIT,
// so the store does (slot map reloaded, sent again), and the promoted node, which never ran the script, then answers
// NOSCRIPT, so the script goes whole. A scripted stand-in for the Cluster client (not the store's code) plays the
// replies in the order the failover trials met them; the trials themselves run the real thing.

/** A Cluster-like client whose pipelines answer `replies` in turn; `sent` records each pipeline's script command. */
function scriptedCluster(replies: [Error | null, unknown][]) {
  const sent: string[] = [];
  let reloads = 0;
  const client: RedisScriptClient = {
    isCluster: true,
    evalsha: () => Promise.reject(new Error('not used: acknowledged writes go in pipelines')),
    eval: () => Promise.reject(new Error('not used: acknowledged writes go in pipelines')),
    refreshSlotsCache: (done) => {
      reloads++;
      done?.();
    },
    pipeline: () => {
      const pipeline: RedisScriptPipeline = {
        evalsha: () => sent.push('EVALSHA'),
        eval: () => sent.push('EVAL'),
        call: () => undefined,
        exec: async () => [replies.shift() ?? [new Error('no more replies'), null], [null, 1]],
      };
      return pipeline;
    },
  };
  return { client, sent, reloads: () => reloads };
}

const ok: [null, unknown] = [null, 1];
const error = (message: string): [Error, null] => [new Error(message), null];

describe('RedisMfaStore on a Cluster, acknowledged writes redirected', () => {
  it('a failover under load: MOVED, then NOSCRIPT on the promoted node, then the script whole: answered, not an outage', async () => {
    const { client, sent, reloads } = scriptedCluster([
      ok,
      error('MOVED 1234 127.0.0.1:7004'),
      error('NOSCRIPT No matching script. Please use EVAL.'),
      ok,
    ]);
    const store = new RedisMfaStore({ client });
    expect(store.replicaAcks).toEqual({ replicas: 1, timeoutMs: 500 });
    await store.savePending({ userId: 'ada', pending: pendingSetup() });
    await store.savePending({ userId: 'ada', pending: pendingSetup() });
    expect(sent).toEqual(['EVAL', 'EVALSHA', 'EVALSHA', 'EVAL']);
    expect(reloads()).toBe(1);
  });

  it('a slot that stays redirected is an error after a few reloads, not a loop', async () => {
    const moved = Array.from({ length: 20 }, () => error('MOVED 1234 127.0.0.1:7004'));
    const { client, reloads } = scriptedCluster(moved);
    const store = new RedisMfaStore({ client });
    await expect(store.savePending({ userId: 'ada', pending: pendingSetup() })).rejects.toThrow(/^MOVED/);
    expect(reloads()).toBe(4);
  });
});
