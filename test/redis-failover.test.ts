import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TRIAL_TABLE_HEADER,
  runFailoverTrials,
  trialRow,
  type TrialFigures,
  type TrialSettings,
} from './support/redis-failover-trials.js';
import { trialCluster, trialSentinel, type TrialDeployment } from './support/redis-trial-deployments.js';
import { redisAvailable } from './support/services.js';

// Issue 13: after a failover, no accepted code, used recovery code or enable comes back undone, and no resent call
// answers a wrong outcome. Real kills (SIGKILL by PID) of the primary owning the trial users' keys, right after
// acknowledged operations and with the same operations in flight, on a Cluster and on Sentinel deployments of their
// own. A few kills per case here, to stay within the CI budget; `npm run trials:redis` runs 100 per case.
// With replica acknowledgement on, every count is asserted 0; with it off the counts are printed, not asserted.

const KILLS = Number(process.env.MFA_FAILOVER_KILLS ?? 6);
const CASES: TrialSettings[] = [
  { trials: KILLS, acks: true, cutReplica: false },
  { trials: Math.ceil(KILLS / 2), acks: true, cutReplica: true },
  { trials: 2, acks: false, cutReplica: false },
  { trials: 2, acks: false, cutReplica: true },
];

const required = process.env.MFA_REQUIRE_SERVICES === '1';
const canStart = process.env.MFA_REDIS_DEPLOYMENTS !== '0' && (await redisAvailable());

describe.skipIf(!canStart)('Redis failover trials (kill -9 of the primary)', () => {
  const deployments: TrialDeployment[] = [];
  const rows: TrialFigures[] = [];
  beforeAll(async () => {
    const cluster = Number(process.env.MFA_TEST_CLUSTER_PORT ?? 7101) + 300;
    const sentinel = Number(process.env.MFA_TEST_SENTINEL_PORT ?? 7201) + 300;
    const started = await Promise.allSettled([trialCluster(cluster, 500), trialSentinel(sentinel, 500)]);
    for (const result of started) if (result.status === 'fulfilled') deployments.push(result.value);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed && required) throw failed.reason;
  }, 60_000);
  afterAll(async () => {
    await Promise.all(deployments.map((deployment) => deployment.stop()));
    process.stdout.write(`\nRedis failover trials (npm test; full run: npm run trials:redis)\n${TRIAL_TABLE_HEADER}\n`);
    for (const row of rows) process.stdout.write(`${trialRow(row)}\n`);
  });

  it('lost claim, double-used recovery code, lost enable, wrong outcome: all 0 with acknowledgement on; printed with it off', async () => {
    // Each deployment runs its cases one after another; the two deployments run side by side.
    await Promise.all(
      deployments.map(async (deployment) => {
        for (const settings of CASES) rows.push(await runFailoverTrials(deployment, settings));
      }),
    );
    const on = rows.filter((row) => row.acks);
    expect(on).toHaveLength(deployments.length * 2);
    for (const row of on) {
      expect(
        {
          doubleAccepts: row.doubleAccepts,
          doubleUses: row.doubleUses,
          lostEnables: row.lostEnables,
          wrong: row.wrongOutcomes,
        },
        `${row.deployment}, replica cut: ${row.cutReplica}`,
      ).toEqual({ doubleAccepts: 0, doubleUses: 0, lostEnables: 0, wrong: 0 });
      if (!row.cutReplica)
        expect(row.acknowledged, 'with a replica in sync, the writes are acknowledged').toBeGreaterThan(0);
    }
  }, 180_000);
});
