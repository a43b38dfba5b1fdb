/**
 * Redis failover trials (issue 13), the full run: `npm run trials:redis` (100 kills per case; `--kills N` for the
 * acknowledged case, `--other N` for the others, `--only cluster` or `--only sentinel`).
 * Starts its own small Cluster (3 + 3) and Sentinel deployment on loopback, kills a primary by PID right after
 * acknowledged operations (and with operations in flight), lets a replica be promoted, restarts the killed server as
 * a replica, and prints, per deployment, with replica acknowledgement on and off, with and without the replica cut
 * off first: operations acknowledged, refused, codes accepted twice, recovery codes used twice, enables lost, wrong
 * outcomes and failover time. The test suite runs a few of the same trials and asserts the "on" rows are all 0.
 */
import { parseArgs } from 'node:util';
import {
  TRIAL_TABLE_HEADER,
  runFailoverTrials,
  trialRow,
  type TrialFigures,
} from '../../test/support/redis-failover-trials.js';
import { trialCluster, trialSentinel, type TrialDeployment } from '../../test/support/redis-trial-deployments.js';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '100' },
    // The other cases (replica cut off, acknowledgement off): as many kills unless told, fewer for a quicker run.
    other: { type: 'string' },
    only: { type: 'string', default: 'cluster,sentinel' },
    // One case only, e.g. `--case off:cut` (acknowledgement on|off, replica all|cut).
    case: { type: 'string' },
  },
});
const kills = Number(values.kills);
const otherKills = Number(values.other ?? values.kills);
const chosen = values.only.split(',');

const rows: TrialFigures[] = [];
const started = performance.now();
for (const name of chosen) {
  const deployment: TrialDeployment =
    name === 'cluster' ? await trialCluster(7_800, 500) : await trialSentinel(7_900, 500);
  try {
    for (const acks of [true, false])
      for (const cutReplica of [false, true]) {
        const rowStarted = performance.now();
        if (values.case && values.case !== `${acks ? 'on' : 'off'}:${cutReplica ? 'cut' : 'all'}`) continue;
        const trials = acks && !cutReplica ? kills : otherKills;
        const figures = await runFailoverTrials(deployment, { trials, acks, cutReplica });
        rows.push(figures);
        console.log(`${trialRow(figures)}  (${((performance.now() - rowStarted) / 1000).toFixed(0)} s)`);
      }
  } finally {
    await deployment.stop();
  }
}
console.log(
  `\nRedis failover trials, ${kills} kills per row, ${((performance.now() - started) / 1000).toFixed(0)} s:\n`,
);
console.log(TRIAL_TABLE_HEADER);
for (const row of rows) console.log(trialRow(row));
