/**
 * 3b. Verify throughput per store at 1, 16 and 64 concurrent users: each user verifies a fresh, valid code again and
 * again (its own clock steps on 30 s per verify, so replay protection accepts every one), all users at once.
 * One Node process, one Redis connection (ioredis pipelines), a pg pool of 10: what one app server gets.
 */
import { type BenchOptions, scale } from '../lib/options.js';
import { Section } from '../lib/report.js';
import { type EnrolledUser, enrollUser } from '../totp/enrolled.js';
import { openStores } from './open-stores.js';

const CONCURRENCY = [1, 16, 64] as const;
const POOL_SIZE = 10;

/** C users verifying at once, `perUser` verifies each: verifies per second of the whole block. */
async function concurrentRound(users: readonly EnrolledUser[], perUser: number): Promise<number> {
  const codes = users.map((user) =>
    Array.from({ length: perUser }, () => ({ code: user.nextCode(), at: user.clock.at })),
  );
  users.forEach((user, u) => (user.clock.at = codes[u]![0]!.at - 30_000));
  const started = performance.now();
  await Promise.all(
    users.map(async (user, u) => {
      for (const { code, at } of codes[u]!) {
        user.clock.at = at;
        await user.mfa.verify({ id: user.id }, code);
      }
    }),
  );
  return (users.length * perUser) / ((performance.now() - started) / 1000);
}

export async function storeConcurrency(options: BenchOptions): Promise<Section> {
  const section = new Section('concurrency', '3b. Verify throughput by store and concurrent users (one Node process)');
  const rounds = scale(options, 2, 7);
  const { stores, skipped } = await openStores('cc', { poolSize: POOL_SIZE });
  for (const s of skipped) section.skip(s.name, s.reason);
  try {
    for (const opened of stores) {
      const users: EnrolledUser[] = [];
      for (let i = 0; i < Math.max(...CONCURRENCY); i++) users.push(await enrollUser(opened.store, `cc-user-${i}`));
      for (const concurrent of CONCURRENCY) {
        // About the same number of verifies per round whatever the concurrency, so every figure is timed over a
        // comparable stretch.
        const perUser = Math.max(
          2,
          Math.round(scale(options, 64, 640) / concurrent / (opened.name === 'memory' ? 1 : 4)),
        );
        const active = users.slice(0, concurrent);
        await concurrentRound(active, Math.min(perUser, 4)); // warm-up
        const samples: number[] = [];
        for (let round = 0; round < rounds; round++) samples.push(await concurrentRound(active, perUser));
        section.figure(
          `${opened.name}.c${concurrent}`,
          `${opened.name}: verify, ${concurrent} concurrent user${concurrent > 1 ? 's' : ''}`,
          'ops/s',
          'higher',
          samples,
        );
      }
    }
  } finally {
    for (const opened of stores) await opened.close();
  }
  return section;
}
