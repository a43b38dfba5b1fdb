/**
 * 3a. Store round trips per operation, counted, not guessed: AT THE DRIVER (driver-counters.ts: socket writes and
 * commands of ioredis, protocol flights and statements of pg, batches and statements of better-sqlite3), on the Redis
 * server with MONITOR, and at the store interface (calls the provider makes). Goal: one round trip per warm verify.
 */
import { MfaInvalidCodeError } from 'saasus-mfa';
import { type BenchOptions, scale } from '../lib/options.js';
import { Section } from '../lib/report.js';
import { enrollUser } from '../totp/enrolled.js';
import { countedAtDriver } from './driver-counters.js';
import { countingStore, type OpenStore, openStores } from './open-stores.js';
import { RedisCommandCounter } from './redis-monitor.js';

/** Six digits that are not the expected code (nor, in practice, a neighbouring step's). */
export function wrongCode(code: string): string {
  return String((Number(code) + 500_000) % 1_000_000).padStart(6, '0');
}

export async function expectInvalid(promise: Promise<unknown>): Promise<void> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MfaInvalidCodeError) return;
    throw error;
  }
  throw new Error('a wrong code was accepted');
}

type Operation = [id: string, label: string, run: () => Promise<unknown>, afterwards?: () => Promise<unknown>];

/** The operations counted on one store, for one enrolled user (warm: the user verified on this server before). */
async function operationsOn(opened: OpenStore, store: OpenStore['store']): Promise<Operation[]> {
  const user = await enrollUser(store, `rt-user-${opened.name}`);
  const warmVerify = () => user.mfa.verify({ id: user.id }, user.nextCode());
  await warmVerify();
  const verifies: Operation[] = [
    ['verify-success', 'warm verify (success)', warmVerify],
    [
      'verify-failure',
      'warm verify (wrong code)',
      () => expectInvalid(user.mfa.verify({ id: user.id }, wrongCode(user.nextCode()))),
      // A success after each failure resets the attempt counter, so the samples never reach the lockout.
      warmVerify,
    ],
    [
      'verify-success-client-key',
      'warm verify with clientKey (per-client budget under the per-user ceiling)',
      () => user.mfa.verify({ id: user.id }, user.nextCode(), { clientKey: '203.0.113.7' }),
    ],
    // Another server's client without a factor cache: the sealed secret is read (load), then attemptAndClaim.
    ['verify-cold', 'cold verify (first on this server)', () => user.coldMfa.verify({ id: user.id }, user.nextCode())],
  ];
  // With replica acknowledgement the verify is the point (the Cluster store with acks on); the rest is as without.
  if (opened.name === 'redis-cluster-acks') return verifies.slice(0, 1);
  // A browser trusted at login: its cookie then answers login step 1 on its own.
  const { deviceToken } = await user.mfa.verifySecondFactor({ id: user.id }, user.nextCode(), {
    trustDevice: { label: 'bench browser' },
  });
  if (deviceToken === undefined) throw new Error('no device token');
  return [
    ...verifies,
    [
      'recovery-code',
      'recovery code use',
      () => user.mfa.verifyRecoveryCode({ id: user.id }, user.recoveryCodes.pop()!),
    ],
    // Without the factor cache the factor's secretId (for the step-up token) is read first, unless the store's
    // answer carries it.
    [
      'recovery-code-cold',
      'recovery code use (cold)',
      () => user.coldMfa.verifyRecoveryCode({ id: user.id }, user.recoveryCodes.pop()!),
    ],
    ['get-status', 'getStatus', () => user.mfa.getStatus({ id: user.id })],
    [
      'needs-second-factor-device',
      'needsSecondFactor with a trusted device token',
      async () => {
        if (await user.mfa.needsSecondFactor({ id: user.id }, { deviceToken })) throw new Error('device not trusted');
      },
    ],
  ];
}

export async function storeRoundTrips(options: BenchOptions): Promise<Section> {
  const section = new Section('round-trips', '3a. Store round trips per operation (counted at the driver)');
  const samples = scale(options, 2, 5);
  const { stores, skipped } = await openStores('rt', { cluster: true });
  for (const s of skipped) section.skip(s.name, s.reason);
  try {
    for (const opened of stores) {
      const counted = countingStore(opened.store);
      const monitor =
        opened.redis && opened.keyPrefix ? await RedisCommandCounter.start(opened.redis, opened.keyPrefix) : undefined;
      const name = opened.name;
      for (const [id, label, run, afterwards] of await operationsOn(opened, counted.store)) {
        const storeCalls: number[] = [];
        const flights: number[] = [];
        const commands: number[] = [];
        const serverSent: number[] = [];
        const serverInScripts: number[] = [];
        for (let i = 0; i < samples; i++) {
          const callsBefore = counted.calls();
          const atDriver = async () => {
            if (!opened.driver) return run();
            const seen = await countedAtDriver(opened.driver, run);
            flights.push(seen.flights);
            commands.push(seen.commands);
          };
          if (monitor) {
            const seen = await monitor.measure(atDriver);
            serverSent.push(seen.sent);
            serverInScripts.push(seen.inScripts);
          } else await atDriver();
          storeCalls.push(counted.calls() - callsBefore);
          await afterwards?.();
        }
        section.count(`${name}.${id}.store-calls`, `${name}: ${label}, store calls`, 'calls', storeCalls);
        if (!opened.driver) continue;
        const trips = section.count(
          `${name}.${id}.round-trips`,
          `${name}: ${label}, round trips at the driver`,
          opened.flightUnit ?? 'flights',
          flights,
        );
        section.count(
          `${name}.${id}.driver-commands`,
          `${name}: ${label}, ${COMMANDS_LABEL[name] ?? 'commands the driver sent'}`,
          name.startsWith('redis') ? 'commands' : 'statements',
          commands,
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
        const goal = GOALS[id];
        if (goal !== undefined)
          section.compare(`${name}.${id}`, `${name}: round trips per ${label}`, trips.median, {
            op: '<=',
            target: goal,
          });
      }
      monitor?.stop();
    }
  } finally {
    for (const opened of stores) await opened.close();
  }
  return section;
}

/**
 * The goals of issue 15, item 1: a warm verify one round trip (with clientKey, with acks), a cold one two, a
 * recovery-code use one (warm or cold), and login step 1 with a trusted device's token one.
 */
const GOALS: Record<string, number> = {
  'recovery-code': 1,
  'recovery-code-cold': 1,
  'needs-second-factor-device': 1,
  'verify-success': 1,
  'verify-failure': 1,
  'verify-success-client-key': 1,
  'verify-cold': 2,
};

const COMMANDS_LABEL: Record<string, string> = {
  postgres: 'statements the driver sent',
  sqlite: 'statements the driver ran (BEGIN IMMEDIATE and COMMIT included)',
};
