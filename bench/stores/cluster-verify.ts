/**
 * Verify on a Redis Cluster (issue 13, item 7): `npm run bench:cluster` (`--smoke` for a quick pass). Starts its own
 * 3 + 3 Cluster on loopback, and measures the store's part of a verify (one `attemptAndClaim` of a fresh step on the
 * enabled factor: what a warm verify sends) at 1, 16 and 64 concurrent users, with replica acknowledgement off and
 * on (WAIT 1, pipelined), in one run so the ratios compare like with like. Round trips per verify are counted at the
 * driver handle the store is given: every `evalsha`/`eval` call and every pipeline `exec` is one request and its
 * answer. Figures printed, never asserted.
 */
import { Cluster } from 'ioredis';
import { parseArgs } from 'node:util';
import { RedisMfaStore, type RedisScriptClient } from '../../src/stores/redis/index.js';
import type { AttemptBudget } from '../../src/totp/store.js';
import { startRedisCluster } from '../../test/support/redis-deployments.js';
import { summarize } from '../lib/stats.js';

const { values } = parseArgs({ options: { smoke: { type: 'boolean', default: false } } });
const ROUNDS = values.smoke ? 2 : 7;
const VERIFIES_PER_ROUND = values.smoke ? 128 : 2_048;
const CONCURRENCY = [1, 16, 64] as const;
const NOW = 1_750_000_020_000;
const budget: AttemptBudget = { now: NOW, windowMs: 900_000, limits: [{ bucket: 'code', max: 5 }] };

const running = await startRedisCluster(Number(process.env.MFA_BENCH_CLUSTER_PORT ?? 7950));
const cluster = new Cluster(running.deployment.nodes);
let requests = 0;
/** The Cluster client, every request counted. */
const counted: RedisScriptClient = {
  isCluster: true,
  evalsha: (...args) => (requests++, cluster.evalsha(...(args as [string, number, ...string[]]))),
  eval: (...args) => (requests++, cluster.eval(...(args as [string, number, ...string[]]))),
  pipeline: () => {
    const pipeline = cluster.pipeline();
    const exec = pipeline.exec.bind(pipeline);
    return Object.assign(pipeline, { exec: () => (requests++, exec()) });
  },
};

interface Row {
  acks: string;
  concurrent: number;
  opsPerSecond: number;
  p50: number;
  p99: number;
  roundTrips: number;
}
const rows: Row[] = [];

try {
  for (const acks of [false, true]) {
    const keyPrefix = `bench-cluster-${acks ? 'on' : 'off'}:`;
    const store = new RedisMfaStore({ client: counted, keyPrefix, replicaAcks: acks ? { replicas: 1 } : false });
    const users: { id: string; secretId: string; step: number }[] = [];
    for (let i = 0; i < 64; i++) {
      const id = `user-${i}`;
      const secretId = `s-${i}`;
      const pending = { secretId, sealedSecret: 'v1.k.a.b.c', lastStep: null, createdAt: NOW, expiresAt: NOW + 6e5 };
      await store.savePending({ userId: id, pending: { ...pending, confirmed: false } });
      await store.attemptAndClaim({ userId: id, target: 'pending', secretId, step: 1, budget });
      await store.activatePending({ userId: id, secretId, recoveryCodeHashes: ['h'], now: NOW });
      users.push({ id, secretId, step: 1 });
    }
    for (const concurrent of CONCURRENCY) {
      const active = users.slice(0, concurrent);
      const perUser = Math.max(4, Math.round(VERIFIES_PER_ROUND / concurrent));
      const throughput: number[] = [];
      const latencies: number[] = [];
      let trips = 0;
      let verifies = 0;
      for (let round = 0; round <= ROUNDS; round++) {
        const before = requests;
        const started = performance.now();
        const sampled: number[] = [];
        await Promise.all(
          active.map(async (user) => {
            for (let i = 0; i < perUser; i++) {
              const at = performance.now();
              const answer = await store.attemptAndClaim({
                userId: user.id,
                target: 'factor',
                secretId: user.secretId,
                step: ++user.step,
                budget,
              });
              sampled.push(performance.now() - at);
              if (answer.outcome !== 'claimed') throw new Error(`verify answered ${answer.outcome}`);
            }
          }),
        );
        if (round === 0) continue; // warm-up: connections, slot map, scripts cached per slot
        throughput.push((concurrent * perUser) / ((performance.now() - started) / 1000));
        latencies.push(...sampled);
        trips += requests - before;
        verifies += concurrent * perUser;
      }
      latencies.sort((a, b) => a - b);
      rows.push({
        acks: acks ? 'on (WAIT 1)' : 'off',
        concurrent,
        opsPerSecond: summarize(throughput).median,
        p50: latencies[Math.floor(latencies.length * 0.5)]!,
        p99: latencies[Math.floor(latencies.length * 0.99)]!,
        roundTrips: trips / verifies,
      });
    }
  }
} finally {
  cluster.disconnect();
  await running.stop();
}

const lines = [
  `Verify (store part: attemptAndClaim) on a 3 + 3 Redis Cluster, loopback, ${ROUNDS} rounds of about ${VERIFIES_PER_ROUND} verifies`,
  '',
  '| replica acks | concurrent users | verifies/s (median of rounds) | latency p50 ms | latency p99 ms | round trips per verify |',
  '|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.acks} | ${r.concurrent} | ${r.opsPerSecond.toFixed(0)} | ${r.p50.toFixed(3)} | ${r.p99.toFixed(3)} | ${r.roundTrips.toFixed(2)} |`,
  ),
  '',
  'Throughput with acks on / off (same run):',
  ...CONCURRENCY.map((c) => {
    const [off, on] = [
      rows.find((r) => r.concurrent === c && r.acks === 'off')!,
      rows.find((r) => r.concurrent === c && r.acks !== 'off')!,
    ];
    return `- ${c} concurrent: ${(on.opsPerSecond / off.opsPerSecond).toFixed(2)}`;
  }),
];
process.stdout.write(`${lines.join('\n')}\n`);
