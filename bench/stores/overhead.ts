/**
 * 3c. The SDK's overhead against the store's own floor, in the same run: a warm `MfaClient.verify` against a bare
 * round trip of the same store on the same connection (Redis and Cluster: an EVALSHA of a no-op script as long as
 * the claim script, with the same keys and arguments; PostgreSQL: `SELECT 1` through the same pool; SQLite: a batch
 * of `SELECT 1` through the same driver, i.e. BEGIN IMMEDIATE, SELECT 1, COMMIT), at 1, 16 and 64 concurrent users.
 * Rounds alternate which side goes first (ABBA); the ratio is the median of the per-round ratios of median latencies.
 * Goal (issue 15): at most 1.5 on Redis and PostgreSQL at 1 user.
 */
import { type BenchOptions, scale } from '../lib/options.js';
import { Section } from '../lib/report.js';
import { summarize } from '../lib/stats.js';
import { type EnrolledUser, enrollUser } from '../totp/enrolled.js';
import { type OpenStore, openStores } from './open-stores.js';

const CONCURRENCY = [1, 16, 64] as const;
const POOL_SIZE = 10;
/** Where the issue sets a goal: Redis and PostgreSQL, one user at a time. */
const GOAL_STORES = new Set(['redis', 'postgres']);

interface Contender {
  user: EnrolledUser;
  floor: () => Promise<unknown>;
}

/** `concurrent` users at once, `perUser` calls each, one after the other: every call's latency in ms. */
async function block(contenders: readonly Contender[], perUser: number, call: (c: Contender) => Promise<unknown>) {
  const latencies: number[] = [];
  await Promise.all(
    contenders.map(async (contender) => {
      for (let i = 0; i < perUser; i++) {
        const started = performance.now();
        await call(contender);
        latencies.push(performance.now() - started);
      }
    }),
  );
  return latencies;
}

const verify = ({ user }: Contender) => user.mfa.verify({ id: user.id }, user.nextCode());
const floor = ({ floor }: Contender) => floor();

async function measureStore(section: Section, opened: OpenStore, options: BenchOptions): Promise<void> {
  const contenders: Contender[] = [];
  for (let i = 0; i < Math.max(...CONCURRENCY); i++) {
    const user = await enrollUser(opened.store, `oh-user-${i}`);
    await verify({ user, floor: async () => {} }); // warm: this server now caches the user's sealed factor
    contenders.push({ user, floor: await opened.floorFor!(() => verify({ user, floor: async () => {} })) });
  }
  const rounds = scale(options, 2, 12);
  for (const concurrent of CONCURRENCY) {
    const active = contenders.slice(0, concurrent);
    const perUser = Math.max(2, Math.round(scale(options, 16, 240) / concurrent));
    await block(active, Math.min(perUser, 4), verify); // warm-up of both sides
    await block(active, Math.min(perUser, 4), floor);
    const sdk: number[] = [];
    const bare: number[] = [];
    const sdkMedians: number[] = [];
    const bareMedians: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const sides = round % 2 === 0 ? ([verify, floor] as const) : ([floor, verify] as const);
      const [first, second] = [await block(active, perUser, sides[0]), await block(active, perUser, sides[1])];
      const [ofVerify, ofFloor] = round % 2 === 0 ? [first, second] : [second, first];
      sdk.push(...ofVerify);
      bare.push(...ofFloor);
      sdkMedians.push(summarize(ofVerify).median);
      bareMedians.push(summarize(ofFloor).median);
    }
    const users = `${concurrent} concurrent user${concurrent > 1 ? 's' : ''}`;
    const name = opened.name;
    section.figure(`${name}.c${concurrent}.verify`, `${name}: MfaClient.verify, ${users}`, 'ms', 'lower', sdk);
    section.figure(`${name}.c${concurrent}.floor`, `${name}: ${FLOOR_LABEL[name]}, ${users}`, 'ms', 'lower', bare);
    section.comparePaired(
      `${name}.c${concurrent}.ratio`,
      `${name}: verify / bare round trip latency, ${users} (paired rounds)`,
      sdkMedians,
      bareMedians,
      concurrent === 1 && GOAL_STORES.has(name) ? { op: '<=', target: 1.5 } : undefined,
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
