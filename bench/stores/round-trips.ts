/**
 * 3a. Store round trips per operation, counted, not guessed: at the driver handle the store is given (every
 * evalsha/eval, every pool.query is one request and its answer), on the Redis server with MONITOR, and at the store
 * interface (calls the provider makes). Goal: one round trip per verify.
 */
import { MfaInvalidCodeError } from 'saasus-mfa';
import { type BenchOptions, scale } from '../lib/options.js';
import { Section, ratioOf } from '../lib/report.js';
import { type EnrolledUser, enrollUser } from '../totp/enrolled.js';
import { countingStore, openStores } from './open-stores.js';
import { RedisCommandCounter } from './redis-monitor.js';

/** Six digits that are not the expected code (nor, in practice, a neighbouring step's). */
function wrongCode(code: string): string {
  return String((Number(code) + 500_000) % 1_000_000).padStart(6, '0');
}

async function expectInvalid(promise: Promise<unknown>): Promise<void> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MfaInvalidCodeError) return;
    throw error;
  }
  throw new Error('a wrong code was accepted');
}

/**
 * What one round trip costs next to a whole successful verify (two today), one call at a time: how much a
 * one-round-trip verify could save. `load` is one script or statement that reads the same state beginAttempt does.
 */
async function roundTripCost(
  section: Section,
  name: string,
  user: EnrolledUser,
  load: () => Promise<unknown>,
  calls: number,
): Promise<void> {
  const loadMs: number[] = [];
  const verifyMs: number[] = [];
  for (let i = 0; i < calls; i++) {
    let started = performance.now();
    await load();
    loadMs.push(performance.now() - started);
    const code = user.nextCode();
    started = performance.now();
    await user.mfa.verify({ id: user.id }, code);
    verifyMs.push(performance.now() - started);
  }
  const one = section.figure(
    `${name}.one-round-trip.latency`,
    `${name}: one round trip (store.load), latency`,
    'ms',
    'lower',
    loadMs,
  );
  const verify = section.figure(
    `${name}.verify-success.latency`,
    `${name}: successful verify, latency`,
    'ms',
    'lower',
    verifyMs,
  );
  section.compare(
    `${name}.verify-vs-one-round-trip`,
    `${name}: successful verify latency / one round trip`,
    ratioOf(verify, one),
  );
}

export async function storeRoundTrips(options: BenchOptions): Promise<Section> {
  const section = new Section('round-trips', '3a. Store round trips per operation (counted)');
  const samples = scale(options, 2, 5);
  const { stores, skipped } = await openStores('rt');
  for (const s of skipped) section.skip(s.name, s.reason);
  try {
    for (const opened of stores) {
      const counted = countingStore(opened.store);
      const user = await enrollUser(counted.store, `rt-user-${opened.name}`);
      const monitor =
        opened.redis && opened.keyPrefix ? await RedisCommandCounter.start(opened.redis, opened.keyPrefix) : undefined;
      const operations: [
        id: string,
        label: string,
        run: () => Promise<unknown>,
        afterwards?: () => Promise<unknown>,
      ][] = [
        ['verify-success', 'successful verify', () => user.mfa.verify({ id: user.id }, user.nextCode())],
        [
          'verify-success-client-key',
          'successful verify with clientKey (per-client budget under the per-user ceiling)',
          () => user.mfa.verify({ id: user.id }, user.nextCode(), { clientKey: '203.0.113.7' }),
        ],
        [
          'verify-failure',
          'failed verify (wrong code)',
          () => expectInvalid(user.mfa.verify({ id: user.id }, wrongCode(user.nextCode()))),
          // A success after each failure resets the attempt counter, so the samples never reach the lockout.
          () => user.mfa.verify({ id: user.id }, user.nextCode()),
        ],
        [
          'recovery-code',
          'recovery code use',
          () => user.mfa.verifyRecoveryCode({ id: user.id }, user.recoveryCodes.pop()!),
        ],
        ['get-status', 'getStatus', () => user.mfa.getStatus({ id: user.id })],
      ];
      for (const [id, label, run, afterwards] of operations) {
        const storeCalls: number[] = [];
        const roundTrips: number[] = [];
        const serverSent: number[] = [];
        const serverInScripts: number[] = [];
        for (let i = 0; i < samples; i++) {
          const callsBefore = counted.calls();
          const tripsBefore = opened.roundTrips();
          if (monitor) {
            const seen = await monitor.measure(run);
            serverSent.push(seen.sent);
            serverInScripts.push(seen.inScripts);
          } else {
            await run();
          }
          storeCalls.push(counted.calls() - callsBefore);
          roundTrips.push(opened.roundTrips() - tripsBefore);
          await afterwards?.();
        }
        const name = opened.name;
        section.count(`${name}.${id}.store-calls`, `${name}: ${label}, store calls`, 'calls', storeCalls);
        if (name === 'memory') continue;
        const trips = section.count(
          `${name}.${id}.round-trips`,
          `${name}: ${label}, round trips`,
          name === 'redis' ? 'EVALSHA' : 'statements',
          roundTrips,
        );
        if (monitor) {
          section.count(
            `${name}.${id}.server-commands`,
            `${name}: ${label}, commands the server received (MONITOR)`,
            'commands',
            serverSent,
          );
          section.count(
            `${name}.${id}.script-commands`,
            `${name}: ${label}, commands run inside scripts (MONITOR)`,
            'commands',
            serverInScripts,
          );
        }
        if (id === 'verify-success' || id === 'verify-failure') {
          section.compare(`${name}.${id}`, `${name}: round trips per ${label}`, trips.median, { op: '<=', target: 1 });
        }
      }
      monitor?.stop();
      if (opened.name !== 'memory')
        await roundTripCost(
          section,
          opened.name,
          user,
          () => opened.store.load({ userId: user.id }),
          scale(options, 10, 300),
        );
    }
  } finally {
    for (const opened of stores) await opened.close();
  }
  return section;
}
