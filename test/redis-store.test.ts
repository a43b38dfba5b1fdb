import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MfaConfigurationError, MfaProviderError } from '../src/index.js';
import { RedisMfaStore, type RedisScriptClient } from '../src/stores/redis/index.js';
import { trustedDevice } from './support/redis-devices.js';
import { NOW, WINDOW, budget, pendingSetup, unique } from './support/redis-store-clients.js';
import { deleteRedisKeysUnder, newRedisClient, redisAvailable } from './support/services.js';

// What only the Redis store has: key layout, TTLs that clean up, scripts loaded without a NOSCRIPT round trip, the
// exactly-once answer of a resent call, and replica acknowledgement refusing an unconfirmed success.
const keyPrefix = `saasus-mfa-redisonly:${process.pid}:`;

describe.skipIf(!(await redisAvailable()))('RedisMfaStore', () => {
  const client = newRedisClient();
  const store = new RedisMfaStore({ client, keyPrefix });
  beforeAll(() => client.connect());
  afterAll(async () => {
    await deleteRedisKeysUnder(client, keyPrefix);
    client.disconnect();
  });

  /** A client whose evalsha/eval replies are counted, NOSCRIPT refusals apart; `twice` sends every script twice. */
  function countingClient(options: { twice?: boolean } = {}) {
    const counts = { requests: 0, noScript: 0 };
    const send = async (run: () => Promise<unknown>) => {
      counts.requests++;
      try {
        if (options.twice) {
          // A driver's resend after a reconnect: the same command, run again; the caller hears the second answer.
          await run();
          counts.requests++;
        }
        return await run();
      } catch (error) {
        if (error instanceof Error && error.message.startsWith('NOSCRIPT')) counts.noScript++;
        throw error;
      }
    };
    const counting: RedisScriptClient = {
      evalsha: (...args) => send(() => client.evalsha(...(args as [string, number, ...string[]]))),
      eval: (...args) => send(() => client.eval(...(args as [string, number, ...string[]]))),
    };
    return { counting, counts };
  }

  async function enabledUser(on: RedisMfaStore = store) {
    const userId = `u-${unique()}`;
    const setup = pendingSetup();
    await on.savePending({ userId, pending: setup });
    const pendingBudget = budget([{ bucket: 'setup', max: 5 }]);
    await on.attemptAndClaim({ userId, target: 'pending', secretId: setup.secretId, step: 7, budget: pendingBudget });
    expect(await on.activatePending({ userId, secretId: setup.secretId, recoveryCodeHashes: ['h1'], now: NOW })).toBe(
      true,
    );
    return { userId, secretId: setup.secretId };
  }

  it('keeps one user in one Cluster slot, under an encoded user id', async () => {
    await store.clearAttempts({ userId: 'ada:{x}' });
    await store.attemptAndClaim({ userId: 'ada:{x}', target: 'factor', secretId: 's', step: null, budget: budget() });
    const keys = await client.keys(`${keyPrefix}*ada*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key.startsWith(`${keyPrefix}{ada%3A%7Bx%7D}:`)).toBe(true);
  });

  it('key collision: user ids that differ only by a lone surrogate, or that spell its escape, never share a key', async () => {
    // Lone surrogates are not valid UTF-16 text (encodeURIComponent throws on them): a mapping that dropped or merged
    // them would let one user's lock or factor land on another's keys.
    const base = `lone-${unique()}`;
    const ids = [base].flatMap((id) => [
      `${id}\uD800`,
      `${id}\uD801`,
      `${id}%uD800`,
      `${id}\uDC00`,
      // A well-formed astral character next to a lone surrogate, and its two code units spelled as lone ones.
      `${id}\u{1D49C}\uD800`,
      `${id}\uD835\uD800`,
      `${id}`,
    ]);
    // Each id gets its own setup and index + 1 failures; a shared key would show another id's setup or count.
    const setups = ids.map(() => pendingSetup());
    const roomy = budget([{ bucket: 'code', max: 100 }]);
    for (const [index, userId] of ids.entries()) {
      await store.savePending({ userId, pending: setups[index]! });
      for (let i = 0; i <= index; i++)
        await store.attemptAndClaim({
          userId,
          target: 'pending',
          secretId: setups[index]!.secretId,
          step: null,
          budget: roomy,
        });
    }
    for (const [index, userId] of ids.entries()) {
      expect((await store.load({ userId })).pending, JSON.stringify(userId)).toEqual(setups[index]);
      expect(
        await store.attemptAndClaim({ userId, target: 'factor', secretId: 's', step: 1, budget: roomy }),
        JSON.stringify(userId),
      ).toMatchObject({ attempts: [{ count: index + 1 }] });
    }
    const keys = await client.keys(`${keyPrefix}{${base}*`);
    expect(new Set(keys.map((key) => key.slice(0, key.indexOf('}') + 1))).size).toBe(ids.length);
  });

  it('lets Redis drop what can no longer matter: attempt windows, outcomes and expired setups expire, a factor never does', async () => {
    const { userId, secretId } = await enabledUser();
    await store.attemptAndClaim({ userId, target: 'factor', secretId, step: null, budget: budget() });
    const attemptsTtl = await client.pttl(`${keyPrefix}{${userId}}:attempts`);
    expect(attemptsTtl).toBeGreaterThan(WINDOW - 5_000);
    expect(attemptsTtl).toBeLessThanOrEqual(WINDOW);
    for (const key of await client.keys(`${keyPrefix}{${userId}}:op:*`)) {
      expect(await client.pttl(key)).toBeGreaterThan(170_000);
      expect(await client.pttl(key)).toBeLessThanOrEqual(180_000);
    }
    await store.savePending({ userId, pending: pendingSetup() });
    expect(await client.pttl(`${keyPrefix}{${userId}}:pending`)).toBeGreaterThan(600_000 + 24 * 3_600_000 - 5_000);
    expect(await client.pttl(`${keyPrefix}{${userId}}:factor`)).toBe(-1);
    expect(await client.pttl(`${keyPrefix}{${userId}}:recovery`)).toBe(-1);
  });

  it('a NOSCRIPT round trip per concurrent first call: 50 concurrent first calls get no NOSCRIPT, and a flush costs one', async () => {
    const { counting, counts } = countingClient();
    const fresh = new RedisMfaStore({ client: counting, keyPrefix });
    await client.script('FLUSH');
    await Promise.all(Array.from({ length: 50 }, (_, i) => fresh.load({ userId: `load-${i}` })));
    expect(counts).toEqual({ requests: 50, noScript: 0 });
    await Promise.all(Array.from({ length: 50 }, (_, i) => fresh.load({ userId: `load-${i}` })));
    expect(counts).toEqual({ requests: 100, noScript: 0 });
    await client.script('FLUSH');
    await fresh.load({ userId: 'load-0' });
    expect(counts, 'after a flush: one NOSCRIPT, then the script sent whole').toEqual({ requests: 102, noScript: 1 });
    await Promise.all(Array.from({ length: 50 }, (_, i) => fresh.load({ userId: `load-${i}` })));
    expect(counts.noScript).toBe(1);
  });

  it('wrong outcome after a failover: a call the driver sends twice answers its first outcome, and changes state once', async () => {
    const { counting } = countingClient({ twice: true });
    const resending = new RedisMfaStore({ client: counting, keyPrefix });
    const { userId, secretId } = await enabledUser(resending);
    const limits = [{ bucket: 'code', max: 5 }];
    const claim = (step: number | null) =>
      resending.attemptAndClaim({ userId, target: 'factor', secretId, step, budget: budget(limits) });
    expect(await claim(8), 'a correct code is never answered replayed').toEqual({ outcome: 'claimed' });
    expect(await claim(null), 'a failure sent twice is counted once').toMatchObject({ attempts: [{ count: 1 }] });
    const use = await resending.useRecoveryCode({ userId, candidateHashes: ['h1'], budget: budget() });
    expect(use, 'a correct recovery code is never answered mismatch').toEqual({
      outcome: 'used',
      remaining: 0,
      secretId,
    });
    expect(await resending.replaceRecoveryCodes({ userId, hashes: ['h2'], secretId })).toBe(true);
    expect(await resending.deleteFactor({ userId, secretId })).toBe(true);
    const setup = pendingSetup();
    await resending.savePending({ userId, pending: setup });
    await resending.attemptAndClaim({ userId, target: 'pending', secretId: setup.secretId, step: 9, budget: budget() });
    const enabled = await resending.activatePending({
      userId,
      secretId: setup.secretId,
      recoveryCodeHashes: [],
      now: NOW,
    });
    expect(enabled, 'an enable that took effect is never answered false').toBe(true);
  });

  it('lost claim on failover: with acknowledgement asked of a server without replicas, a success is store_unavailable, never accepted', async () => {
    const acked = new RedisMfaStore({ client, keyPrefix, replicaAcks: { replicas: 1, timeoutMs: 20 } });
    const { userId, secretId } = await enabledUser(store);
    const claim = (step: number | null) =>
      acked.attemptAndClaim({ userId, target: 'factor', secretId, step, budget: budget() });
    const refused = await claim(8).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(MfaProviderError);
    expect(refused).toMatchObject({ type: 'store_unavailable', retryable: true });
    expect(await claim(null), 'a refusal is answered as it is').toMatchObject({ outcome: 'mismatch' });
    await expect(acked.useRecoveryCode({ userId, candidateHashes: ['h1'], budget: budget() })).rejects.toMatchObject({
      type: 'store_unavailable',
    });
    await expect(acked.deleteFactor({ userId })).rejects.toMatchObject({ type: 'store_unavailable' });
  });

  it('a verify is still one round trip with acknowledgement: the script and WAIT go in one pipeline', async () => {
    let pipelines = 0;
    let commands = 0;
    const counting: RedisScriptClient = {
      evalsha: (...args) => client.evalsha(...(args as [string, number, ...string[]])),
      eval: (...args) => client.eval(...(args as [string, number, ...string[]])),
      pipeline: () => {
        const pipeline = client.pipeline();
        const exec = pipeline.exec.bind(pipeline);
        return Object.assign(pipeline, {
          exec: () => {
            pipelines++;
            commands += pipeline.length;
            return exec();
          },
        });
      },
    };
    const acked = new RedisMfaStore({ client: counting, keyPrefix, replicaAcks: { replicas: 1, timeoutMs: 5 } });
    const { userId, secretId } = await enabledUser(store);
    await acked.attemptAndClaim({ userId, target: 'factor', secretId, step: null, budget: budget() });
    expect({ pipelines, commands }).toEqual({ pipelines: 1, commands: 2 });
  });

  it('a trusted-device check is one round trip: one script without acknowledgement, one pipeline (script + WAIT) with it', async () => {
    const { counting, counts } = countingClient();
    const plain = new RedisMfaStore({ client: counting, keyPrefix });
    const { userId, secretId } = await enabledUser(store);
    const { device } = trustedDevice(userId, secretId);
    await store.trustDevice({ userId, device, maxDevices: 5, now: NOW });
    for (const candidateHashes of [[device.tokenHash], ['k1.other', 'k0.other'], []]) {
      const before = counts.requests;
      await plain.useTrustedDevice({ userId, candidateHashes, now: NOW });
      expect(counts.requests - before, JSON.stringify(candidateHashes)).toBe(1);
    }
    let pipelines = 0;
    let commands = 0;
    const acked = new RedisMfaStore({
      keyPrefix,
      replicaAcks: { replicas: 1, timeoutMs: 5 },
      client: {
        ...counting,
        pipeline: () => {
          const pipeline = client.pipeline();
          const exec = pipeline.exec.bind(pipeline);
          return Object.assign(pipeline, {
            exec: () => {
              pipelines++;
              commands += pipeline.length;
              return exec();
            },
          });
        },
      },
    });
    await acked.useTrustedDevice({ userId, candidateHashes: ['k1.other'], now: NOW });
    expect({ pipelines, commands }).toEqual({ pipelines: 1, commands: 2 });
  });

  it('a factor record missing a field reads as corrupt (an error), never as "MFA off"', async () => {
    await client.hset(`${keyPrefix}{half-user}:factor`, 'lastStep', '5');
    await expect(store.load({ userId: 'half-user' })).rejects.toThrow();
  });

  it('refuses a client that cannot run scripts, a prefix with a hash-tag brace, and acknowledgement it cannot pipeline', () => {
    for (const bad of [{}, null, undefined, { evalsha: () => 1 }])
      expect(() => new RedisMfaStore({ client: bad as never }), JSON.stringify(bad)).toThrow(
        new MfaConfigurationError(
          'RedisMfaStore needs a client with evalsha and eval, such as an ioredis Redis or Cluster instance',
        ),
      );
    for (const keyPrefix of ['a{b}:', 'a b:', 'x'.repeat(65), ['app:'] as never])
      expect(() => new RedisMfaStore({ client, keyPrefix }), String(keyPrefix)).toThrow(
        new MfaConfigurationError(
          'RedisMfaStore keyPrefix must be at most 64 printable ASCII characters, without spaces or braces',
        ),
      );
    expect(() => new RedisMfaStore({ client, keyPrefix: 'x'.repeat(64) })).not.toThrow();
    for (const resendWindowMs of [999, 86_400_001, 1.5e3 + 0.5])
      expect(() => new RedisMfaStore({ client, resendWindowMs }), String(resendWindowMs)).toThrow(
        new MfaConfigurationError('RedisMfaStore resendWindowMs must be a whole number from 1000 to 86400000'),
      );
    for (const resendWindowMs of [1_000, 86_400_000])
      expect(() => new RedisMfaStore({ client, resendWindowMs })).not.toThrow();
    const noPipeline: RedisScriptClient = { evalsha: client.evalsha.bind(client), eval: client.eval.bind(client) };
    expect(() => new RedisMfaStore({ client: noPipeline, replicaAcks: { replicas: 1 } })).toThrow(
      MfaConfigurationError,
    );
    expect(() => new RedisMfaStore({ client, replicaAcks: { replicas: 0 } })).toThrow(MfaConfigurationError);
    expect(() => new RedisMfaStore({ client, resendWindowMs: 10 })).toThrow(MfaConfigurationError);
  });
});

const deployments = inject('redisDeployments');
describe.skipIf(deployments === null)('RedisMfaStore on a Cluster node', () => {
  it('computes the Cluster slot of a key as Redis does (CLUSTER KEYSLOT), hash tag or not', async () => {
    const { clusterSlot } = await import('../src/stores/redis/cluster-slot.js');
    const node = new Redis({ ...deployments!.cluster.nodes[0]!, lazyConnect: true });
    await node.connect();
    try {
      const keys = ['plain', 'a{b}c', '{}x', '{user-1}:factor', `${keyPrefix}{ada%3A%7Bx%7D}:attempts`, 'x{}{y}'];
      for (let i = 0; i < 50; i++) keys.push(`${keyPrefix}{${unique()}}:op:${unique()}`);
      for (const key of keys) expect(clusterSlot(key), key).toBe(await node.call('CLUSTER', 'KEYSLOT', key));
    } finally {
      node.disconnect();
    }
  });
});
