import { Redis, type Cluster } from 'ioredis';
import { RedisMfaStore } from '../../src/stores/redis/index.js';
import type { AttemptBudget, StoredPendingSetup } from '../../src/totp/store.js';
import type { Shard, TrialDeployment } from './redis-trial-deployments.js';

/**
 * Failover trials (issue 13): per trial, on the shard whose primary is killed, a user claims a TOTP step, uses a
 * recovery code and another enables MFA, each answered (acknowledged) before `kill -9` of the primary; the same three
 * operations are also in flight at the kill, so the driver resends them to the promoted replica. After the promotion:
 * - a code accepted twice: the acknowledged (or in-flight answered) step is claimed again;
 * - a recovery code used twice: the used code is accepted again;
 * - an enable lost: the enabled factor is gone;
 * - a wrong outcome: an in-flight claim answered `replayed`, a recovery code `mismatch`, an enable `false` (each was
 *   valid, and nothing else touched it);
 * - failover time: from the kill to the first write the app's driver gets through on that shard.
 * `cutReplica` first cuts the replica off, as in a partition: frozen by SIGSTOP (so it reads nothing more) and
 * disconnected by the primary (CLIENT KILL TYPE replica), the primary goes on answering while the replica misses the
 * writes; it is thawed right after the kill, in time to be promoted.
 */

export interface TrialSettings {
  trials: number;
  /** Replica acknowledgement of the store under test: on (1 replica) or off. */
  acks: boolean;
  cutReplica: boolean;
}

export interface TrialFigures extends TrialSettings {
  deployment: string;
  /** Operations answered as a success before the kill (of 3 per trial), and refused as store_unavailable. */
  acknowledged: number;
  unavailable: number;
  /** Operations in flight at the kill (3 per trial) that got an answer at all (the rest failed: outcome unknown). */
  inFlightAnswered: number;
  doubleAccepts: number;
  doubleUses: number;
  lostEnables: number;
  wrongOutcomes: number;
  failoverMs: { median: number; max: number };
}

const NOW = Date.UTC(2025, 0, 2, 15, 4, 10);
const limits = (bucket: string) => ({ now: NOW, windowMs: 900_000, limits: [{ bucket, max: 1_000 }] }) as AttemptBudget;
const setupOf = (secretId: string): StoredPendingSetup => ({
  secretId,
  sealedSecret: `v1.k.${secretId}.b.c`,
  lastStep: null,
  createdAt: NOW,
  expiresAt: NOW + 3_600_000,
  confirmed: false,
});

type Answer<T> = { ok: true; value: T } | { ok: false };
const answer = <T>(promise: Promise<T>, timeoutMs = 20_000): Promise<Answer<T>> =>
  Promise.race([
    promise.then((value) => ({ ok: true as const, value })).catch(() => ({ ok: false as const })),
    new Promise<Answer<T>>((resolve) => setTimeout(() => resolve({ ok: false }), timeoutMs)),
  ]);

/** Three users on the shard: one enabled with two recovery codes, two with a confirmed setup ready to enable. */
async function prepare(store: RedisMfaStore, shard: Shard, keyPrefix: string) {
  const [user, enabler, inFlightEnabler] = [shard.userOn(keyPrefix), shard.userOn(keyPrefix), shard.userOn(keyPrefix)];
  for (const userId of [user, enabler, inFlightEnabler]) {
    await store.savePending({ userId, pending: setupOf(`s-${userId}`) });
    const claim = { userId, target: 'pending' as const, secretId: `s-${userId}`, step: 100, budget: limits('setup') };
    if ((await store.attemptAndClaim(claim)).outcome !== 'claimed') throw new Error('trial setup: claim failed');
  }
  const enabled = { userId: user, secretId: `s-${user}`, recoveryCodeHashes: ['r1', 'r2'], now: NOW };
  if (!(await store.activatePending(enabled))) throw new Error('trial setup: enable failed');
  return { user, enabler, inFlightEnabler };
}

