/**
 * 3c. The SDK's overhead against the store's own floor, in the same run: a warm `MfaClient.verify` against a bare
 * round trip of the same store on the same connection (Redis and Cluster: an EVALSHA of a no-op script as long as
 * the claim script, with the same keys and arguments; PostgreSQL: `SELECT 1` through the same pool; SQLite: a batch
 * of `SELECT 1` through the same driver, i.e. BEGIN IMMEDIATE, SELECT 1, COMMIT), at 1, 16 and 64 concurrent users.
 * A third side separates the SDK from the store: the store's own part of a warm verify (one attemptAndClaim of a fresh
 * step through the store's API, the script or statement doing its real work). The three sides take turns going first;
 * each ratio is the median of the per-round ratios of median latencies. Goal (issue 15): verify / floor at most 1.5 on
 * Redis and PostgreSQL at 1 user.
 */
import { type BenchOptions, scale } from '../lib/options.js';
import { Section } from '../lib/report.js';
import { summarize } from '../lib/stats.js';
import type { MfaStore } from 'saasus-mfa/totp';
import { type EnrolledUser, PERIOD_MS, START_MS, enrollUser } from '../totp/enrolled.js';
import { type OpenStore, openStores } from './open-stores.js';

const CONCURRENCY = [1, 16, 64] as const;
const POOL_SIZE = 10;
/** Where the issue sets a goal: Redis and PostgreSQL, one user at a time. */
const GOAL_STORES = new Set(['redis', 'postgres']);

interface Contender {
  user: EnrolledUser;
  floor: () => Promise<unknown>;
  /** The store's own part of a warm verify, through its API: one attemptAndClaim of a fresh step (another user). */
  storeCall: () => Promise<unknown>;
  /** Codes for the next verifies, with the instant each is typed at: made before a block, never inside the timing. */
  codes: { code: string; at: number }[];
}

/**
 * What a warm verify asks of the store, asked directly: one `attemptAndClaim` of the next step of `user`'s factor,
 * with the budget a verify without clientKey sends. `user` is not the one whose verifies are timed (their steps
 * would collide); its clock is never read.
 */
async function storeCallFor(store: MfaStore, user: EnrolledUser): Promise<() => Promise<unknown>> {
  const factor = (await store.load({ userId: user.id })).factor;
  if (!factor) throw new Error('the store-call user has no factor');
  let step = Math.floor(START_MS / PERIOD_MS) + 10;
  const budget = { now: START_MS, windowMs: 900_000, limits: [{ bucket: 'code', max: 5 }] };
  return async () => {
    const answer = await store.attemptAndClaim({
      userId: user.id,
      target: 'factor',
      secretId: factor.secretId,
      step: ++step,
      budget,
    });
    if (answer.outcome !== 'claimed') throw new Error(`the store answered ${answer.outcome}`);
  };
}