/** Runs `settings.trials` kills on `deployment`; answers the counts. The deployment is left with a replica per shard. */
export async function runFailoverTrials(deployment: TrialDeployment, settings: TrialSettings): Promise<TrialFigures> {
  const keyPrefix = `trials:${settings.acks ? 'on' : 'off'}:${settings.cutReplica ? 'cut' : 'all'}:`;
  const clients: (Redis | Cluster)[] = [deployment.newClient(), deployment.newClient(), deployment.newClient()];
  const [app, setupClient, checkClient] = clients as [Redis | Cluster, Redis | Cluster, Redis | Cluster];
  const replicaAcks = settings.acks ? { replicas: 1, timeoutMs: 200 } : (false as const);
  const tested = new RedisMfaStore({ client: app, keyPrefix, replicaAcks });
  // The setup's writes must reach the replica before the trial starts, but are not what is measured: a replica that
  // rejoined after the previous kill may still be syncing, for longer on a busy machine (3 s was once too short in
  // CI, with another test file running beside this one), so it gets time.
  const setup = new RedisMfaStore({ client: setupClient, keyPrefix, replicaAcks: { replicas: 1, timeoutMs: 15_000 } });
  const checker = new RedisMfaStore({ client: checkClient, keyPrefix, replicaAcks: false });
  const figures: TrialFigures = {
    ...settings,
    deployment: deployment.name,
    acknowledged: 0,
    unavailable: 0,
    inFlightAnswered: 0,
    doubleAccepts: 0,
    doubleUses: 0,
    lostEnables: 0,
    wrongOutcomes: 0,
    failoverMs: { median: 0, max: 0 },
  };
  const failovers: number[] = [];
  let resumeLater = () => {};
  let stage = 'start';
  const watchdog = setInterval(() => {
    if (process.env.MFA_TRIALS_DEBUG === '1') process.stdout.write(`trial stage: ${stage}\n`);
  }, 10_000);
  try {
    for (let trial = 0; trial < settings.trials; trial++) {
      stage = `${trial}: prepare`;
      const shard = await deployment.shard(trial);
      const { user, enabler, inFlightEnabler } = await prepare(setup, shard, keyPrefix);
      const claim = (step: number, on = tested) =>
        on.attemptAndClaim({ userId: user, target: 'factor', secretId: `s-${user}`, step, budget: limits('code') });
      const use = (hash: string, on = tested) =>
        on.useRecoveryCode({ userId: user, candidateHashes: [hash], budget: limits('recovery') });
      const enable = (userId: string) =>
        tested.activatePending({ userId, secretId: `s-${userId}`, recoveryCodeHashes: ['e1'], now: NOW });
      stage = `${trial}: cut`;
      if (settings.cutReplica) {
        deployment.pause(shard.replicaPort);
        // Thawed in time to be promoted, whatever happens until the kill.
        resumeLater = () => deployment.resume(shard.replicaPort);
        await cutReplica(shard);
      }

      stage = `${trial}: acknowledged operations`;
      // A healthy primary answers in milliseconds (200 ms WAIT at most): 5 s without an answer is no success.
      const acked = {
        claim: await answer(claim(101), 5_000),
        use: await answer(use('r1'), 5_000),
        enable: await answer(enable(enabler), 5_000),
      };
      for (const op of Object.values(acked)) {
        if (op.ok) figures.acknowledged++;
        else figures.unavailable++;
      }
      // In flight at the kill: sent, then the primary dies; the driver resends what it has no answer for.
      const inFlight = { claim: answer(claim(102)), use: answer(use('r2')), enable: answer(enable(inFlightEnabler)) };
      stage = `${trial}: kill ${shard.primaryPort}`;
      const killedAt = performance.now();
      await deployment.kill(shard.primaryPort);
      resumeLater();
      resumeLater = () => {};
      stage = `${trial}: failover`;
      failovers.push(await firstWrite(checker, shard.userOn(keyPrefix), killedAt));
      stage = `${trial}: restore ${shard.primaryPort}`;
      const failedOver = performance.now();
      await deployment.restoreReplica(shard.primaryPort);
      if (process.env.MFA_TRIALS_DEBUG === '1')
        process.stdout.write(
          `failover ${failovers.at(-1)!.toFixed(0)} ms, restore ${(performance.now() - failedOver).toFixed(0)} ms\n`,
        );
      stage = `${trial}: checks`;
      const late = { claim: await inFlight.claim, use: await inFlight.use, enable: await inFlight.enable };

      figures.inFlightAnswered += Object.values(late).filter((op) => op.ok).length;
      if (late.claim.ok && late.claim.value.outcome === 'replayed') figures.wrongOutcomes++;
      if (late.use.ok && late.use.value.outcome === 'mismatch') figures.wrongOutcomes++;
      if (late.enable.ok && !late.enable.value) figures.wrongOutcomes++;
      for (const [step, op] of [
        [101, acked.claim],
        [102, late.claim],
      ] as const)
        if (op.ok && op.value.outcome === 'claimed' && (await claim(step, checker)).outcome === 'claimed')
          figures.doubleAccepts++;
      for (const [hash, op] of [
        ['r1', acked.use],
        ['r2', late.use],
      ] as const)
        if (op.ok && op.value.outcome === 'used' && (await use(hash, checker)).outcome === 'used') figures.doubleUses++;
      for (const [userId, op] of [
        [enabler, acked.enable],
        [inFlightEnabler, late.enable],
      ] as const)
        if (op.ok && op.value && (await checker.load({ userId })).factor?.secretId !== `s-${userId}`)
          figures.lostEnables++;
    }
  } finally {
    clearInterval(watchdog);
    resumeLater();
    for (const client of clients) client.disconnect();
  }
  failovers.sort((a, b) => a - b);
  figures.failoverMs = {
    median: Math.round(failovers[Math.floor(failovers.length / 2)] ?? 0),
    max: Math.round(failovers.at(-1) ?? 0),
  };
  return figures;
}