/** `concurrent` users at once, `perUser` calls each, one after the other: every call's latency in ms. */
async function block(contenders: readonly Contender[], perUser: number, call: (c: Contender) => Promise<unknown>) {
  for (const contender of call === SIDES.verify ? contenders : []) {
    const { user, codes } = contender;
    codes.length = 0;
    for (let i = 0; i < perUser; i++) codes.push({ code: user.nextCode(), at: user.clock.at });
  }
  const latencies: number[] = [];
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    contenders.map(async (contender) => {
      for (let i = 0; i < perUser; i++) {
        const started = performance.now();
        await call(contender);
        latencies.push(performance.now() - started);
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  // This process's CPU per call (user + system; the driver's share included): what a verify adds above its store call.
  return { latencies, cpuPerCall: (cpu.user + cpu.system) / latencies.length };
}

type Side = 'verify' | 'storeCall' | 'floor';
const SIDES: Record<Side, (c: Contender) => Promise<unknown>> = {
  verify: ({ user, codes }) => {
    const next = codes.shift()!;
    user.clock.at = next.at;
    return user.mfa.verify({ id: user.id }, next.code);
  },
  storeCall: ({ storeCall }) => storeCall(),
  floor: ({ floor }) => floor(),
};
const ORDERS: readonly (readonly Side[])[] = [
  ['verify', 'storeCall', 'floor'],
  ['floor', 'verify', 'storeCall'],
  ['storeCall', 'floor', 'verify'],
];

async function measureStore(section: Section, opened: OpenStore, options: BenchOptions): Promise<void> {
  const contenders: Contender[] = [];
  for (let i = 0; i < Math.max(...CONCURRENCY); i++) {
    const user = await enrollUser(opened.store, `oh-user-${i}`);
    const other = await enrollUser(opened.store, `oh-store-user-${i}`);
    const warm = () => user.mfa.verify({ id: user.id }, user.nextCode());
    await warm(); // this server now caches the user's sealed factor: every timed verify is warm
    contenders.push({
      user,
      floor: await opened.floorFor!(warm),
      storeCall: await storeCallFor(opened.store, other),
      codes: [],
    });
  }
  const rounds = scale(options, 3, 12);
  for (const concurrent of CONCURRENCY) {
    const active = contenders.slice(0, concurrent);
    const perUser = Math.max(2, Math.round(scale(options, 16, 240) / concurrent));
    for (const side of Object.values(SIDES)) await block(active, Math.min(perUser, 4), side); // warm-up
    const samples: Record<Side, number[]> = { verify: [], storeCall: [], floor: [] };
    const cpu: Record<Side, number[]> = { verify: [], storeCall: [], floor: [] };
    const medians: Record<Side, number[]> = { verify: [], storeCall: [], floor: [] };
    for (let round = 0; round < rounds; round++) {
      // Each side first, second and third equally often: a load spike hits all three within a round.
      for (const side of ORDERS[round % ORDERS.length]!) {
        const { latencies, cpuPerCall } = await block(active, perUser, SIDES[side]);
        samples[side].push(...latencies);
        cpu[side].push(cpuPerCall);
        medians[side].push(summarize(latencies).median);
      }
    }
    const users = `${concurrent} concurrent user${concurrent > 1 ? 's' : ''}`;
    const name = opened.name;
    const id = `${name}.c${concurrent}`;
    section.figure(`${id}.verify`, `${name}: MfaClient.verify, ${users}`, 'ms', 'lower', samples.verify);
    section.figure(
      `${id}.store-call`,
      `${name}: the store's part alone (attemptAndClaim), ${users}`,
      'ms',
      'lower',
      samples.storeCall,
    );
    section.figure(`${id}.floor`, `${name}: ${FLOOR_LABEL[name]}, ${users}`, 'ms', 'lower', samples.floor);
    for (const side of ['verify', 'storeCall'] as const)
      section.figure(
        `${id}.${side === 'verify' ? 'verify' : 'store-call'}.cpu`,
        `${name}: ${side === 'verify' ? 'MfaClient.verify' : "the store's part"}, CPU per call in this process, ${users}`,
        'µs',
        'lower',
        cpu[side],
      );
    section.comparePaired(
      `${id}.ratio`,
      `${name}: verify / bare round trip latency, ${users} (paired rounds)`,
      medians.verify,
      medians.floor,
      concurrent === 1 && GOAL_STORES.has(name) ? { op: '<=', target: 1.5 } : undefined,
    );
    section.comparePaired(
      `${id}.store-call-ratio`,
      `${name}: the store's part / bare round trip, ${users} (paired)`,
      medians.storeCall,
      medians.floor,
    );
    section.comparePaired(
      `${id}.sdk-ratio`,
      `${name}: verify / the store's part, ${users} (paired: what the SDK adds)`,
      medians.verify,
      medians.storeCall,
    );
  }
}

const FLOOR_LABEL: Record<string, string> = {
  redis: 'bare EVALSHA (no-op script, same keys and arguments)',
  'redis-cluster': 'bare EVALSHA (no-op script, same keys and arguments)',
  'redis-cluster-acks': 'bare EVALSHA (no-op script, no WAIT)',
  postgres: 'bare SELECT 1 (same pool)',
  sqlite: 'bare batch of SELECT 1 (same driver: BEGIN IMMEDIATE, SELECT 1, COMMIT)',
};

export async function storeOverhead(options: BenchOptions): Promise<Section> {
  const section = new Section('overhead', "3c. Verify against the store's own floor (same run, same connection)");
  const { stores, skipped } = await openStores('oh', { poolSize: POOL_SIZE, cluster: true, withoutMemory: true });
  for (const s of skipped) section.skip(s.name, s.reason);
  try {
    for (const opened of stores) await measureStore(section, opened, options);
  } finally {
    for (const opened of stores) await opened.close();
  }
  return section;
}