/** Disconnects the shard's replica from its primary (which then streams it nothing more). */
async function cutReplica(shard: Shard): Promise<void> {
  const primary = new Redis({ host: '127.0.0.1', port: shard.primaryPort, maxRetriesPerRequest: 0 });
  primary.on('error', () => {});
  try {
    await primary.call('CLIENT', 'KILL', 'TYPE', 'replica');
  } finally {
    primary.disconnect();
  }
}

/** Milliseconds from `since` until a write on the user's shard goes through (no acknowledgement asked). */
async function firstWrite(checker: RedisMfaStore, userId: string, since: number): Promise<number> {
  for (;;) {
    const done = await answer(checker.clearAttempts({ userId }), 1_000);
    if (done.ok) return performance.now() - since;
    if (performance.now() - since > 60_000) throw new Error('no failover within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The figures as one Markdown table row. */
export function trialRow(f: TrialFigures): string {
  return `| ${f.deployment} | ${f.acks ? 'on' : 'off'} | ${f.cutReplica ? 'yes' : 'no'} | ${f.trials} | ${f.acknowledged} | ${f.unavailable} | ${f.inFlightAnswered} | ${f.doubleAccepts} | ${f.doubleUses} | ${f.lostEnables} | ${f.wrongOutcomes} | ${f.failoverMs.median} / ${f.failoverMs.max} |`;
}

/** The header of `trialRow`'s table. */
export const TRIAL_TABLE_HEADER = [
  '| deployment | acks | replica cut | kills | acknowledged ops | store_unavailable | in flight, answered | codes accepted twice | recovery codes used twice | enables lost | wrong outcomes | failover ms (median / max) |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|',
].join('\n');
